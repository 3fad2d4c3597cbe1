import type {
  CodeableConcept,
  Condition,
  Encounter,
  Extension,
  MedicationAdministration,
  Procedure,
  Resource,
} from 'fhir/r4.js';
import { describe, expect, it } from 'vitest';
import { anEncounter, concept, ICD10, SNOMED } from '../../../test-support/builders.js';
import { aChargeItem, factsOf, ORACLE_PRIORITY, terminology } from '../../../test-support/facts.js';
import { aClaim } from '../../../test-support/inf-builders.js';
import { conditionFact } from '../../../src/facts/diagnoses.js';

/*
 * Shapes corpus, diagnoses (src/facts/diagnoses.ts). Vendor shapes from tests/fixtures/many-shapes/README.md
 * ("README"): Epic Conditions with encounter-diagnosis category and Condition.encounter, no rank; Oracle Health
 * ChargeItem reasons with a priority extension; US Core Encounter.diagnosis with rank and ICD-10-CM under the OID;
 * 837P claims with undotted codes.
 */

const ICD10_OID = 'urn:oid:2.16.840.1.113883.6.90';
const CLINICAL = 'http://terminology.hl7.org/CodeSystem/condition-clinical';
const VERIFICATION = 'http://terminology.hl7.org/CodeSystem/condition-ver-status';
const CATEGORY = 'http://terminology.hl7.org/CodeSystem/condition-category';
const US_CORE_CATEGORY = 'http://hl7.org/fhir/us/core/CodeSystem/condition-category';
const EPIC_CATEGORY = 'urn:oid:1.2.840.114350.1.13.0.1.7.10.698084.10040';

function aCondition(id: string, code: CodeableConcept, overrides: Partial<Condition> = {}): Condition {
  return {
    resourceType: 'Condition',
    id,
    subject: { reference: 'Patient/pat-1' },
    code,
    clinicalStatus: concept(CLINICAL, 'active'),
    ...overrides,
  };
}

describe('ICD-10-CM code, however it is written', () => {
  it.each<{ name: string; source: string; code: CodeableConcept; icd10: string | undefined }>([
    {
      name: 'dotted under the URI',
      source: 'US Core; README "idealized"',
      code: concept(ICD10, 'C50.912'),
      icd10: 'C50.912',
    },
    {
      name: 'undotted under the URI',
      source: 'README "claim837" (837P)',
      code: concept(ICD10, 'C50912'),
      icd10: 'C50.912',
    },
    {
      name: 'dotted under the OID',
      source: 'README "uscore" (C-CDA-derived)',
      code: concept(ICD10_OID, 'C50.912'),
      icd10: 'C50.912',
    },
    {
      name: 'undotted under the OID, lower case',
      source: 'C-CDA-derived',
      code: concept(ICD10_OID, 'c50912'),
      icd10: 'C50.912',
    },
    { name: 'three-character code', source: 'ICD-10-CM category', code: concept(ICD10, 'C61'), icd10: 'C61' },
    {
      name: 'SNOMED first, ICD-10-CM second',
      source: 'README "epic" / "cerner" (SNOMED + ICD-10-CM, any order)',
      code: {
        coding: [
          { system: SNOMED, code: '353431000119107' },
          { system: ICD10, code: 'C50.912' },
        ],
      },
      icd10: 'C50.912',
    },
    {
      name: 'a local (IMO) code first, ICD-10-CM second',
      source: 'README "epic" (Epic sends its own code beside the standard ones)',
      code: {
        coding: [
          { system: 'urn:oid:2.16.840.1.113883.3.247.1.1', code: '123' },
          { system: ICD10, code: 'C50.912' },
        ],
      },
      icd10: 'C50.912',
    },
    {
      name: 'Oracle per-tenant BillCodes-ICD system',
      source: 'README "cerner" (ChargeItem reason)',
      code: concept('https://fhir.cerner.com/ec2458f2-1e24-41c8-b71b-0e701af7583d/CodeSystem/BillCodes-ICD', 'C50.912'),
      icd10: 'C50.912',
    },
    { name: 'SNOMED only', source: 'README "synthea"', code: concept(SNOMED, '254637007'), icd10: undefined },
  ])('$name → $icd10 ($source)', ({ code, icd10 }) => {
    expect(conditionFact(aCondition('c', code), terminology).icd10).toBe(icd10);
  });
});

