import { describe, expect, it } from 'vitest';
import { dx013CancerNotOnProblemList } from '../../../src/rules/diagnosis/dx-013-cancer-not-on-problem-list.js';
import {
  aCondition,
  aDrugGiven,
  aProblem,
  aProcedure,
  aRadiationDelivery,
  type DxCase,
  type DxFiringCase,
  ICD10_OID,
  plain,
  run,
  SNOMED,
  unique,
} from '../../../test-support/dx-builders.js';

/*
 * DX-013 (cancer only on the encounter, not on the problem list), rule in isolation on hand-made resources around
 * enc-1 (2025-03-04). Per the rule's header and oncology-rules.md DX-013: fires at an active-therapy visit (treatment
 * today, or chemotherapy in the CMS157 window around the visit) when every active cancer Condition is categorised
 * encounter-diagnosis only. Silent when any cancer is on the problem list (problem-list-item or health-concern), for
 * Conditions without any category (Synthea's: problem-list status unknown, not absent), and without therapy.
 * Reads Conditions from the whole record (not the encounter's diagnosis list), so Encounter.diagnosis / Claim
 * ordering does not matter here.
 *
 * Evidence is compared as a set here; that each resource is listed once is asserted separately below.
 */

/** An active cancer recorded only as an encounter diagnosis. */
const encounterOnly = (id: string, code = 'C50.911') => aCondition(id, code);
const MA = 'MedicationAdministration/ma-1';
const carboplatin = aDrugGiven('ma-1');
/** Carboplatin given at an earlier encounter, `daysBefore` days before the visit. */
const earlierChemo = (daysBefore: number) => {
  const day = new Date(Date.parse('2025-03-04T15:00:00Z') - daysBefore * 86_400_000).toISOString();
  return aDrugGiven('ma-prev', undefined, {
    context: { reference: 'Encounter/enc-0' },
    effectivePeriod: { start: day, end: day },
  });
};

const fires: readonly DxFiringCase[] = [
  {
    name: 'active C50.911 only as encounter-diagnosis, carboplatin today',
    ...plain([encounterOnly('ca-1'), carboplatin]),
    params: {},
    evidence: ['Condition/ca-1', MA],
  },
  {
    name: 'two encounter-diagnosis cancers (C50.911, C79.51), carboplatin today',
    ...plain([encounterOnly('ca-1'), encounterOnly('ca-2', 'C79.51'), carboplatin]),
    params: {},
    evidence: ['Condition/ca-1', 'Condition/ca-2', MA],
  },
  {
    name: 'radiation delivery 77412 today',
    ...plain([encounterOnly('ca-1'), aRadiationDelivery('rt-1')]),
    params: {},
    evidence: ['Condition/ca-1', 'Procedure/rt-1'],
  },
  {
    name: 'chemotherapy administration 96413 today, no drug documented',
    ...plain([encounterOnly('ca-1'), aProcedure('chemo-1', '96413')]),
    params: {},
    evidence: ['Condition/ca-1', 'Procedure/chemo-1'],
  },
  {
    name: 'no treatment today, carboplatin 10 days before (CMS157 look-back)',
    ...plain([encounterOnly('ca-1'), earlierChemo(10)]),
    params: {},
    evidence: ['Condition/ca-1', 'MedicationAdministration/ma-prev'],
  },
  {
    name: 'the encounter-diagnosis cancer is not linked to this encounter (earlier visit)',
    ...plain([aCondition('ca-1', 'C50.911', { linked: false }), carboplatin]),
    params: {},
    evidence: ['Condition/ca-1', MA],
  },
  {
    name: 'cancer coded C50911 undotted with the OID alias',
    ...plain([aCondition('ca-1', 'C50911', { system: ICD10_OID }), carboplatin]),
    params: {},
    evidence: ['Condition/ca-1', MA],
  },
  {
    name: 'cancer coded in SNOMED only (254837009 malignant neoplasm of breast, CMS157 Cancer)',
    ...plain([aCondition('ca-1', '254837009', { system: SNOMED }), carboplatin]),
    params: {},
    evidence: ['Condition/ca-1', MA],
  },
  {
    name: 'a resolved problem-list cancer does not count (only active cancers are compared)',
    ...plain([
      encounterOnly('ca-1'),
      aProblem('pl-1', 'C18.7', { clinicalStatus: 'resolved', abatementDateTime: '2020-01-01' }),
      carboplatin,
    ]),
    params: {},
    evidence: ['Condition/ca-1', MA],
  },
];

