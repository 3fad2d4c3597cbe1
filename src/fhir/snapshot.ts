import type {
  CarePlan,
  ChargeItem,
  Claim,
  Condition,
  Encounter,
  Medication,
  MedicationAdministration,
  MedicationRequest,
  Observation,
  Procedure,
  Reference,
  ServiceRequest,
} from 'fhir/r4.js';
import {
  checkResource,
  type SnapshotResource,
  type SnapshotResourceMap,
  type SnapshotResourceType,
} from './resources.js';
import { patientOf, referenceKey } from './references.js';
import { dayOf, parseInstant } from './time.js';

/** The clinical and billing resources a rule reads, by type. */
export interface ResourceLists {
  readonly conditions: readonly Condition[];
  readonly procedures: readonly Procedure[];
  readonly medicationAdministrations: readonly MedicationAdministration[];
  readonly observations: readonly Observation[];
  readonly carePlans: readonly CarePlan[];
  readonly medicationRequests: readonly MedicationRequest[];
  readonly serviceRequests: readonly ServiceRequest[];
  /** Billing lines (draft Claims): the only FHIR R4 place for CPT/HCPCS modifiers. */
  readonly claims: readonly Claim[];
  /** Billing lines as Oracle Health sends them (one code, its modifiers and diagnoses per ChargeItem). */
  readonly chargeItems: readonly ChargeItem[];
}

/**
 * Everything the rules may read about one patient and one encounter, typed, de-duplicated and indexed once per
 * call. Rules never see raw request JSON, OperationOutcomes or other patients' resources. The lists hold the whole
 * patient's resources; `thisEncounter` those linked to the encounter being evaluated.
 */
export interface PatientSnapshot extends ResourceLists {
  readonly patientId: string;
  /** `Encounter/<id>` of the encounter being signed (or, for patient-view, the most recent one). */
  readonly encounterReference: string | undefined;
  readonly encounter: Encounter | undefined;
  readonly encounters: readonly Encounter[];
  readonly thisEncounter: ResourceLists;
  /** Resource types that could be had neither from prefetch nor from the FHIR server: rules reading them are skipped. */
  readonly unavailable: ReadonlySet<SnapshotResourceType>;
  /** Resolves `Type/id`, absolute, `urn:uuid:` and contained (`#id`, with `from`) references. */
  resolve(reference: Reference | undefined, from?: { contained?: readonly unknown[] }): SnapshotResource | undefined;
  /** The Medication an administration or order refers to (contained or standalone), if any. */
  medicationOf(user: MedicationUser): Medication | undefined;
}

/** A resource that names its drug: inline, or by reference to a contained or standalone Medication. */
export type MedicationUser = MedicationAdministration | MedicationRequest;

export interface SnapshotInput {
  readonly patientId: string;
  /** The encounter being signed; when absent the most recent encounter is used (patient-view). */
  readonly encounterId?: string | undefined;
  /** Resources from prefetch and the FHIR server, as untrusted JSON, each with the `fullUrl` it came with. */
  readonly resources: readonly SourcedResource[];
  /** Draft resources of this encounter: they replace a resource of the same type and id from any other source. */
  readonly draftResources?: readonly SourcedResource[];
  readonly unavailable?: ReadonlySet<SnapshotResourceType>;
  /**
   * Which Observations can matter to the rules (the engine's `observationFilter`); the others (vitals, labs) are left
   * out before they are checked, as a CQL retrieve by value set would. Absent: every Observation is kept.
   */
  readonly keepObservation?: ObservationFilter;
  /**
   * The resource types the caller will read (a measure's retrieves); the others are left out before they are
   * checked. Absent: every snapshot type is kept.
   */
  readonly resourceTypes?: ReadonlySet<SnapshotResourceType>;
}

/** Decides from an untrusted Observation's codings whether any rule or measure could read it. */
export type ObservationFilter = (codings: readonly { system?: unknown; code?: unknown }[]) => boolean;

function observationCodings(value: unknown): { system?: unknown; code?: unknown }[] {
  const code = (value as { code?: { coding?: unknown } } | null)?.code;
  const coding = code?.coding;
  return Array.isArray(coding)
    ? coding.filter((c): c is { system?: unknown; code?: unknown } => typeof c === 'object' && c !== null)
    : [];
}

export interface SourcedResource {
  readonly resource: unknown;
  readonly fullUrl?: string | undefined;
}

export interface SnapshotBuildReport {
  readonly snapshot: PatientSnapshot;
  /** Resource types dropped because their shape was invalid, with counts (for metrics; no content). */
  readonly invalid: ReadonlyMap<string, number>;
  readonly otherPatientResources: number;
}

const ignoredStatuses = new Set(['entered-in-error']);