describe('condition status and category', () => {
  it.each<{
    name: string;
    source: string;
    status: CodeableConcept | undefined;
    clinical: string | undefined;
    active: boolean;
  }>([
    {
      name: 'coded in the HL7 system',
      source: 'US Core',
      status: concept(CLINICAL, 'active'),
      clinical: 'active',
      active: true,
    },
    {
      name: 'coded without a system',
      source: 'interfaces (diagnoses.ts header)',
      status: { coding: [{ code: 'Recurrence' }] },
      clinical: 'recurrence',
      active: true,
    },
    {
      name: 'coded in another system with a known code',
      source: 'local status list',
      status: { coding: [{ system: 'urn:local', code: 'relapse' }] },
      clinical: 'relapse',
      active: true,
    },
    {
      name: 'text only "Active"',
      source: 'interfaces (diagnoses.ts header)',
      status: { text: ' Active ' },
      clinical: 'active',
      active: true,
    },
    { name: 'resolved', source: 'US Core', status: concept(CLINICAL, 'resolved'), clinical: 'resolved', active: false },
    {
      name: 'remission',
      source: 'US Core',
      status: concept(CLINICAL, 'remission'),
      clinical: 'remission',
      active: false,
    },
    { name: 'inactive', source: 'US Core', status: concept(CLINICAL, 'inactive'), clinical: 'inactive', active: false },
    { name: 'absent', source: 'problem entries without status', status: undefined, clinical: undefined, active: false },
  ])('clinicalStatus $name → $clinical ($source)', ({ status, clinical, active }) => {
    const { clinicalStatus: _c, ...base } = aCondition('c', concept(ICD10, 'C50.912'));
    const fact = conditionFact({ ...base, ...(status !== undefined ? { clinicalStatus: status } : {}) }, terminology);
    expect(fact.clinicalStatus).toBe(clinical);
    expect(fact.active).toBe(active);
  });

  it.each([
    ['confirmed', concept(VERIFICATION, 'confirmed'), true],
    ['provisional', concept(VERIFICATION, 'provisional'), true],
    ['refuted', concept(VERIFICATION, 'refuted'), false],
    ['refuted as text', { text: 'Refuted' }, false],
    ['absent', undefined, true],
  ] as const)('verification %s → asserted %s', (_name, verificationStatus, asserted) => {
    const fact = conditionFact(
      aCondition('c', concept(ICD10, 'C50.912'), verificationStatus !== undefined ? { verificationStatus } : {}),
      terminology,
    );
    expect(fact.asserted).toBe(asserted);
  });

  it.each<{
    name: string;
    source: string;
    category: CodeableConcept[];
    problemList: boolean;
    encounterDiagnosis: boolean;
  }>([
    {
      name: 'HL7 problem-list-item',
      source: 'US Core; README "epic"',
      category: [concept(CATEGORY, 'problem-list-item')],
      problemList: true,
      encounterDiagnosis: false,
    },
    {
      name: 'US Core health-concern',
      source: 'README "uscore"',
      category: [concept(US_CORE_CATEGORY, 'health-concern')],
      problemList: true,
      encounterDiagnosis: false,
    },
    {
      name: 'HL7 encounter-diagnosis',
      source: 'US Core; README "epic"/"cerner"',
      category: [concept(CATEGORY, 'encounter-diagnosis')],
      problemList: false,
      encounterDiagnosis: true,
    },
    {
      name: 'encounter-diagnosis with Epic visit-diagnosis beside it',
      source: 'README "epic"',
      category: [concept(CATEGORY, 'encounter-diagnosis'), concept(EPIC_CATEGORY, 'visit-diagnosis')],
      problemList: false,
      encounterDiagnosis: true,
    },
    {
      name: 'text only "Problem List Item"',
      source: 'interfaces',
      category: [{ text: 'Problem List  Item' }],
      problemList: true,
      encounterDiagnosis: false,
    },
    {
      name: 'text only "Encounter Diagnosis"',
      source: 'interfaces',
      category: [{ text: ' Encounter Diagnosis ' }],
      problemList: false,
      encounterDiagnosis: true,
    },
    { name: 'none', source: 'README "synthea"', category: [], problemList: false, encounterDiagnosis: false },
  ])('category $name ($source)', ({ category, problemList, encounterDiagnosis }) => {
    const fact = conditionFact(aCondition('c', concept(ICD10, 'C50.912'), { category }), terminology);
    expect(fact.problemList).toBe(problemList);
    expect(fact.encounterDiagnosis).toBe(encounterDiagnosis);
  });
});