const silent: readonly DxCase[] = [
  {
    name: 'another active cancer is on the problem list',
    ...plain([encounterOnly('ca-1'), aProblem('pl-1', 'C79.51'), carboplatin]),
  },
  {
    name: 'the cancer carries both categories (encounter-diagnosis and problem-list-item)',
    ...plain([
      aCondition('ca-1', 'C50.911', { categories: ['encounter-diagnosis', 'problem-list-item'] }),
      carboplatin,
    ]),
  },
  {
    name: 'the cancer is a US Core health-concern',
    ...plain([aProblem('pl-1', 'C50.911', { categories: ['health-concern'] }), carboplatin]),
  },
  {
    name: 'Conditions without any category (as Synthea sends them)',
    ...plain([aCondition('ca-1', 'C50.911', { categories: [] }), carboplatin]),
  },
  {
    name: 'one encounter-diagnosis cancer and one without category',
    ...plain([encounterOnly('ca-1'), aCondition('ca-2', 'C79.51', { categories: [] }), carboplatin]),
  },
  { name: 'no therapy today or in the look-back', ...plain([encounterOnly('ca-1')]) },
  {
    name: 'carboplatin 45 days before only (outside the look-back)',
    ...plain([encounterOnly('ca-1'), earlierChemo(45)]),
  },
  {
    name: 'carboplatin not given (not-done)',
    ...plain([encounterOnly('ca-1'), aDrugGiven('ma-1', undefined, { status: 'not-done' })]),
  },
  {
    name: 'the encounter-diagnosis cancer is resolved',
    ...plain([
      aCondition('ca-1', 'C50.911', { clinicalStatus: 'resolved', abatementDateTime: '2024-11-01' }),
      carboplatin,
    ]),
  },
  {
    name: 'the encounter-diagnosis cancer is refuted',
    ...plain([aCondition('ca-1', 'C50.911', { verificationStatus: 'refuted' }), carboplatin]),
  },
  {
    name: 'the cancer starts after the visit (onset 2025-04-01)',
    ...plain([aCondition('ca-1', 'C50.911', { onsetDateTime: '2025-04-01' }), carboplatin]),
  },
  { name: 'no cancer at all (M05.79 encounter diagnosis)', ...plain([aCondition('ra-1', 'M05.79'), carboplatin]) },
  {
    name: 'history code only (Z85.3 is not in the CMS157 Cancer value set)',
    ...plain([aCondition('hx-1', 'Z85.3'), carboplatin]),
  },
];

describe('DX-013 cancer only on the encounter, not on the problem list', () => {
  it.each(fires)('fires: $name', ({ resources, encounter, params, evidence }) => {
    const findings = run(dx013CancerNotOnProblemList, resources, encounter);
    expect(findings.map((f) => ({ ruleId: f.ruleId, params: f.params, evidence: unique(f.evidence) }))).toEqual([
      { ruleId: 'DX-013', params, evidence },
    ]);
  });

  it.each(silent)('does not fire: $name', ({ resources, encounter }) => {
    expect(run(dx013CancerNotOnProblemList, resources, encounter)).toEqual([]);
  });

  /*
   * DEFECT (src/rules/diagnosis/dx-013-cancer-not-on-problem-list.ts line 34): the evidence is the concatenation of
   * cancerTreatmentToday() and chemotherapyAtVisit().evidence, and today's administration is in both, so the card's
   * "Based on:" line and evidence extension list MedicationAdministration/ma-1 twice.
   */
  it('lists each resource once in evidence', () => {
    expect(run(dx013CancerNotOnProblemList, [encounterOnly('ca-1'), carboplatin])).toEqual([
      { ruleId: 'DX-013', params: {}, evidence: ['Condition/ca-1', MA] },
    ]);
  });
});
