import { describe, expect, it } from 'vitest';
import { dx005ActiveCodeAfterResolution } from '../../../src/rules/diagnosis/dx-005-active-code-after-resolution.js';
import {
  aCondition,
  aDraftClaim,
  aDrugGiven,
  aProblem,
  aProcedure,
  aRadiationDelivery,
  coded,
  type ConditionOptions,
  type DxCase,
  type DxFiringCase,
  ICD10_OID,
  run,
  unique,
} from '../../../test-support/dx-builders.js';

/*
 * DX-005 (active cancer code but disease resolved and no treatment), rule in isolation on hand-made resources around
 * enc-1. Per the rule's header and oncology-rules.md DX-005: fires when a malignancy code on the encounter matches a
 * Condition (the encounter's own, or another with the same code) whose clinicalStatus is resolved, inactive or
 * remission WITH an abatement date, and no cancer-directed treatment happened today. Silent for codes that state
 * remission themselves (C91.01, ...), when another Condition with that code is still active (residual/metastatic
 * disease or ongoing active disease documented), and when treatment was given.
 *
 * Evidence is compared as a set here; that each resource is listed once is asserted separately below.
 */

const RESOLVED: ConditionOptions = { clinicalStatus: 'resolved', abatementDateTime: '2024-11-01' };

const fires: readonly DxFiringCase[] = [
  {
    name: 'encounter: C18.7 ranked, its Condition resolved with abatementDateTime, no treatment',
    ...coded('encounter', ['C18.7', 'Z08'], { condition: RESOLVED }),
    params: { code: 'C18.7' },
    evidence: ['Condition/dx-1'],
  },
  {
    name: 'linked: C18.7 on an unranked linked Condition, resolved with abatementDateTime',
    ...coded('linked', ['C18.7'], { condition: RESOLVED }),
    params: { code: 'C18.7' },
    evidence: ['Condition/dx-1'],
  },
  {
    name: "claim: C18.7 on the draft Claim, the patient's C18.7 Condition resolved with abatement",
    ...coded('claim', ['Z08', 'C18.7'], { also: [aProblem('crc-1', 'C18.7', RESOLVED)] }),
    params: { code: 'C18.7' },
    evidence: ['Claim/claim-1', 'Condition/crc-1'],
  },
  {
    name: 'clinicalStatus inactive with abatementDateTime',
    ...coded('encounter', ['C18.7'], { condition: { clinicalStatus: 'inactive', abatementDateTime: '2024-11-01' } }),
    params: { code: 'C18.7' },
    evidence: ['Condition/dx-1'],
  },
  {
    name: 'clinicalStatus remission with abatementPeriod (code itself does not state remission)',
    ...coded('encounter', ['C50.911'], {
      condition: { clinicalStatus: 'remission', abatementPeriod: { start: '2024-10-01', end: '2024-11-01' } },
    }),
    params: { code: 'C50.911' },
    evidence: ['Condition/dx-1'],
  },
  {
    name: "the encounter's C18.7 has no clinicalStatus; another C18.7 Condition is resolved with abatement",
    ...coded('encounter', ['C18.7'], {
      condition: { clinicalStatus: null },
      also: [aProblem('crc-1', 'C18.7', RESOLVED)],
    }),
    params: { code: 'C18.7' },
    evidence: ['Condition/dx-1', 'Condition/crc-1'],
  },
  {
    name: 'encounter: C187 undotted with the OID alias',
    ...coded('encounter', ['C187'], { system: ICD10_OID, condition: RESOLVED }),
    params: { code: 'C18.7' },
    evidence: ['Condition/dx-1'],
  },
  {
    name: 'claim: C187 undotted with the OID alias, resolved Condition coded dotted',
    ...coded('claim', ['C187'], { system: ICD10_OID, also: [aProblem('crc-1', 'C18.7', RESOLVED)] }),
    params: { code: 'C18.7' },
    evidence: ['Claim/claim-1', 'Condition/crc-1'],
  },
];