describe('prevalence', () => {
  const day = (d: string): number => Date.parse(`${d}T00:00:00Z`);
  it.each<{ name: string; overrides: Partial<Condition>; prevalence: { low: number; high: number } | undefined }>([
    {
      name: 'active, onset known: onset on',
      overrides: { onsetDateTime: '2024-11-02' },
      prevalence: { low: day('2024-11-02'), high: Number.POSITIVE_INFINITY },
    },
    {
      name: 'active, no onset: always',
      overrides: {},
      prevalence: { low: Number.NEGATIVE_INFINITY, high: Number.POSITIVE_INFINITY },
    },
    {
      name: 'active with abatement: onset to abatement',
      overrides: { onsetDateTime: '2024-11-02', abatementDateTime: '2025-01-10' },
      prevalence: { low: day('2024-11-02'), high: day('2025-01-11') - 1 },
    },
    {
      name: 'resolved with abatement: onset to abatement',
      overrides: {
        clinicalStatus: concept(CLINICAL, 'resolved'),
        onsetPeriod: { start: '2024-11' },
        abatementDateTime: '2025-01-10',
      },
      prevalence: { low: day('2024-11-01'), high: day('2025-01-11') - 1 },
    },
    {
      name: 'resolved without abatement: unknown',
      overrides: { clinicalStatus: concept(CLINICAL, 'resolved') },
      prevalence: undefined,
    },
  ])('$name', ({ overrides, prevalence }) => {
    expect(conditionFact(aCondition('c', concept(ICD10, 'C50.912'), overrides), terminology).prevalence).toEqual(
      prevalence,
    );
  });
});

const PRIMARY = 'C50.912';
const Z51 = 'Z51.11';
const PAIN = 'G89.3';

/** A Condition of enc-1 (Condition.encounter), as Epic and Oracle Health send encounter diagnoses. */
const diagnosisOf = (id: string, code: string, overrides: Partial<Condition> = {}): Condition =>
  aCondition(id, concept(ICD10, code), {
    encounter: { reference: 'Encounter/enc-1' },
    category: [concept(CATEGORY, 'encounter-diagnosis')],
    ...overrides,
  });

const claimWithDiagnoses = (
  entries: readonly (readonly [sequence: number, code: string])[],
  status: 'draft' | 'cancelled' = 'draft',
) => ({
  ...aClaim(['96413'], { status }),
  diagnosis: entries.map(([sequence, code]) => ({
    sequence,
    diagnosisCodeableConcept: concept(ICD10, code.replace('.', '')),
  })),
});

const ranked = (resources: readonly Resource[], encounter?: Encounter) =>
  factsOf(resources, encounter).diagnoses.diagnoses.map((d) => [d.code, d.rank, d.reference]);