function encounterLinkOf(resource: SnapshotResource): string | undefined {
  switch (resource.resourceType) {
    case 'MedicationAdministration':
    case 'ChargeItem':
      return referenceKey(resource.context?.reference);
    case 'Claim':
      return referenceKey(resource.item?.flatMap((i) => i.encounter ?? [])[0]?.reference);
    case 'Procedure':
    case 'Observation':
    case 'Condition':
    case 'CarePlan':
    case 'MedicationRequest':
    case 'ServiceRequest':
      return referenceKey(resource.encounter?.reference);
    case 'Patient':
    case 'Encounter':
    case 'Medication':
      return undefined;
  }
}

function startOfEffective(resource: MedicationAdministration): string | undefined {
  return resource.effectivePeriod?.start ?? resource.effectiveDateTime;
}

/**
 * Picks the encounter a patient-view call is about: the latest by period start, ignoring cancelled and
 * entered-in-error ones. JUDGMENT: "most recent" is by start time, ties broken by id for determinism.
 */
function mostRecentEncounter(encounters: readonly Encounter[]): Encounter | undefined {
  let best: { encounter: Encounter; start: number } | undefined;
  for (const encounter of encounters) {
    if (encounter.status === 'cancelled' || encounter.status === 'entered-in-error') {
      continue;
    }
    const start = parseInstant(encounter.period?.start)?.getTime() ?? Number.NEGATIVE_INFINITY;
    if (!best || start > best.start || (start === best.start && (encounter.id ?? '') > (best.encounter.id ?? ''))) {
      best = { encounter, start };
    }
  }
  return best?.encounter;
}

/** One patient's checked, de-duplicated resources, indexed once; any number of encounters can be focused on. */
export interface PatientIndex {
  readonly patientId: string;
  readonly lists: { readonly [K in SnapshotResourceType]: readonly SnapshotResourceMap[K][] };
  readonly invalid: ReadonlyMap<string, number>;
  readonly otherPatientResources: number;
  readonly unavailable: ReadonlySet<SnapshotResourceType>;
  /** `Type/id` (or a draft's fullUrl) of any resource spelling. */
  readonly canonicalKey: (reference: string | undefined) => string | undefined;
  readonly byKey: (key: string) => SnapshotResource | undefined;
  /** The resources linked to an encounter (by reference, or unlinked and dated on its days), grouped once per patient. */
  readonly linkedTo: (encounterReference: string | undefined, firstDay?: string, lastDay?: string) => ResourceLists;
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
    if (
      keepObservation !== undefined &&
      type === 'Observation' &&
      !keepObservation(observationCodings(sourced.resource))
    ) {
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

  const canonicalKey = (reference: string | undefined): string | undefined => {
    const key = referenceKey(reference);
    return key === undefined ? undefined : (aliases.get(key) ?? key);
  };

  // Subjects are compared after every alias is known: Synthea names the patient by urn:uuid.
  let otherPatientResources = 0;
  const byKey = new Map<string, SnapshotResource>();
  for (const { resource, key } of checked) {
    const subject = patientOf(resource, canonicalKey);
    if (subject !== undefined && subject !== patientKey) {
      otherPatientResources += 1;
      continue;
    }
    byKey.set(key, resource);
  }

  const lists: { [K in SnapshotResourceType]: SnapshotResourceMap[K][] } = {
    Patient: [],
    Encounter: [],
    Condition: [],
    Procedure: [],
    MedicationAdministration: [],
    Medication: [],
    Observation: [],
    CarePlan: [],
    MedicationRequest: [],
    ServiceRequest: [],
    Claim: [],
    ChargeItem: [],
  };
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
    otherPatientResources,
    unavailable: input.unavailable ?? new Set(),
    canonicalKey,
    byKey: (key) => byKey.get(key),
    linkedTo: (encounterReference, firstDay, lastDay) => links().linkedTo(encounterReference, firstDay, lastDay),
  };
}

type LinkedType = keyof ResourceLists;

/** How each linked type finds its encounter, and its time for the JUDGMENT "same day, no link" fallback. */
const linkRules: { readonly [K in LinkedType]: (lists: PatientIndex['lists']) => readonly SnapshotResource[] } = {
  procedures: (l) => l.Procedure,
  medicationAdministrations: (l) => l.MedicationAdministration,
  observations: (l) => l.Observation,
  conditions: (l) => l.Condition,
  carePlans: (l) => l.CarePlan,
  medicationRequests: (l) => l.MedicationRequest,
  serviceRequests: (l) => l.ServiceRequest,
  claims: (l) => l.Claim,
  chargeItems: (l) => l.ChargeItem,
};

function fallbackTimeOf(resource: SnapshotResource): string | undefined {
  switch (resource.resourceType) {
    case 'Procedure':
      return resource.performedPeriod?.start ?? resource.performedDateTime;
    case 'MedicationAdministration':
      return startOfEffective(resource);
    case 'Observation':
      return resource.effectiveDateTime ?? resource.effectivePeriod?.start ?? resource.effectiveInstant;
    case 'CarePlan':
      return resource.created ?? resource.period?.start;
    case 'MedicationRequest':
    case 'ServiceRequest':
      return resource.authoredOn;
    case 'Claim':
      return resource.item?.[0]?.servicedDate ?? resource.billablePeriod?.start ?? resource.created;
    case 'ChargeItem':
      return resource.occurrenceDateTime ?? resource.occurrencePeriod?.start;
    case 'Condition':
    case 'Patient':
    case 'Encounter':
    case 'Medication':
      // JUDGMENT: a Condition belongs to an encounter only by reference (a diagnosis is not "on a day").
      return undefined;
  }
}

