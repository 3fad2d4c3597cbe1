import type {
  CarePlan,
  ChargeItem,
  Claim,
  Condition,
  Encounter,
  FhirResource,
  Medication,
  MedicationAdministration,
  MedicationRequest,
  Observation,
  Patient,
  Procedure,
  ServiceRequest,
} from 'fhir/r4.js';
import type { ShapeCheck } from './shape.js';
import { schemas } from './schemas.js';

/*
 * The resource types a snapshot holds, one descriptor each: how an untrusted value of the type is checked, the list
 * the snapshot keeps it in, and, for the types linked to an encounter, how its encounter reference and its time are
 * read. Snapshot building, the patient index and focusing are driven by this table: adding a resource type is one
 * entry here plus its schema (schemas.ts). Everything else in a request is ignored. Which patient a resource belongs
 * to is the same for every type (`patientOf`, references.ts).
 */

/** A type the rules reach only by reference (the Patient, a Medication): checked, indexed, but in no list. */
interface Descriptor<R extends FhirResource> {
  /**
   * Checks one untrusted value of this type: the resource, typed, when the elements the rules read have the shape
   * they expect; undefined when not. The only place a resource's shape is checked, so a cheaper check (one that does
   * not copy) replaces this function and nothing else.
   */
  readonly check: (value: unknown) => R | undefined;
}

/** A type the snapshot keeps in a list of the patient's resources under `list`. */
interface ListedDescriptor<R extends FhirResource, L extends string> extends Descriptor<R> {
  readonly list: L;
}

/**
 * A type linked to encounters: `thisEncounter` holds those whose `encounterOf` reference names the encounter or,
 * with no reference, whose `timeOf` falls on the encounter's day(s) (JUDGMENT, see focus.ts).
 */
interface LinkedDescriptor<R extends FhirResource, L extends string> extends ListedDescriptor<R, L> {
  /** The reference to the encounter the resource was recorded in, as written. */
  readonly encounterOf: (resource: R) => string | undefined;
  /** When it happened, for the "same day, no link" fallback; undefined: it belongs to an encounter only by reference. */
  readonly timeOf: (resource: R) => string | undefined;
}

/**
 * A resource that passes its shape check, typed as the @types/fhir resource the check vouches for: the elements the
 * rules read are checked; the rest of the resource is FHIR JSON as sent (nothing is copied).
 */
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- R is the @types/fhir type the check vouches for
function checkedBy<R extends FhirResource>(check: ShapeCheck): (value: unknown) => R | undefined {
  return (value) => (check(value) ? (value as R) : undefined);
}

// Identity helpers: they fix each entry's resource type and list name for the types derived below.
const unlisted = <R extends FhirResource>(descriptor: Descriptor<R>): Descriptor<R> => descriptor;
const listed = <R extends FhirResource, const L extends string>(
  descriptor: ListedDescriptor<R, L>,
): ListedDescriptor<R, L> => descriptor;
const linked = <R extends FhirResource, const L extends string>(
  descriptor: LinkedDescriptor<R, L>,
): LinkedDescriptor<R, L> => descriptor;

export const resourceTypes = {
  Patient: unlisted({ check: checkedBy<Patient>(schemas.Patient) }),
  Encounter: listed({ check: checkedBy<Encounter>(schemas.Encounter), list: 'encounters' }),
  Condition: linked({
    check: checkedBy<Condition>(schemas.Condition),
    list: 'conditions',
    encounterOf: (condition) => condition.encounter?.reference,
    // JUDGMENT: a Condition belongs to an encounter only by reference (a diagnosis is not "on a day").
    timeOf: () => undefined,
  }),
  Procedure: linked({
    check: checkedBy<Procedure>(schemas.Procedure),
    list: 'procedures',
    encounterOf: (procedure) => procedure.encounter?.reference,
    timeOf: (procedure) => procedure.performedPeriod?.start ?? procedure.performedDateTime,
  }),
  MedicationAdministration: linked({
    check: checkedBy<MedicationAdministration>(schemas.MedicationAdministration),
    list: 'medicationAdministrations',
    encounterOf: (administration) => administration.context?.reference,
    timeOf: (administration) => administration.effectivePeriod?.start ?? administration.effectiveDateTime,
  }),
  Medication: unlisted({ check: checkedBy<Medication>(schemas.Medication) }),
  Observation: linked({
    check: checkedBy<Observation>(schemas.Observation),
    list: 'observations',
    encounterOf: (observation) => observation.encounter?.reference,
    timeOf: (observation) =>
      observation.effectiveDateTime ?? observation.effectivePeriod?.start ?? observation.effectiveInstant,
  }),
  CarePlan: linked({
    check: checkedBy<CarePlan>(schemas.CarePlan),
    list: 'carePlans',
    encounterOf: (plan) => plan.encounter?.reference,
    timeOf: (plan) => plan.created ?? plan.period?.start,
  }),
  MedicationRequest: linked({
    check: checkedBy<MedicationRequest>(schemas.MedicationRequest),
    list: 'medicationRequests',
    encounterOf: (request) => request.encounter?.reference,
    timeOf: (request) => request.authoredOn,
  }),
  ServiceRequest: linked({
    check: checkedBy<ServiceRequest>(schemas.ServiceRequest),
    list: 'serviceRequests',
    encounterOf: (request) => request.encounter?.reference,
    timeOf: (request) => request.authoredOn,
  }),
  /** Billing lines (draft Claims): the only FHIR R4 place for CPT/HCPCS modifiers. */
  Claim: linked({
    check: checkedBy<Claim>(schemas.Claim),
    list: 'claims',
    encounterOf: (claim) => claim.item?.flatMap((i) => i.encounter ?? [])[0]?.reference,
    timeOf: (claim) => claim.item?.[0]?.servicedDate ?? claim.billablePeriod?.start ?? claim.created,
  }),
  /** Billing lines as Oracle Health sends them (one code, its modifiers and diagnoses per ChargeItem). */
  ChargeItem: linked({
    check: checkedBy<ChargeItem>(schemas.ChargeItem),
    list: 'chargeItems',
    encounterOf: (item) => item.context?.reference,
    timeOf: (item) => item.occurrenceDateTime ?? item.occurrencePeriod?.start,
  }),
};

