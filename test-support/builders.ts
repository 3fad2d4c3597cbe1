import { randomUUID } from 'node:crypto';
import type { Bundle, CodeableConcept, Encounter, FhirResource, MedicationAdministration, Procedure } from 'fhir/r4.js';
import type { FeedbackRecord } from '../src/store/store.js';

/** Small builders for hand-made cases; real-data cases read ../shared/fixtures/external instead. */

export const RXNORM = 'http://www.nlm.nih.gov/research/umls/rxnorm';
export const SNOMED = 'http://snomed.info/sct';
export const ICD10 = 'http://hl7.org/fhir/sid/icd-10-cm';
export const CPT = 'http://www.ama-assn.org/go/cpt';
export const HCPCS = 'http://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets';
export const ATC = 'http://www.whocc.no/atc';

/** The patient and encounter every hand-made case is about. */
export const PATIENT = 'Patient/pat-1';
export const ENCOUNTER = 'Encounter/enc-1';

export const concept = (system: string, code: string, display?: string): CodeableConcept => ({
  coding: [{ system, code, ...(display !== undefined ? { display } : {}) }],
});
export const IV_ROUTE = { coding: [{ system: SNOMED, code: '47625008', display: 'Intravenous route' }] };
export const CARBOPLATIN = { coding: [{ system: RXNORM, code: '40048', display: 'carboplatin' }] };

export function anEncounter(overrides: Partial<Encounter> = {}): Encounter {
  return {
    resourceType: 'Encounter',
    id: 'enc-1',
    status: 'in-progress',
    class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'AMB' },
    subject: { reference: 'Patient/pat-1' },
    period: { start: '2025-03-04T09:00:00-05:00' },
    ...overrides,
  };
}

export function anInfusion(overrides: Partial<MedicationAdministration> = {}): MedicationAdministration {
  return {
    resourceType: 'MedicationAdministration',
    id: 'ma-1',
    status: 'completed',
    medicationCodeableConcept: CARBOPLATIN,
    subject: { reference: 'Patient/pat-1' },
    context: { reference: 'Encounter/enc-1' },
    effectivePeriod: { start: '2025-03-04T10:00:00-05:00', end: '2025-03-04T10:45:00-05:00' },
    dosage: {
      route: IV_ROUTE,
      dose: { value: 450, unit: 'mg', system: 'http://unitsofmeasure.org', code: 'mg' },
      rateQuantity: { value: 250, unit: 'mL/h', system: 'http://unitsofmeasure.org', code: 'mL/h' },
    },
    ...overrides,
  };
}

export function searchset(resources: readonly FhirResource[]): Bundle {
  return {
    resourceType: 'Bundle',
    type: 'searchset',
    ...(resources.length > 0 ? { entry: resources.map((resource) => ({ resource })) } : {}),
  };
}

/** The chemotherapy administration code documented for the default infusion (so the record is complete). */
export function anAdministrationCode(code = '96413', encounterId = 'enc-1'): Procedure {
  return {
    resourceType: 'Procedure',
    id: `admin-code-${code}`,
    status: 'completed',
    subject: { reference: 'Patient/pat-1' },
    encounter: { reference: `Encounter/${encounterId}` },
    code: { coding: [{ system: 'http://www.ama-assn.org/go/cpt', code }] },
  };
}

/**
 * A complete encounter-sign request with every required prefetch key filled; the encounter's procedures hold the
 * administration code 96413, so a complete infusion of up to 90 minutes leaves nothing to say.
 */
export function encounterSignRequest(
  options: {
    encounter?: Encounter;
    administrations?: readonly MedicationAdministration[];
    prefetch?: Record<string, unknown>;
    context?: Record<string, unknown>;
    extra?: Record<string, unknown>;
  } = {},
): Record<string, unknown> {
  const encounter = options.encounter ?? anEncounter();
  return {
    hook: 'encounter-sign',
    hookInstance: 'd1577c69-dfbe-44ad-ba6d-3e05e953b2ea',
    context: { userId: 'Practitioner/onc-7', patientId: 'pat-1', encounterId: encounter.id, ...options.context },
    prefetch: {
      encounter,
      conditions: searchset([]),
      procedures: searchset([anAdministrationCode('96413', encounter.id)]),
      medicationAdministrations: searchset(options.administrations ?? []),
      ...options.prefetch,
    },
    ...options.extra,
  };
}

export const OVERRIDE_REASON_SYSTEM = 'urn:oncosign:override-reason';

/** A valid CDS Hooks feedback item: an override with a coded reason, or an acceptance naming one suggestion. */
export function aFeedbackItem(card: string = randomUUID(), outcome: 'accepted' | 'overridden' = 'overridden') {
  return {
    card,
    outcome,
    ...(outcome === 'accepted'
      ? { acceptedSuggestions: [{ id: 'add-0521f' }] }
      : { overrideReason: { reason: { system: OVERRIDE_REASON_SYSTEM, code: 'rule-not-applicable' } } }),
    outcomeTimestamp: new Date().toISOString(),
  };
}

/** A feedback record as the store keeps it, every optional field set (and text beyond ASCII). */
export function aFeedbackRecord(overrides: Partial<FeedbackRecord> = {}): FeedbackRecord {
  return {
    serviceId: 'oncology-encounter-sign',
    cardUuid: randomUUID(),
    outcome: 'overridden',
    acceptedSuggestions: [],
    overrideReason: { system: OVERRIDE_REASON_SYSTEM, code: 'rule-not-applicable', display: 'Not applicable' },
    userComment: 'patient declined: "see note" — ünïcode',
    outcomeTimestamp: '2026-11-22T09:15:00-05:00',
    receivedAt: '2026-11-22T14:15:00.123Z',
    issuer: 'https://ehr.example.org',
    tenant: 'clinic-7',
    ...overrides,
  };
}
