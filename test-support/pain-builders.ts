import type {
  CarePlan,
  Claim,
  ClaimItem,
  CodeableConcept,
  Condition,
  Encounter,
  MedicationAdministration,
  MedicationRequest,
  Observation,
  Procedure,
  Resource,
  ServiceRequest,
} from 'fhir/r4.js';
import { expect } from 'vitest';
import type { Finding, Rule } from '../src/rules/types.js';
import type { RuleSettings } from '../src/config/rule-settings.js';
import { ATC, concept, CPT, ENCOUNTER, ICD10, PATIENT, RXNORM, SNOMED } from './builders.js';
import { evaluateRule } from './rules.js';

export { ATC, concept, CPT, ENCOUNTER, ICD10, PATIENT, RXNORM, SNOMED };

/*
 * Builders for the PAIN-001..007 table tests: plain FHIR R4 objects for patient pat-1 around one visit, encounter
 * enc-1 on 2025-05-14 (UTC, 14:00-15:00). Every other date is the visit day plus an explicit offset in days (`at`),
 * so a case reads as "chemo 10 days before" instead of a calendar date. Ids are fixed so evidence can be asserted.
 */

export const LOINC = 'http://loinc.org';
export const UCUM = 'http://unitsofmeasure.org';

export const ENCOUNTER_ID = 'enc-1';

/** The visit day, and the visit's period on it. */
export const VISIT_DAY = '2025-05-14';
export const VISIT_START = `${VISIT_DAY}T14:00:00Z`;
export const VISIT_END = `${VISIT_DAY}T15:00:00Z`;

const DAY_MS = 86_400_000;

