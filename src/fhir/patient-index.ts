import { patientOf, referenceKey } from './references.js';
import {
  checkResource,
  emptyListsByType,
  isSnapshotResourceType,
  linkedTypes,
  linkOf,
  listNameOf,
  type LinkedType,
  type ListsByType,
  type SnapshotResource,
  type SnapshotResourceType,
} from './resource-types.js';
import type { ObservationFilter, ResourceLists, SnapshotInput, SourcedResource } from './snapshot.js';
import { dayOf } from './time.js';

/** One patient's checked, de-duplicated resources, indexed once; any number of encounters can be focused on. */
export interface PatientIndex {
  readonly patientId: string;
  readonly lists: ListsByType;
  readonly invalid: ReadonlyMap<string, number>;
  readonly unavailable: ReadonlySet<SnapshotResourceType>;
  /** `Type/id` (or a draft's fullUrl) of any resource spelling. */
  readonly canonicalKey: (reference: string | undefined) => string | undefined;
  readonly byKey: (key: string) => SnapshotResource | undefined;
  /** The resources linked to an encounter (by reference, or unlinked and dated on its days), grouped once per patient. */
  readonly linkedTo: (encounterReference: string | undefined, firstDay?: string, lastDay?: string) => ResourceLists;
}

const ignoredStatuses = new Set(['entered-in-error']);

function observationCodings(value: unknown): { system?: unknown; code?: unknown }[] {
  const code = (value as { code?: { coding?: unknown } } | null)?.code;
  const coding = code?.coding;
  return Array.isArray(coding)
    ? coding.filter((c): c is { system?: unknown; code?: unknown } => typeof c === 'object' && c !== null)
    : [];
}

/** False for an Observation the filter leaves out (the index never looks at it); true for anything else. */
function passesObservationFilter(value: unknown, keepObservation: ObservationFilter | undefined): boolean {
  return (
    keepObservation === undefined ||
    (value as { resourceType?: unknown } | null)?.resourceType !== 'Observation' ||
    keepObservation(observationCodings(value))
  );
}

/**
 * Whether `indexPatient` (given this Observation filter) could keep the value: a snapshot resource type, and for an
 * Observation one the filter keeps. The audit stages only these, so it neither stores nor parses twice what no
 * rule will read (an export's ExplanationOfBenefit, DiagnosticReport or vital signs).
 */
export function mayBeIndexed(value: unknown, keepObservation: ObservationFilter | undefined): boolean {
  const type = (value as { resourceType?: unknown } | null)?.resourceType;
  return typeof type === 'string' && isSnapshotResourceType(type) && passesObservationFilter(value, keepObservation);
}

/**
 * Checks and indexes one patient's resources from untrusted inputs; never throws on bad shapes (they are dropped
 * and counted). Resources of another patient are dropped too. Draft resources replace same-keyed ones.
 */
export function indexPatient(input: Omit<SnapshotInput, 'encounterId'>): PatientIndex {
  const patientKey = `Patient/${input.patientId}`;
  const invalid = new Map<string, number>();
  const countInvalid = (type: string): void => {
    invalid.set(type, (invalid.get(type) ?? 0) + 1);
  };
  const checked: { resource: SnapshotResource; key: string }[] = [];
  const aliases = new Map<string, string>();

  const { keepObservation, resourceTypes } = input;
  const accept = (sourced: SourcedResource): void => {
    const type = (sourced.resource as { resourceType?: unknown } | null)?.resourceType;
    if (resourceTypes !== undefined && typeof type === 'string' && !resourceTypes.has(type as SnapshotResourceType)) {
      return;
    }
    if (!passesObservationFilter(sourced.resource, keepObservation)) {
      return;
    }
    const result = checkResource(sourced.resource);
    if (result === undefined) {
      return;
    }
    if (!result.ok) {
      countInvalid(result.resourceType);
      return;
    }
    const resource = result.resource;
    // Draft resources may lack an id; they are keyed by fullUrl so they are still evaluated.
    const key = resource.id !== undefined ? `${resource.resourceType}/${resource.id}` : sourced.fullUrl;
    if (key === undefined) {
      countInvalid(resource.resourceType);
      return;
    }
    checked.push({ resource, key });
    if (sourced.fullUrl !== undefined) {
      const fullUrlKey = sourced.fullUrl.startsWith('urn:') ? sourced.fullUrl : referenceKey(sourced.fullUrl);
      if (fullUrlKey !== undefined && fullUrlKey !== key) {
        aliases.set(fullUrlKey, key);
      }
    }
  };
  input.resources.forEach(accept);
  input.draftResources?.forEach(accept);

  // Most references of a patient's record name a few resources (the patient, its encounters): each spelling is
  // resolved once per index. The memo holds the spellings the checked resources use, no more.
  const resolved = new Map<string, string | undefined>();
  const canonicalKey = (reference: string | undefined): string | undefined => {
    if (reference === undefined) {
      return undefined;
    }
    if (resolved.has(reference)) {
      return resolved.get(reference);
    }
    const key = referenceKey(reference);
    const canonical = key === undefined ? undefined : (aliases.get(key) ?? key);
    resolved.set(reference, canonical);
    return canonical;
  };

  // Owners are compared after every alias is known: Synthea names the patient by urn:uuid.
  const byKey = new Map<string, SnapshotResource>();
  for (const { resource, key } of checked) {
    const owner = patientOf(resource, canonicalKey);
    if (owner !== undefined && owner !== patientKey) {
      continue;
    }
    byKey.set(key, resource);
  }

  const lists = emptyListsByType();
  for (const resource of byKey.values()) {
    const status = 'status' in resource ? resource.status : undefined;
    if (typeof status === 'string' && ignoredStatuses.has(status)) {
      continue;
    }
    (lists[resource.resourceType] as SnapshotResource[]).push(resource);
  }

  const links = lazyLinks(lists, canonicalKey);
  return {
    patientId: input.patientId,
    lists,
    invalid,
    unavailable: input.unavailable ?? new Set(),
    canonicalKey,
    byKey: (key) => byKey.get(key),
    linkedTo: (encounterReference, firstDay, lastDay) => links().linkedTo(encounterReference, firstDay, lastDay),
  };
}