const silent: readonly DxCase[] = [
  {
    name: 'remission code C91.01 (the right C code for remission)',
    ...coded('encounter', ['C91.01'], { condition: RESOLVED }),
  },
  {
    name: 'remission code C90.01 on the Claim, Condition resolved with abatement',
    ...coded('claim', ['C90.01'], { also: [aProblem('mm-1', 'C90.01', RESOLVED)] }),
  },
  {
    name: 'treatment given: carboplatin',
    ...coded('encounter', ['C18.7'], { condition: RESOLVED, also: [aDrugGiven('ma-1')] }),
  },
  {
    name: 'treatment given: radiation delivery 77412',
    ...coded('encounter', ['C18.7'], { condition: RESOLVED, also: [aRadiationDelivery('rt-1')] }),
  },
  {
    name: 'treatment given: chemotherapy administration 96413',
    ...coded('encounter', ['C18.7'], { condition: RESOLVED, also: [aProcedure('chemo-1', '96413')] }),
  },
  {
    name: 'another Condition with the same code is active (residual disease documented)',
    ...coded('encounter', ['C18.7'], { condition: RESOLVED, also: [aProblem('crc-2', 'C18.7')] }),
  },
  {
    name: 'another Condition with the same code is in recurrence',
    ...coded('encounter', ['C18.7'], {
      condition: RESOLVED,
      also: [aProblem('crc-2', 'C18.7', { clinicalStatus: 'recurrence' })],
    }),
  },
  {
    name: 'claim: the same code is both resolved and active (relapse) in the record',
    ...coded('claim', ['C18.7'], {
      also: [aProblem('crc-1', 'C18.7', RESOLVED), aProblem('crc-2', 'C18.7', { clinicalStatus: 'relapse' })],
    }),
  },
  {
    name: 'resolved without an abatement date',
    ...coded('encounter', ['C18.7'], { condition: { clinicalStatus: 'resolved' } }),
  },
  {
    name: 'claim: the only C18.7 Condition is resolved without abatement',
    ...coded('claim', ['C18.7'], { also: [aProblem('crc-1', 'C18.7', { clinicalStatus: 'resolved' })] }),
  },
  {
    name: 'active with an abatement date (not a closed status)',
    ...coded('encounter', ['C18.7'], { condition: { clinicalStatus: 'active', abatementDateTime: '2024-11-01' } }),
  },
  {
    name: 'history code only (Z85.038), its Condition resolved',
    ...coded('encounter', ['Z85.038', 'Z08'], { condition: RESOLVED }),
  },
  {
    name: 'claim: C18.7 with no matching Condition anywhere',
    ...coded('claim', ['C18.7']),
  },
  {
    name: 'a resolved Condition with a different code (C18.2) does not match C18.7',
    ...coded('claim', ['C18.7'], { also: [aProblem('crc-1', 'C18.2', RESOLVED)] }),
  },
];

describe('DX-005 active cancer code but disease resolved and no treatment', () => {
  it.each(fires)('fires: $name', ({ resources, encounter, params, evidence }) => {
    const findings = run(dx005ActiveCodeAfterResolution, resources, encounter);
    expect(findings.map((f) => ({ ruleId: f.ruleId, params: f.params, evidence: unique(f.evidence) }))).toEqual([
      { ruleId: 'DX-005', params, evidence },
    ]);
  });

  it.each(silent)('does not fire: $name', ({ resources, encounter }) => {
    expect(run(dx005ActiveCodeAfterResolution, resources, encounter)).toEqual([]);
  });

  it('names the resolved Condition when the encounter Condition is only the code carrier', () => {
    const own = aCondition('dx-1', 'C18.7', { clinicalStatus: null });
    const resolved = aProblem('crc-1', 'C18.7', RESOLVED);
    const [finding] = run(dx005ActiveCodeAfterResolution, [own, resolved]);
    expect(finding?.evidence).toEqual(['Condition/dx-1', 'Condition/crc-1']);
  });

  /*
   * DEFECT (src/rules/diagnosis/dx-005-active-code-after-resolution.ts line 47): when the encounter's own Condition
   * is the resolved one, `referencesOf([diagnosis])` and `Condition/${resolved.id}` are the same reference, so the
   * card's "Based on:" line and evidence extension list Condition/dx-1 twice.
   */
  it("lists each resource once in evidence when the encounter's own Condition is the resolved one", () => {
    const { resources, encounter } = coded('encounter', ['C18.7'], { condition: RESOLVED });
    expect(run(dx005ActiveCodeAfterResolution, resources, encounter)).toEqual([
      { ruleId: 'DX-005', params: { code: 'C18.7' }, evidence: ['Condition/dx-1'] },
    ]);
  });

  /*
   * DEFECT (src/rules/diagnosis/dx-005-active-code-after-resolution.ts line 35): same-code Conditions are taken from
   * the whole record without the verificationStatus filter used everywhere else (isAssertedCondition;
   * code-lists.md section 12: ignore refuted / entered-in-error). A resolved Condition that was entered in error is
   * the only "resolution" here, and the rule still tells the coder the cancer is resolved.
   */
  it('ignores a resolved Condition that was entered in error', () => {
    const claim = aDraftClaim({ diagnoses: ['C18.7'], items: [] });
    const wrong = aProblem('crc-1', 'C18.7', { ...RESOLVED, verificationStatus: 'entered-in-error' });
    expect(run(dx005ActiveCodeAfterResolution, [claim, wrong])).toEqual([]);
  });
});