/** The visit day shifted by `days` (negative = before), as a UTC dateTime at `time` (HH:MM). */
export function at(days: number, time = '10:00'): string {
  const day = new Date(Date.parse(`${VISIT_DAY}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
  return `${day}T${time}:00Z`;
}

/** The visit day shifted by `days`, date only. */
export function dayAt(days: number): string {
  return at(days).slice(0, 10);
}

/** A copy of the resource without its encounter link: it then joins enc-1 only when it happened on the visit day. */
export function unlinked<T extends { encounter?: unknown }>(resource: T): T {
  const copy = { ...resource };
  delete copy.encounter;
  return copy;
}

// ---------------------------------------------------------------------------------------------------------------
// Encounter

export const OFFICE_VISIT = concept(CPT, '99213', 'Office or other outpatient visit, established patient');

/** The visit being signed: enc-1, in progress, ambulatory, typed with the CPT visit code (as CMS157 data does). */
export function aVisit(overrides: Partial<Encounter> = {}): Encounter {
  return {
    resourceType: 'Encounter',
    id: ENCOUNTER_ID,
    status: 'in-progress',
    class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'AMB' },
    type: [OFFICE_VISIT],
    subject: { reference: PATIENT },
    period: { start: VISIT_START, end: VISIT_END },
    ...overrides,
  };
}

/** The visit typed with one CPT code (99213 office visit, 77427 RT management, 96413 infusion only...). */
export function aVisitTyped(code: string, overrides: Partial<Encounter> = {}): Encounter {
  return aVisit({ type: [concept(CPT, code)], ...overrides });
}

/** The visit with no Encounter.type at all. */
export function anUntypedVisit(overrides: Partial<Encounter> = {}): Encounter {
  const { type: _type, ...rest } = aVisit(overrides);
  return rest;
}

// ---------------------------------------------------------------------------------------------------------------
// Conditions

const clinical = (code: string): CodeableConcept =>
  concept('http://terminology.hl7.org/CodeSystem/condition-clinical', code);
const verification = (code: string): CodeableConcept =>
  concept('http://terminology.hl7.org/CodeSystem/condition-ver-status', code);

/** Active, confirmed breast cancer (ICD-10-CM C50.911) on the problem list since 2024-11-02: cancer-1. */
export function aCancer(overrides: Partial<Condition> = {}): Condition {
  return {
    resourceType: 'Condition',
    id: 'cancer-1',
    clinicalStatus: clinical('active'),
    verificationStatus: verification('confirmed'),
    category: [concept('http://terminology.hl7.org/CodeSystem/condition-category', 'problem-list-item')],
    code: concept(ICD10, 'C50.911', 'Malignant neoplasm of unspecified site of right female breast'),
    subject: { reference: PATIENT },
    onsetDateTime: '2024-11-02',
    ...overrides,
  };
}

/** A cancer coded only in SNOMED CT, as Synthea sends it (254637007 non-small cell lung cancer), no category. */
export function aSnomedCancer(overrides: Partial<Condition> = {}): Condition {
  const { category: _category, ...rest } = aCancer({
    id: 'cancer-sct',
    code: concept(SNOMED, '254637007', 'Non-small cell lung cancer (disorder)'),
    ...overrides,
  });
  return rest;
}

export const conditionStatus = { clinical, verification };

/** Neoplasm related pain (G89.3), the Condition a pain care plan addresses: pain-dx. */
export function aPainCondition(overrides: Partial<Condition> = {}): Condition {
  return aCancer({
    id: 'pain-dx',
    code: concept(ICD10, 'G89.3', 'Neoplasm related pain (acute) (chronic)'),
    onsetDateTime: dayAt(-20),
    ...overrides,
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Chemotherapy

export const CHEMO_CPT = concept(CPT, '96413', 'Chemotherapy administration, intravenous infusion; up to 1 hour');
export const CHEMO_SNOMED = concept(SNOMED, '703423002', 'Combined chemotherapy and radiation therapy (procedure)');

/** A completed chemotherapy administration Procedure (CPT 96413) `days` from the visit day, no encounter link: chemo-1. */
export function aChemo(days: number, overrides: Partial<Procedure> = {}): Procedure {
  return {
    resourceType: 'Procedure',
    id: 'chemo-1',
    status: 'completed',
    code: CHEMO_CPT,
    subject: { reference: PATIENT },
    performedDateTime: at(days, '10:00'),
    ...overrides,
  };
}

export const CARBOPLATIN = concept(RXNORM, '40048', 'carboplatin');

/** An active order for an antineoplastic (carboplatin): planned chemotherapy at signing. */
export function aChemoOrder(overrides: Partial<MedicationRequest> = {}): MedicationRequest {
  return {
    resourceType: 'MedicationRequest',
    id: 'chemo-order',
    status: 'active',
    intent: 'order',
    medicationCodeableConcept: CARBOPLATIN,
    subject: { reference: PATIENT },
    authoredOn: at(-10, '09:00'),
    encounter: { reference: 'Encounter/enc-0' },
    ...overrides,
  };
}

/** A completed IV carboplatin administration `days` from the visit day (chemotherapy given, from the MAR). */
export function aChemoAdministration(days: number, overrides: Partial<MedicationAdministration> = {}) {
  const administration: MedicationAdministration = {
    resourceType: 'MedicationAdministration',
    id: 'ma-carbo',
    status: 'completed',
    medicationCodeableConcept: CARBOPLATIN,
    subject: { reference: PATIENT },
    effectivePeriod: { start: at(days, '10:00'), end: at(days, '10:45') },
    ...overrides,
  };
  return administration;
}

/** The usual chemo-visit background: active cancer-1 and chemo-1 ten days before the visit ("likely" eligible). */
export function onChemo(): Resource[] {
  return [aCancer(), aChemo(-10)];
}

// ---------------------------------------------------------------------------------------------------------------
// Pain scores

export const NRS = concept(LOINC, '72514-3', 'Pain severity - 0-10 verbal numeric rating [Score] - Reported');
export const PAIN_SEVERITY_CODED = concept(LOINC, '38208-5', 'Pain severity - Reported');
export const BPI_INTERFERENCE = concept(LOINC, '77565-0', 'Brief Pain Inventory - interference');

/** A final 0-10 pain score (LOINC 72514-3) of this encounter, taken at 14:10 on the visit day: pain-1. */
export function aPainScore(value: number, overrides: Partial<Observation> = {}): Observation {
  return {
    resourceType: 'Observation',
    id: 'pain-1',
    status: 'final',
    code: NRS,
    subject: { reference: PATIENT },
    encounter: { reference: ENCOUNTER },
    effectiveDateTime: at(0, '14:10'),
    valueQuantity: { value, unit: '{score}', system: UCUM, code: '{score}' },
    ...overrides,
  };
}

/** A pain score without the encounter link, taken `days` from the visit day (other visits, other days). */
export function aPainScoreOn(days: number, value: number, overrides: Partial<Observation> = {}): Observation {
  const { encounter: _encounter, ...rest } = aPainScore(value, { effectiveDateTime: at(days, '14:10'), ...overrides });
  return rest;
}

/** A 0-10 score sent as valueInteger instead of valueQuantity. */
export function anIntegerPainScore(value: number, overrides: Partial<Observation> = {}): Observation {
  const { valueQuantity: _value, ...rest } = aPainScore(0, { valueInteger: value, ...overrides });
  return rest;
}

/** An intensity score with no value[x] at all (the assessment was opened, nothing recorded). */
export function aPainScoreWithoutValue(overrides: Partial<Observation> = {}): Observation {
  const { valueQuantity: _value, ...rest } = aPainScore(0, overrides);
  return rest;
}

/** A coded pain severity answer (LOINC 38208-5) with only a text: 'None', 'Severe'. */
export function aCodedPainScore(text: string, overrides: Partial<Observation> = {}): Observation {
  const { valueQuantity: _value, ...rest } = aPainScore(0, {
    code: PAIN_SEVERITY_CODED,
    valueCodeableConcept: { text },
    ...overrides,
  });
  return rest;
}

/** A BPI pain interference score (77565-0): a CMS157 pain assessment that never says whether pain is present. */
export function anInterferenceScore(value: number, overrides: Partial<Observation> = {}): Observation {
  return aPainScore(value, { id: 'bpi-1', code: BPI_INTERFERENCE, ...overrides });
}

// ---------------------------------------------------------------------------------------------------------------
// Pain plan evidence

/** An active care plan of this encounter, created on the visit day; give it `addresses` or an `activity`. */
export function aCarePlan(overrides: Partial<CarePlan> = {}): CarePlan {
  return {
    resourceType: 'CarePlan',
    id: 'plan-1',
    status: 'active',
    intent: 'plan',
    category: [concept('http://hl7.org/fhir/us/core/CodeSystem/careplan-category', 'assess-plan')],
    subject: { reference: PATIENT },
    encounter: { reference: ENCOUNTER },
    created: at(0, '14:30'),
    ...overrides,
  };
}

export const OXYCODONE = concept(RXNORM, '7804', 'oxycodone');
export const OXYCODONE_ATC = concept(ATC, 'N02AA05', 'oxycodone');

/** An analgesic order (default oxycodone, RxNorm 7804) authored in this encounter: rx-1. */
export function anAnalgesicOrder(overrides: Partial<MedicationRequest> = {}): MedicationRequest {
  return {
    resourceType: 'MedicationRequest',
    id: 'rx-1',
    status: 'active',
    intent: 'order',
    medicationCodeableConcept: OXYCODONE,
    subject: { reference: PATIENT },
    encounter: { reference: ENCOUNTER },
    authoredOn: at(0, '14:40'),
    ...overrides,
  };
}

export const PALLIATIVE_REFERRAL = concept(SNOMED, '306237005', 'Referral to palliative care service');

/** A referral authored in this encounter (default: palliative care, SNOMED 306237005): sr-1. */
export function aReferral(overrides: Partial<ServiceRequest> = {}): ServiceRequest {
  return {
    resourceType: 'ServiceRequest',
    id: 'sr-1',
    status: 'active',
    intent: 'order',
    code: PALLIATIVE_REFERRAL,
    subject: { reference: PATIENT },
    encounter: { reference: ENCOUNTER },
    authoredOn: at(0, '14:45'),
    ...overrides,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Category II codes: as Procedures, or as lines of a draft Claim

/** A completed Procedure of this encounter coded with one CPT code ('0521F', or written '0521F-8P'): cat2-<code>. */
export function aCodedProcedure(code: string, overrides: Partial<Procedure> = {}): Procedure {
  return {
    resourceType: 'Procedure',
    id: `cat2-${code}`,
    status: 'completed',
    code: concept(CPT, code),
    subject: { reference: PATIENT },
    encounter: { reference: ENCOUNTER },
    performedDateTime: VISIT_START,
    ...overrides,
  };
}

export interface ClaimLine {
  readonly code: string;
  readonly modifiers?: readonly string[];
  readonly system?: string;
}

/** A draft professional Claim of this encounter (claim-1), one item per line, sequences 1..n. */
export function aDraftClaim(lines: readonly ClaimLine[], overrides: Partial<Claim> = {}): Claim {
  const item: ClaimItem[] = lines.map((line, index) => ({
    sequence: index + 1,
    productOrService: concept(line.system ?? CPT, line.code),
    ...(line.modifiers !== undefined && line.modifiers.length > 0
      ? { modifier: line.modifiers.map((m) => concept(CPT, m)) }
      : {}),
    quantity: { value: 1 },
    servicedDate: VISIT_DAY,
    encounter: [{ reference: ENCOUNTER }],
  }));
  return {
    resourceType: 'Claim',
    id: 'claim-1',
    status: 'draft',
    type: concept('http://terminology.hl7.org/CodeSystem/claim-type', 'professional'),
    use: 'claim',
    patient: { reference: PATIENT },
    created: VISIT_END,
    provider: { reference: 'Practitioner/onc-7' },
    priority: concept('http://terminology.hl7.org/CodeSystem/processpriority', 'normal'),
    insurance: [{ sequence: 1, focal: true, coverage: { reference: 'Coverage/cov-1' } }],
    item,
    ...overrides,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Running and asserting

export interface RunOptions {
  readonly encounter?: Encounter;
  readonly settings?: Partial<RuleSettings>;
}

/** Evaluates one rule on the resources around aVisit() (or the given encounter). */
export function run(rule: Rule, resources: readonly Resource[], options: RunOptions = {}): readonly Finding[] {
  return evaluateRule(rule, resources, { encounter: options.encounter ?? aVisit(), settings: options.settings });
}

/** The one finding the rule must give, failing the test when it gives none or several. */
export function onlyFinding(findings: readonly Finding[]): Finding {
  expect(findings).toHaveLength(1);
  return findings[0] as Finding;
}

/**
 * Asserts the finding's suggestion: exactly one `create` of a completed Procedure coded CPT `code` for pat-1 on the
 * encounter, performed at the visit start, citing the pain score as its reason.
 */
export function expectCategoryIiCreate(
  finding: Finding,
  code: string,
  reason: string,
  encounterId: string = ENCOUNTER_ID,
  performed: string = VISIT_START,
): void {
  expect(finding.actions).toHaveLength(1);
  const action = finding.actions?.[0];
  expect(action?.type).toBe('create');
  const resource = action?.resource as Procedure;
  expect(resource.resourceType).toBe('Procedure');
  expect(resource.status).toBe('completed');
  expect(resource.code?.coding).toEqual([expect.objectContaining({ system: CPT, code })]);
  expect(resource.subject).toEqual({ reference: PATIENT });
  expect(resource.encounter).toEqual({ reference: `Encounter/${encounterId}` });
  expect(resource.performedDateTime).toBe(performed);
  expect(resource.reasonReference).toEqual([{ reference: reason }]);
}

// ---------------------------------------------------------------------------------------------------------------
// The kinds of pain-plan evidence PAIN-003 accepts (and PAIN-004 codes), each documented in enc-1

export interface PlanEvidenceCase {
  readonly name: string;
  readonly resources: readonly Resource[];
  /** The references the rule must cite as the plan. */
  readonly evidence: readonly string[];
}

export const REFERRAL = concept(SNOMED, '3457005', 'Patient referral');

export function planEvidenceKinds(): PlanEvidenceCase[] {
  return [
    {
      name: 'CarePlan addressing a G89.3 neoplasm-related-pain Condition',
      resources: [aPainCondition(), aCarePlan({ addresses: [{ reference: 'Condition/pain-dx' }] })],
      evidence: ['CarePlan/plan-1'],
    },
    {
      name: 'CarePlan with activity.detail.code SNOMED 408957008 (chronic pain control management)',
      resources: [
        aCarePlan({
          activity: [{ detail: { status: 'scheduled', code: concept(SNOMED, '408957008', 'Chronic pain control') } }],
        }),
      ],
      evidence: ['CarePlan/plan-1'],
    },
    {
      name: 'CarePlan without an encounter link, created on the visit day, addressing G89.3',
      resources: [aPainCondition(), unlinked(aCarePlan({ addresses: [{ reference: 'Condition/pain-dx' }] }))],
      evidence: ['CarePlan/plan-1'],
    },
    {
      name: 'analgesic order, RxNorm 7804 oxycodone',
      resources: [anAnalgesicOrder()],
      evidence: ['MedicationRequest/rx-1'],
    },
    {
      name: 'analgesic order, ATC N02AA05 oxycodone',
      resources: [anAnalgesicOrder({ medicationCodeableConcept: OXYCODONE_ATC })],
      evidence: ['MedicationRequest/rx-1'],
    },
    {
      name: 'analgesic order without an encounter link, authored on the visit day',
      resources: [unlinked(anAnalgesicOrder())],
      evidence: ['MedicationRequest/rx-1'],
    },
    {
      name: 'ServiceRequest SNOMED 306237005 palliative care referral',
      resources: [aReferral()],
      evidence: ['ServiceRequest/sr-1'],
    },
    {
      name: 'ServiceRequest (generic referral) with reasonCode G89.3',
      resources: [aReferral({ code: REFERRAL, reasonCode: [concept(ICD10, 'G89.3')] })],
      evidence: ['ServiceRequest/sr-1'],
    },
    {
      name: 'ServiceRequest (generic referral) with reasonReference to the G89.3 Condition',
      resources: [
        aPainCondition(),
        aReferral({ code: REFERRAL, reasonReference: [{ reference: 'Condition/pain-dx' }] }),
      ],
      evidence: ['ServiceRequest/sr-1'],
    },
    {
      name: 'Procedure SNOMED 278414003 pain management in this encounter',
      resources: [
        aCodedProcedure('278414003', { id: 'pain-mgmt', code: concept(SNOMED, '278414003', 'Pain management') }),
      ],
      evidence: ['Procedure/pain-mgmt'],
    },
  ];
}

/** Plan evidence that belongs to ANOTHER visit (enc-0, or unlinked on another day): it does not count here. */
export function planEvidenceElsewhere(): { name: string; resources: readonly Resource[] }[] {
  return [
    {
      name: 'analgesic order of another encounter (enc-0, 20 days before)',
      resources: [anAnalgesicOrder({ encounter: { reference: 'Encounter/enc-0' }, authoredOn: at(-20) })],
    },
    {
      name: 'pain CarePlan of another encounter (enc-0)',
      resources: [
        aPainCondition(),
        aCarePlan({
          encounter: { reference: 'Encounter/enc-0' },
          created: at(-20),
          addresses: [{ reference: 'Condition/pain-dx' }],
        }),
      ],
    },
    {
      name: 'pain CarePlan without an encounter link created 20 days before',
      resources: [
        aPainCondition(),
        unlinked(aCarePlan({ created: at(-20), addresses: [{ reference: 'Condition/pain-dx' }] })),
      ],
    },
    {
      name: 'palliative referral without an encounter link authored 3 days before',
      resources: [unlinked(aReferral({ authoredOn: at(-3) }))],
    },
    {
      name: '0521F Procedure of another encounter (enc-0)',
      resources: [
        aCodedProcedure('0521F', { encounter: { reference: 'Encounter/enc-0' }, performedDateTime: at(-20) }),
      ],
    },
  ];
}

/** Things in this encounter that look like a plan but are not one. */
export function notPlanEvidence(): { name: string; resources: readonly Resource[] }[] {
  const addressesPain = { addresses: [{ reference: 'Condition/pain-dx' }] };
  return [
    {
      name: 'pain CarePlan revoked',
      resources: [aPainCondition(), aCarePlan({ status: 'revoked', ...addressesPain })],
    },
    {
      name: 'CarePlan addressing only the cancer',
      resources: [aCarePlan({ addresses: [{ reference: 'Condition/cancer-1' }] })],
    },
    { name: 'oxycodone order cancelled', resources: [anAnalgesicOrder({ status: 'cancelled' })] },
    {
      name: 'order for a non-analgesic (ondansetron, RxNorm 26225)',
      resources: [anAnalgesicOrder({ medicationCodeableConcept: concept(RXNORM, '26225', 'ondansetron') })],
    },
    { name: 'palliative referral revoked', resources: [aReferral({ status: 'revoked' })] },
    { name: 'generic referral without a pain reason', resources: [aReferral({ code: REFERRAL })] },
    {
      name: 'draft Claim line 0521F with modifier 8P (plan NOT documented)',
      resources: [aDraftClaim([{ code: '99213' }, { code: '0521F', modifiers: ['8P'] }])],
    },
  ];
}