/**
 * Groups every linkable resource once per patient: by the encounter it references, or, with no reference, by the
 * day it happened. Focusing on an encounter then costs what is linked to it, not the patient's whole history.
 */
function lazyLinks(lists: ListsByType, canonicalKey: PatientIndex['canonicalKey']) {
  type Positioned = { readonly position: number; readonly resource: SnapshotResource };
  let built:
    | { byEncounter: Map<string, Map<LinkedType, Positioned[]>>; byDay: Map<string, Map<LinkedType, Positioned[]>> }
    | undefined;
  const add = (
    map: Map<string, Map<LinkedType, Positioned[]>>,
    key: string,
    type: LinkedType,
    item: Positioned,
  ): void => {
    let byType = map.get(key);
    if (!byType) {
      byType = new Map();
      map.set(key, byType);
    }
    const list = byType.get(type);
    if (list) {
      list.push(item);
    } else {
      byType.set(type, [item]);
    }
  };
  const groupType = (
    type: LinkedType,
    byEncounter: Map<string, Map<LinkedType, Positioned[]>>,
    byDay: Map<string, Map<LinkedType, Positioned[]>>,
  ): void => {
    const { encounterOf, timeOf } = linkOf(type);
    lists[type].forEach((resource, position) => {
      const link = canonicalKey(encounterOf(resource));
      if (link !== undefined) {
        add(byEncounter, link, type, { position, resource });
        return;
      }
      const day = dayOf(timeOf(resource));
      if (day !== undefined) {
        add(byDay, day, type, { position, resource });
      }
    });
  };
  const build = () => {
    const byEncounter = new Map<string, Map<LinkedType, Positioned[]>>();
    const byDay = new Map<string, Map<LinkedType, Positioned[]>>();
    for (const type of linkedTypes) {
      groupType(type, byEncounter, byDay);
    }
    return { byEncounter, byDay };
  };
  return () => {
    built ??= build();
    const { byEncounter, byDay } = built;
    return {
      linkedTo(encounterReference: string | undefined, firstDay?: string, lastDay?: string): ResourceLists {
        const days =
          firstDay === undefined || lastDay === undefined
            ? []
            : [...byDay.keys()].filter((day) => day >= firstDay && day <= lastDay);
        const collect = (type: LinkedType): SnapshotResource[] => {
          const items = [
            ...((encounterReference !== undefined ? byEncounter.get(encounterReference)?.get(type) : undefined) ?? []),
            ...days.flatMap((day) => byDay.get(day)?.get(type) ?? []),
          ];
          return items.sort((a, b) => a.position - b.position).map((i) => i.resource);
        };
        // Each list holds resources of its own type only: they were grouped by type above.
        return Object.fromEntries(
          linkedTypes.map((type) => [listNameOf(type), collect(type)]),
        ) as unknown as ResourceLists;
      },
    };
  };
}