type ResourceTypes = typeof resourceTypes;

/** The resource types a snapshot holds. */
export type SnapshotResourceType = keyof ResourceTypes;

export type SnapshotResourceMap = {
  [K in SnapshotResourceType]: NonNullable<ReturnType<ResourceTypes[K]['check']>>;
};

export type SnapshotResource = SnapshotResourceMap[SnapshotResourceType];

/** The types linked to encounters (conditions, procedures, billing lines…). */
export type LinkedType = {
  [K in SnapshotResourceType]: ResourceTypes[K] extends { encounterOf: unknown } ? K : never;
}[SnapshotResourceType];

/** The types the snapshot keeps in lists: the linked ones and the encounters themselves. */
export type ListedType = {
  [K in SnapshotResourceType]: ResourceTypes[K] extends { list: string } ? K : never;
}[SnapshotResourceType];

/** The snapshot's name for the list of a type (`Condition` → `conditions`). */
export type ListName<K extends ListedType> = ResourceTypes[K] extends { list: infer L extends string } ? L : never;

/** The lists of the given types under their snapshot names, e.g. `{ conditions: readonly Condition[] }`. */
export type ListsByName<K extends ListedType> = {
  readonly [T in K as ListName<T>]: readonly SnapshotResourceMap[T][];
};

/** Every snapshot type's resources, by FHIR type. */
export type ListsByType = { readonly [K in SnapshotResourceType]: readonly SnapshotResourceMap[K][] };

const allTypes = Object.keys(resourceTypes) as SnapshotResourceType[];

/** The linked types, in table order. */
export const linkedTypes: readonly LinkedType[] = allTypes.filter(
  (type): type is LinkedType => 'encounterOf' in resourceTypes[type],
);

/** The listed types, in table order. */
export const listedTypes: readonly ListedType[] = allTypes.filter(
  (type): type is ListedType => 'list' in resourceTypes[type],
);

/**
 * The descriptor of a linked type, typed for that type's resources. TypeScript cannot tie a table entry to its key
 * when the key is a type parameter, hence the one cast here rather than one per type at every use.
 */
export function linkOf<K extends LinkedType>(type: K): LinkedDescriptor<SnapshotResourceMap[K], ListName<K>> {
  return resourceTypes[type] as unknown as LinkedDescriptor<SnapshotResourceMap[K], ListName<K>>;
}

/** The snapshot name of a listed type's list (`Condition` → `conditions`). */
export function listNameOf<K extends ListedType>(type: K): ListName<K> {
  return (resourceTypes[type] as unknown as { list: ListName<K> }).list;
}

/** An empty list per snapshot type, to be filled while indexing. */
export function emptyListsByType(): { [K in SnapshotResourceType]: SnapshotResourceMap[K][] } {
  return Object.fromEntries(allTypes.map((type) => [type, []])) as unknown as {
    [K in SnapshotResourceType]: SnapshotResourceMap[K][];
  };
}

export function isSnapshotResourceType(type: string): type is SnapshotResourceType {
  return Object.hasOwn(resourceTypes, type);
}

export type Checked =
  { readonly ok: true; readonly resource: SnapshotResource } | { readonly ok: false; readonly resourceType: string };

/**
 * Checks one untrusted value. Unknown types come back as not ok with their type name (or `unknown`), so callers can
 * count and skip them; they never throw.
 */
export function checkResource(value: unknown): Checked | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, resourceType: 'unknown' };
  }
  const type = (value as { resourceType?: unknown }).resourceType;
  if (typeof type !== 'string') {
    return { ok: false, resourceType: 'unknown' };
  }
  if (!isSnapshotResourceType(type)) {
    return undefined;
  }
  const resource = resourceTypes[type].check(value);
  return resource !== undefined ? { ok: true, resource } : { ok: false, resourceType: type };
}