/**
 * Groups every linkable resource once per patient: by the encounter it references, or, with no reference, by the
 * day it happened. Focusing on an encounter then costs what is linked to it, not the patient's whole history.
 */
function lazyLinks(lists: PatientIndex['lists'], canonicalKey: PatientIndex['canonicalKey']) {
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
  const build = () => {
    const byEncounter = new Map<string, Map<LinkedType, Positioned[]>>();
    const byDay = new Map<string, Map<LinkedType, Positioned[]>>();
    for (const type of Object.keys(linkRules) as LinkedType[]) {
      linkRules[type](lists).forEach((resource, position) => {
        const link = canonicalKey(encounterLinkOf(resource));
        if (link !== undefined) {
          add(byEncounter, link, type, { position, resource });
          return;
        }
        const day = dayOf(fallbackTimeOf(resource));
        if (day !== undefined) {
          add(byDay, day, type, { position, resource });
        }
      });
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
        return {
          procedures: collect('procedures') as Procedure[],
          medicationAdministrations: collect('medicationAdministrations') as MedicationAdministration[],
          observations: collect('observations') as Observation[],
          conditions: collect('conditions') as Condition[],
          carePlans: collect('carePlans') as CarePlan[],
          medicationRequests: collect('medicationRequests') as MedicationRequest[],
          serviceRequests: collect('serviceRequests') as ServiceRequest[],
          claims: collect('claims') as Claim[],
          chargeItems: collect('chargeItems') as ChargeItem[],
        };
      },
    };
  };
}

/**
 * The snapshot for one encounter of an indexed patient (the most recent one when `encounterId` is undefined):
 * the patient's lists plus the resources linked to that encounter.
 */
export function focusSnapshot(index: PatientIndex, encounterId: string | undefined): PatientSnapshot {
  const { lists, canonicalKey } = index;
  const encounter =
    encounterId !== undefined
      ? lists.Encounter.find((e) => e.id === encounterId)
      : mostRecentEncounter(lists.Encounter);
  const encounterReference =
    encounterId !== undefined
      ? `Encounter/${encounterId}`
      : encounter?.id !== undefined
        ? `Encounter/${encounter.id}`
        : undefined;

  // JUDGMENT: a resource with no encounter link still belongs to this encounter when it happened on the
  // encounter's day(s); many EHRs do not set MedicationAdministration.context (mCODE examples omit it).
  const encounterStartDay = dayOf(encounter?.period?.start);
  const encounterEndDay = dayOf(encounter?.period?.end) ?? encounterStartDay;
  const thisEncounter = index.linkedTo(encounterReference, encounterStartDay, encounterEndDay);

  const resolve: PatientSnapshot['resolve'] = (reference, from) => {
    const ref = reference?.reference;
    if (ref === undefined) {
      return undefined;
    }
    if (ref.startsWith('#')) {
      const contained = from?.contained?.find(
        (c) => typeof c === 'object' && c !== null && (c as { id?: unknown }).id === ref.slice(1),
      );
      const checked = checkResource(contained);
      return checked?.ok ? checked.resource : undefined;
    }
    const key = canonicalKey(ref);
    return key === undefined ? undefined : index.byKey(key);
  };

  const medicationCache = new Map<MedicationUser, Medication | undefined>();
  const medicationOf = (user: MedicationUser): Medication | undefined => {
    if (medicationCache.has(user)) {
      return medicationCache.get(user);
    }
    const resolved = resolve(user.medicationReference, user);
    const medication = resolved?.resourceType === 'Medication' ? resolved : undefined;
    medicationCache.set(user, medication);
    return medication;
  };

  return {
    patientId: index.patientId,
    encounterReference,
    encounter,
    encounters: lists.Encounter,
    conditions: lists.Condition,
    procedures: lists.Procedure,
    medicationAdministrations: lists.MedicationAdministration,
    observations: lists.Observation,
    carePlans: lists.CarePlan,
    medicationRequests: lists.MedicationRequest,
    serviceRequests: lists.ServiceRequest,
    claims: lists.Claim,
    chargeItems: lists.ChargeItem,
    thisEncounter,
    unavailable: index.unavailable,
    resolve,
    medicationOf,
  };
}

/** Builds the snapshot for one call from untrusted inputs; never throws on bad resource shapes. */
export function buildSnapshot(input: SnapshotInput): SnapshotBuildReport {
  const index = indexPatient(input);
  return {
    snapshot: focusSnapshot(index, input.encounterId),
    invalid: index.invalid,
    otherPatientResources: index.otherPatientResources,
  };
}