describe("the encounter's diagnoses in billed order", () => {
  it('Claim.diagnosis given unordered is sorted by sequence (837P, undotted codes)', () => {
    const facts = factsOf([
      claimWithDiagnoses([
        [3, PAIN],
        [1, Z51],
        [2, PRIMARY],
      ]),
    ]);
    expect(facts.diagnoses.diagnoses.map((d) => [d.code, d.rank])).toEqual([
      [Z51, 1],
      [PRIMARY, 2],
      [PAIN, 3],
    ]);
    expect(facts.diagnoses.firstListed?.code).toBe(Z51);
  });

  it('Claim.diagnosis by reference to a Condition uses its ICD-10-CM code', () => {
    const claim = {
      ...aClaim(['96413']),
      diagnosis: [{ sequence: 1, diagnosisReference: { reference: 'Condition/dx-1' } }],
    };
    const facts = factsOf([claim, diagnosisOf('dx-1', PRIMARY)]);
    expect(facts.diagnoses.diagnoses.map((d) => [d.code, d.rank, d.reference, d.condition?.id])).toEqual([
      [PRIMARY, 1, 'Claim/claim-1', 'dx-1'],
    ]);
  });

  it('the Claim wins over Encounter.diagnosis and Conditions; a cancelled Claim is skipped', () => {
    const encounter = anEncounter({ diagnosis: [{ condition: { reference: 'Condition/dx-1' }, rank: 1 }] });
    const resources = [diagnosisOf('dx-1', PAIN), claimWithDiagnoses([[1, PRIMARY]])];
    expect(ranked(resources, encounter)).toEqual([[PRIMARY, 1, 'Claim/claim-1']]);
    const cancelled = [diagnosisOf('dx-1', PAIN), claimWithDiagnoses([[1, PRIMARY]], 'cancelled')];
    expect(ranked(cancelled, encounter)).toEqual([[PAIN, 1, 'Condition/dx-1']]);
  });

  it('a Claim with no ICD-10-CM diagnosis falls through to the next source', () => {
    const claim = {
      ...aClaim(['96413']),
      diagnosis: [{ sequence: 1, diagnosisCodeableConcept: concept(SNOMED, '254637007') }],
    };
    expect(ranked([claim, diagnosisOf('dx-1', PRIMARY)])).toEqual([[PRIMARY, undefined, 'Condition/dx-1']]);
  });

  it('Oracle ChargeItem reasons are ordered by priority (unordered input), the best priority of a repeated code kept', () => {
    const resources = [
      aChargeItem('96413', {
        id: 'c1',
        reasons: [
          [PAIN, 3],
          [PRIMARY, 2],
        ],
      }),
      aChargeItem('J9045', {
        id: 'c2',
        reasons: [
          [PRIMARY, 4],
          [Z51, 1],
          ['C79.51', undefined],
        ],
      }),
    ];
    expect(ranked(resources)).toEqual([
      [Z51, 1, 'ChargeItem/c2'],
      [PRIMARY, 2, 'ChargeItem/c1'],
      [PAIN, 3, 'ChargeItem/c1'],
      ['C79.51', undefined, 'ChargeItem/c2'],
    ]);
    expect(factsOf(resources).diagnoses.firstListed?.code).toBe(Z51);
  });

  it('a repeated ChargeItem reason with a worse priority does not replace the better one', () => {
    const resources = [
      aChargeItem('96413', { id: 'c1', reasons: [[PRIMARY, 1]] }),
      aChargeItem('J9045', { id: 'c2', reasons: [[PRIMARY, 2]] }),
    ];
    expect(ranked(resources)).toEqual([[PRIMARY, 1, 'ChargeItem/c1']]);
  });

  it('ChargeItem reason priority as valueInteger counts; a fractional or foreign-url priority is no rank', () => {
    const reason = (code: string, extension: Extension[]): CodeableConcept => ({
      coding: [{ system: ICD10, code }],
      extension,
    });
    const charge = {
      ...aChargeItem('96413', { id: 'c1' }),
      reason: [
        reason(PAIN, [{ url: ORACLE_PRIORITY, valueInteger: 2 }]),
        reason(Z51, [{ url: ORACLE_PRIORITY, valueInteger: 1 }]),
        reason(PRIMARY, [{ url: ORACLE_PRIORITY, valueDecimal: 0.5, valueInteger: 1.5 }]),
        reason('C79.51', [{ url: 'urn:other', valueUnsignedInt: 0 }]),
      ],
    };
    expect(ranked([charge])).toEqual([
      [Z51, 1, 'ChargeItem/c1'],
      [PAIN, 2, 'ChargeItem/c1'],
      [PRIMARY, undefined, 'ChargeItem/c1'],
      ['C79.51', undefined, 'ChargeItem/c1'],
    ]);
  });

  it('the same code at the same priority on two ChargeItems keeps the first', () => {
    const resources = [
      aChargeItem('96413', { id: 'c1', reasons: [[PRIMARY, 1]] }),
      aChargeItem('J9045', { id: 'c2', reasons: [[PRIMARY, 1]] }),
    ];
    expect(ranked(resources)).toEqual([[PRIMARY, 1, 'ChargeItem/c1']]);
  });

  it('an unranked ChargeItem reason is replaced by the same code ranked on another ChargeItem', () => {
    const resources = [
      aChargeItem('96413', { id: 'c1', reasons: [[PRIMARY, undefined]] }),
      aChargeItem('J9045', { id: 'c2', reasons: [[PRIMARY, 3]] }),
    ];
    expect(ranked(resources)).toEqual([[PRIMARY, 3, 'ChargeItem/c2']]);
  });

  it('ChargeItem reasons without ICD-10-CM are skipped; then Encounter.diagnosis decides', () => {
    const charge = { ...aChargeItem('96413', { id: 'c1' }), reason: [concept(SNOMED, '254637007')] };
    const encounter = anEncounter({ diagnosis: [{ condition: { reference: 'Condition/dx-1' }, rank: 1 }] });
    expect(ranked([charge, diagnosisOf('dx-1', PRIMARY)], encounter)).toEqual([[PRIMARY, 1, 'Condition/dx-1']]);
  });

  it('Encounter.diagnosis given unordered is sorted by rank (US Core / Epic)', () => {
    const encounter = anEncounter({
      diagnosis: [
        { condition: { reference: 'Condition/dx-3' }, rank: 3 },
        { condition: { reference: 'Condition/dx-1' }, rank: 1 },
        { condition: { reference: 'Condition/dx-2' }, rank: 2 },
        { condition: { reference: 'Condition/dx-n' } },
      ],
    });
    const resources = [
      diagnosisOf('dx-1', Z51),
      diagnosisOf('dx-2', PRIMARY),
      diagnosisOf('dx-3', PAIN),
      diagnosisOf('dx-n', 'C79.51'),
    ];
    expect(ranked(resources, encounter)).toEqual([
      [Z51, 1, 'Condition/dx-1'],
      [PRIMARY, 2, 'Condition/dx-2'],
      [PAIN, 3, 'Condition/dx-3'],
      ['C79.51', undefined, 'Condition/dx-n'],
    ]);
    expect(factsOf(resources, encounter).diagnoses.firstListed?.code).toBe(Z51);
  });

  it('Encounter.diagnosis skips refuted Conditions, SNOMED-only ones and references to other types', () => {
    const encounter = anEncounter({
      diagnosis: [
        { condition: { reference: 'Condition/refuted' }, rank: 1 },
        { condition: { reference: 'Condition/sct' }, rank: 2 },
        { condition: { reference: 'Procedure/p' }, rank: 3 },
        { condition: { reference: 'Condition/dx' }, rank: 4 },
      ],
    });
    const resources = [
      diagnosisOf('refuted', Z51, { verificationStatus: concept(VERIFICATION, 'refuted') }),
      aCondition('sct', concept(SNOMED, '254637007'), { encounter: { reference: 'Encounter/enc-1' } }),
      diagnosisOf('dx', PRIMARY),
    ];
    expect(ranked(resources, encounter)).toEqual([[PRIMARY, 4, 'Condition/dx']]);
  });

  it('Condition.encounter only (Epic): no order, so no first-listed diagnosis; refuted ones excluded', () => {
    const resources = [
      diagnosisOf('dx-1', PRIMARY),
      diagnosisOf('dx-2', Z51),
      diagnosisOf('dx-r', PAIN, { verificationStatus: concept(VERIFICATION, 'refuted') }),
      aCondition('dx-s', concept(SNOMED, '254637007'), { encounter: { reference: 'Encounter/enc-1' } }),
    ];
    const facts = factsOf(resources);
    expect(facts.diagnoses.diagnoses.map((d) => [d.code, d.rank])).toEqual([
      [PRIMARY, undefined],
      [Z51, undefined],
    ]);
    expect(facts.diagnoses.firstListed).toBeUndefined();
  });

  it('entered-in-error Conditions never reach the facts (snapshot)', () => {
    const resources = [diagnosisOf('dx-1', PRIMARY, { verificationStatus: concept(VERIFICATION, 'entered-in-error') })];
    expect(factsOf(resources).diagnoses.diagnoses).toEqual([]);
  });

  it('is / having / hasCode ask of the diagnoses by value set', () => {
    const coding = factsOf([
      claimWithDiagnoses([
        [1, Z51],
        [2, PRIMARY],
      ]),
    ]).diagnoses;
    expect(coding.having('icd10-primary-malignancy').map((d) => d.code)).toEqual([PRIMARY]);
    expect(coding.having('icd10-antineoplastic-therapy-encounter').map((d) => d.code)).toEqual([Z51]);
    expect(coding.hasCode(PRIMARY)).toBe(true);
    expect(coding.hasCode('C50912')).toBe(false);
    const [first] = coding.diagnoses;
    expect(first !== undefined && coding.is(first, 'icd10-antineoplastic-therapy-encounter')).toBe(true);
    expect(first !== undefined && coding.is(first, 'icd10-primary-malignancy')).toBe(false);
  });
});

