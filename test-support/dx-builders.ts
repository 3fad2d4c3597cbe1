import type {
  Claim,
  ClaimDiagnosis,
  ClaimItem,
  CodeableConcept,
  Condition,
  Encounter,
  EncounterDiagnosis,
  MedicationAdministration,
  Procedure,
  Reference,
  Resource,
} from 'fhir/r4.js';
import type { Finding, Rule } from '../src/rules/types.js';
import {
  anEncounter,
  anInfusion,
  ATC,
  CARBOPLATIN,
  concept,
  CPT,
  ENCOUNTER,
  HCPCS,
  ICD10,
  PATIENT,
  RXNORM,
  SNOMED,
} from './builders.js';
import { evaluateRule, onlyFinding as onlyFindingOfRule } from './rules.js';

/*
 * Builders for the DX-001..013 table tests: plain FHIR R4 objects for patient pat-1 around encounter enc-1, the
 * visit builders.ts's anEncounter() makes (2025-03-04, start only, in progress). Ids are fixed so evidence can be
 * asserted. The encounter's ICD-10-CM diagnoses can come from three places (src/rules/diagnoses.ts, most to least
 * authoritative): a draft Claim's diagnosis[] (ordered by sequence), Encounter.diagnosis[] (ordered by rank) and
 * Conditions linked to the encounter (no order). `coded()` writes the same list of codes in any of the three.
 */

export { ATC, CARBOPLATIN, concept, CPT, ENCOUNTER, HCPCS, ICD10, PATIENT, RXNORM, SNOMED };

export const ICD10_OID = 'urn:oid:2.16.840.1.113883.6.90';
const CONDITION_CATEGORY = 'http://terminology.hl7.org/CodeSystem/condition-category';
const US_CORE_CATEGORY = 'http://hl7.org/fhir/us/core/CodeSystem/condition-category';
const CLINICAL = 'http://terminology.hl7.org/CodeSystem/condition-clinical';
const VERIFICATION = 'http://terminology.hl7.org/CodeSystem/condition-ver-status';

/** The day of anEncounter() and anInfusion(), in the encounter's -05:00 offset. */
export const VISIT_DAY = '2025-03-04';
export const VISIT_TIME = `${VISIT_DAY}T10:00:00-05:00`;

// ---------------------------------------------------------------------------------------------------------------
// Drugs (RxNorm codes from terminology/medication-administration.json and oncology-coding.json)

export const PEMBROLIZUMAB = concept(RXNORM, '1547545', 'pembrolizumab');
export const NIVOLUMAB = concept(RXNORM, '1597876', 'nivolumab');
export const PACLITAXEL = concept(RXNORM, '56946', 'paclitaxel');
export const RITUXIMAB = concept(RXNORM, '121191', 'rituximab');
/** Letrozole-like oral endocrine therapy, ATC only (ATC L02BG04). */
export const LETROZOLE_ATC = concept(ATC, 'L02BG04', 'letrozole');
/** Fulvestrant as billed: HCPCS J9395 (a J9 chemotherapy-drug code) plus ATC L02BA03 (endocrine). */
export const FULVESTRANT: CodeableConcept = {
  coding: [
    { system: HCPCS, code: 'J9395', display: 'Injection, fulvestrant, 25 mg' },
    { system: ATC, code: 'L02BA03', display: 'fulvestrant' },
  ],
};

// ---------------------------------------------------------------------------------------------------------------
// Conditions

export type ConditionCategory = 'problem-list-item' | 'encounter-diagnosis' | 'health-concern';
export type ClinicalStatus = 'active' | 'recurrence' | 'relapse' | 'inactive' | 'remission' | 'resolved';

export interface ConditionOptions {
  /** Default ['encounter-diagnosis']; [] leaves category out (as Synthea sends it). */
  readonly categories?: readonly ConditionCategory[];
  /** Default 'active'; null leaves clinicalStatus out. */
  readonly clinicalStatus?: ClinicalStatus | null;
  readonly verificationStatus?: 'confirmed' | 'provisional' | 'refuted' | 'entered-in-error';
  readonly abatementDateTime?: string;
  readonly abatementPeriod?: { start?: string; end?: string };
  /** Default true: Condition.encounter points at enc-1. */
  readonly linked?: boolean;
  /** Default ICD10 (canonical URI). */
  readonly system?: string;
  readonly onsetDateTime?: string;
}

const categoryConcept = (category: ConditionCategory): CodeableConcept =>
  category === 'health-concern' ? concept(US_CORE_CATEGORY, 'health-concern') : concept(CONDITION_CATEGORY, category);

