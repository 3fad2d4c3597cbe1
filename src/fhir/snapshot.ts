import type { Encounter, Medication, MedicationAdministration, MedicationRequest, Reference } from 'fhir/r4.js';
import { focusSnapshot } from './focus.js';
import { indexPatient } from './patient-index.js';
import type { LinkedType, ListsByName, SnapshotResource, SnapshotResourceType } from './resource-types.js';

/** The clinical and billing resources a rule reads, by list name (one list per linked type, resource-types.ts). */
export type ResourceLists = ListsByName<LinkedType>;

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

export interface SourcedResource {
  readonly resource: unknown;
  readonly fullUrl?: string | undefined;
}

export interface SnapshotBuildReport {
  readonly snapshot: PatientSnapshot;
  /** Resource types dropped because their shape was invalid, with counts (for metrics; no content). */
  readonly invalid: ReadonlyMap<string, number>;
}

/** Builds the snapshot for one call from untrusted inputs; never throws on bad resource shapes. */
export function buildSnapshot(input: SnapshotInput): SnapshotBuildReport {
  const index = indexPatient(input);
  return {
    snapshot: focusSnapshot(index, input.encounterId),
    invalid: index.invalid,
  };
}