describe('cancers at the visit and indications', () => {
  it('active asserted cancers prevalent during the visit, by CMS157 cancer value set', () => {
    const resources = [
      aCondition('active', concept(ICD10, PRIMARY)),
      aCondition('resolved', concept(ICD10, PRIMARY), {
        clinicalStatus: concept(CLINICAL, 'resolved'),
        abatementDateTime: '2024-01-01',
      }),
      aCondition('refuted', concept(ICD10, PRIMARY), { verificationStatus: concept(VERIFICATION, 'refuted') }),
      aCondition('later', concept(ICD10, PRIMARY), { onsetDateTime: '2025-04-01' }),
      aCondition('same-day', concept(ICD10, PRIMARY), { onsetDateTime: '2025-03-04T23:00:00-05:00' }),
      aCondition('pain', concept(ICD10, PAIN)),
    ];
    expect(factsOf(resources).cancersAtVisit.map((c) => c.reference)).toEqual([
      'Condition/active',
      'Condition/same-day',
    ]);
  });

  it('no visit window, no cancers at the visit', () => {
    const { period: _p, ...encounter } = anEncounter();
    expect(factsOf([aCondition('active', concept(ICD10, PRIMARY))], encounter).cancersAtVisit).toEqual([]);
  });

  it("indications are the Conditions the encounter's Procedures and administrations name as reasons", () => {
    const procedure: Procedure = {
      resourceType: 'Procedure',
      id: 'p',
      status: 'completed',
      subject: { reference: 'Patient/pat-1' },
      encounter: { reference: 'Encounter/enc-1' },
      code: concept('http://www.ama-assn.org/go/cpt', '96413'),
      reasonReference: [{ reference: 'Condition/dx' }, { reference: 'Observation/o' }],
    };
    const administration: MedicationAdministration = {
      resourceType: 'MedicationAdministration',
      id: 'ma',
      status: 'completed',
      subject: { reference: 'Patient/pat-1' },
      context: { reference: 'Encounter/enc-1' },
      medicationCodeableConcept: concept('http://www.nlm.nih.gov/research/umls/rxnorm', '40048'),
      effectiveDateTime: '2025-03-04T10:00:00-05:00',
      reasonReference: [{ reference: 'Condition/dx' }],
    };
    const resources: Resource[] = [aCondition('dx', concept(ICD10, 'C50912')), procedure, administration];
    expect(factsOf(resources).indicationsToday).toEqual([
      { from: 'Procedure/p', reference: 'Condition/dx', code: PRIMARY },
      { from: 'MedicationAdministration/ma', reference: 'Condition/dx', code: PRIMARY },
    ]);
  });
});