/** An ICD-10-CM Condition of pat-1, with category and clinical status; by default an active encounter diagnosis. */
export function aCondition(id: string, code: string, options: ConditionOptions = {}): Condition {
  const categories = options.categories ?? ['encounter-diagnosis'];
  const status = options.clinicalStatus === undefined ? 'active' : options.clinicalStatus;
  return {
    resourceType: 'Condition',
    id,
    subject: { reference: PATIENT },
    code: concept(options.system ?? ICD10, code),
    ...(categories.length > 0 ? { category: categories.map(categoryConcept) } : {}),
    ...(status !== null ? { clinicalStatus: concept(CLINICAL, status) } : {}),
    ...(options.verificationStatus !== undefined
      ? { verificationStatus: concept(VERIFICATION, options.verificationStatus) }
      : {}),
    ...((options.linked ?? true) ? { encounter: { reference: ENCOUNTER } } : {}),
    ...(options.onsetDateTime !== undefined ? { onsetDateTime: options.onsetDateTime } : {}),
    ...(options.abatementDateTime !== undefined ? { abatementDateTime: options.abatementDateTime } : {}),
    ...(options.abatementPeriod !== undefined ? { abatementPeriod: options.abatementPeriod } : {}),
  };
}

/** A problem-list entry (not linked to the encounter), active unless told otherwise. */
export function aProblem(id: string, code: string, options: ConditionOptions = {}): Condition {
  return aCondition(id, code, { categories: ['problem-list-item'], linked: false, ...options });
}

export const ref = (resource: { resourceType: string; id?: string | undefined }): Reference => ({
  reference: `${resource.resourceType}/${resource.id ?? ''}`,
});

// ---------------------------------------------------------------------------------------------------------------
// Encounter with ranked diagnoses

const BILLING_ROLE = concept('http://terminology.hl7.org/CodeSystem/diagnosis-role', 'billing');

/**
 * enc-1 with Encounter.diagnosis[] pointing at the given Conditions, ranked 1..n in the order given (a `null`
 * rank, given as [condition, null], leaves rank out).
 */
export function aRankedEncounter(
  diagnoses: readonly (Condition | readonly [Condition, number | null])[],
  overrides: Partial<Encounter> = {},
): Encounter {
  return anEncounter({
    diagnosis: diagnoses.map((entry, index): EncounterDiagnosis => {
      const [condition, rank] = Array.isArray(entry)
        ? (entry as readonly [Condition, number | null])
        : [entry as Condition, index + 1];
      return { condition: ref(condition), use: BILLING_ROLE, ...(rank !== null ? { rank } : {}) };
    }),
    ...overrides,
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Draft Claim

export interface ClaimOptions {
  readonly id?: string;
  /** ICD-10-CM codes (diagnosisCodeableConcept) or Conditions (diagnosisReference), sequenced 1..n. */
  readonly diagnoses?: readonly (string | Condition)[];
  /** CPT codes (or [system, code]) for item[].productOrService, sequenced 1..n. */
  readonly items?: readonly (string | readonly [string, string])[];
  readonly status?: Claim['status'];
  readonly system?: string;
}

/** A draft professional Claim for enc-1 with diagnosis[] (sequence) and item[] (productOrService, encounter). */
export function aDraftClaim(options: ClaimOptions = {}): Claim {
  const diagnosis = (options.diagnoses ?? []).map((d, index): ClaimDiagnosis =>
    typeof d === 'string'
      ? { sequence: index + 1, diagnosisCodeableConcept: concept(options.system ?? ICD10, d) }
      : { sequence: index + 1, diagnosisReference: ref(d) },
  );
  const item = (options.items ?? ['96413']).map((entry, index): ClaimItem => {
    const [system, code] = typeof entry === 'string' ? [CPT, entry] : entry;
    return {
      sequence: index + 1,
      productOrService: concept(system, code),
      servicedDate: VISIT_DAY,
      encounter: [{ reference: ENCOUNTER }],
    };
  });
  return {
    resourceType: 'Claim',
    id: options.id ?? 'claim-1',
    status: options.status ?? 'draft',
    type: concept('http://terminology.hl7.org/CodeSystem/claim-type', 'professional'),
    use: 'claim',
    patient: { reference: PATIENT },
    created: VISIT_DAY,
    provider: { reference: 'Practitioner/onc-7' },
    priority: concept('http://terminology.hl7.org/CodeSystem/processpriority', 'normal'),
    insurance: [{ sequence: 1, focal: true, coverage: { reference: 'Coverage/cov-1' } }],
    ...(diagnosis.length > 0 ? { diagnosis } : {}),
    ...(item.length > 0 ? { item } : {}),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Treatment given in the encounter

/** A completed IV administration of the drug in enc-1 on the visit day (builders.ts's anInfusion). */
export function aDrugGiven(
  id: string,
  drug: CodeableConcept = CARBOPLATIN,
  overrides: Partial<MedicationAdministration> = {},
): MedicationAdministration {
  return anInfusion({ id, medicationCodeableConcept: drug, ...overrides });
}

/** A completed Procedure of enc-1 on the visit day, coded CPT unless a system is given. */
export function aProcedure(
  id: string,
  code: string,
  overrides: Partial<Procedure> = {},
  system: string = CPT,
): Procedure {
  return {
    resourceType: 'Procedure',
    id,
    status: 'completed',
    code: concept(system, code),
    subject: { reference: PATIENT },
    encounter: { reference: ENCOUNTER },
    performedDateTime: VISIT_TIME,
    ...overrides,
  };
}

/** Radiation treatment delivery (CPT 77412) in enc-1, aimed at the given Conditions (reasonReference). */
export function aRadiationDelivery(
  id: string,
  reasons: readonly Condition[] = [],
  overrides: Partial<Procedure> = {},
): Procedure {
  return aProcedure(id, '77412', {
    ...(reasons.length > 0 ? { reasonReference: reasons.map(ref) } : {}),
    ...overrides,
  });
}

// ---------------------------------------------------------------------------------------------------------------
// The same diagnosis list in each of the three sources

export type DiagnosisSource = 'claim' | 'encounter' | 'linked';
export const RANKED_SOURCES: readonly DiagnosisSource[] = ['claim', 'encounter'];
export const ALL_SOURCES: readonly DiagnosisSource[] = ['claim', 'encounter', 'linked'];

export interface Coded {
  readonly resources: readonly Resource[];
  readonly encounter: Encounter;
  /** The evidence reference of each code, in the order given: Claim/claim-1, or Condition/dx-<n>. */
  readonly refs: readonly string[];
}

export interface CodedOptions {
  /** Coding.system written on every code (default ICD10). */
  readonly system?: string;
  readonly encounter?: Partial<Encounter>;
  /** item[] codes of the Claim when the source is 'claim' (default: none). */
  readonly claimItems?: readonly (string | readonly [string, string])[];
  readonly condition?: ConditionOptions;
  /** Further resources of the case (drugs, procedures, problem-list entries), appended after the diagnoses. */
  readonly also?: readonly Resource[];
}

/**
 * The codes, in order, as the encounter's diagnoses: 'claim' = a draft Claim's diagnosisCodeableConcept with
 * sequence 1..n; 'encounter' = Conditions dx-1..n referenced from Encounter.diagnosis with rank 1..n; 'linked' =
 * Conditions dx-1..n whose Condition.encounter is enc-1, no ranks anywhere.
 */
export function coded(source: DiagnosisSource, codes: readonly string[], options: CodedOptions = {}): Coded {
  const system = options.system ?? ICD10;
  if (source === 'claim') {
    return {
      resources: [aDraftClaim({ diagnoses: codes, system, items: options.claimItems ?? [] }), ...(options.also ?? [])],
      encounter: anEncounter(options.encounter),
      refs: codes.map(() => 'Claim/claim-1'),
    };
  }
  const conditions = codes.map((code, index) =>
    aCondition(`dx-${String(index + 1)}`, code, { system, ...options.condition }),
  );
  return {
    resources: [...conditions, ...(options.also ?? [])],
    encounter:
      source === 'encounter' ? aRankedEncounter(conditions, options.encounter) : anEncounter(options.encounter),
    refs: conditions.map((c) => `Condition/${c.id ?? ''}`),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Running a rule

export function run(rule: Rule, resources: readonly Resource[], encounter?: Encounter): readonly Finding[] {
  return evaluateRule(rule, resources, encounter !== undefined ? { encounter } : {});
}

/** Runs the rule and returns its single finding (fails the test unless there is exactly one). */
export function onlyFinding(rule: Rule, resources: readonly Resource[], encounter?: Encounter): Finding {
  return onlyFindingOfRule(rule, resources, encounter !== undefined ? { encounter } : {});
}

/** Resources around enc-1 with no encounter diagnoses from `coded()` (anEncounter() unless one is given). */
export function plain(resources: readonly Resource[], encounter: Encounter = anEncounter()): Coded {
  return { resources, encounter, refs: [] };
}

/** The evidence reference `coded(source, …)` gives the code at `position` (1-based). */
export const dxRef = (source: DiagnosisSource, position: number): string =>
  source === 'claim' ? 'Claim/claim-1' : `Condition/dx-${String(position)}`;

export const unique = (references: readonly string[]): string[] => [...new Set(references)];

/** A table row: a name and the case's resources and encounter. */
export interface DxCase extends Coded {
  readonly name: string;
}

/** A row that must fire, with the finding's expected content. */
export interface DxFiringCase extends DxCase {
  readonly variant?: string;
  readonly params: Readonly<Record<string, string>>;
  readonly evidence: readonly string[];
}
