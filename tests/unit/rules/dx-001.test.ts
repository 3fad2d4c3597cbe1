import { describe, expect, it } from 'vitest';
import { dx001Z51First } from '../../../src/rules/diagnosis/dx-001-z51-first.js';
import {
  aDraftClaim,
  aDrugGiven,
  aCondition,
  aProcedure,
  aRadiationDelivery,
  aRankedEncounter,
  coded,
  concept,
  CPT,
  dxRef,
  type DxCase,
  type DxFiringCase,
  ICD10_OID,
  NIVOLUMAB,
  PEMBROLIZUMAB,
  RANKED_SOURCES,
  RXNORM,
  run,
} from '../../../test-support/dx-builders.js';

/*
 * DX-001 (Z51.x should be first-listed for a treatment-only encounter), rule in isolation on hand-made resources
 * around enc-1 (2025-03-04). Guards from the rule's header comment and oncology-rules.md DX-001 "Do NOT fire when":
 * an E/M is documented; the first-listed code is a Z51 already; the first-listed code is a complication (neither
 * neoplasm nor Z51); no ranks (sequencing needs an order); brachytherapy (not an external-beam delivery code).
 */

const MA = 'MedicationAdministration/ma-1';
const carboplatin = aDrugGiven('ma-1');

const fires: readonly DxFiringCase[] = [
  ...RANKED_SOURCES.map((source): DxFiringCase => ({
    name: `${source}: carboplatin given, C34.90 first, Z51.11 second, no E/M`,
    ...coded(source, ['C34.90', 'Z51.11'], { also: [carboplatin] }),
    params: { z51: 'Z51.11', first: 'C34.90' },
    evidence: [dxRef(source, 1), MA],
  })),
  {
    name: 'pembrolizumab (RxNorm 1547545) only: Z51.12',
    ...coded('encounter', ['C34.90', 'Z51.12'], { also: [aDrugGiven('ma-1', PEMBROLIZUMAB)] }),
    params: { z51: 'Z51.12', first: 'C34.90' },
    evidence: ['Condition/dx-1', MA],
  },
  {
    name: 'radiation delivery 77412 only: Z51.0',
    ...coded('encounter', ['C34.90', 'Z51.0'], { also: [aRadiationDelivery('rt-1')] }),
    params: { z51: 'Z51.0', first: 'C34.90' },
    evidence: ['Condition/dx-1', 'Procedure/rt-1'],
  },
  {
    name: 'chemotherapy administration 96413 coded, no drug documented: Z51.11',
    ...coded('encounter', ['C34.90', 'Z51.11'], { also: [aProcedure('chemo-1', '96413')] }),
    params: { z51: 'Z51.11', first: 'C34.90' },
    evidence: ['Condition/dx-1', 'Procedure/chemo-1'],
  },
  {
    name: 'claim: chemotherapy administration 96413 as a draft Claim line',
    ...coded('claim', ['C34.90', 'Z51.11'], { claimItems: ['96413'] }),
    params: { z51: 'Z51.11', first: 'C34.90' },
    evidence: ['Claim/claim-1', 'Claim/claim-1#1'],
  },
  {
    name: 'carboplatin and radiation delivery: both Z51 codes named',
    ...coded('encounter', ['C34.90', 'Z51.11', 'Z51.0'], { also: [carboplatin, aRadiationDelivery('rt-1')] }),
    params: { z51: 'Z51.11 or Z51.0', first: 'C34.90' },
    evidence: ['Condition/dx-1', MA, 'Procedure/rt-1'],
  },
  {
    name: 'no Z51 coded at all, C34.90 first',
    ...coded('encounter', ['C34.90'], { also: [carboplatin] }),
    params: { z51: 'Z51.11', first: 'C34.90' },
    evidence: ['Condition/dx-1', MA],
  },
  {
    name: 'uncertain-behaviour neoplasm D47.1 first',
    ...coded('encounter', ['D47.1', 'Z51.11'], { also: [carboplatin] }),
    params: { z51: 'Z51.11', first: 'D47.1' },
    evidence: ['Condition/dx-1', MA],
  },
  {
    name: 'encounter: codes written undotted (C3490, Z5111)',
    ...coded('encounter', ['C3490', 'Z5111'], { also: [carboplatin] }),
    params: { z51: 'Z51.11', first: 'C34.90' },
    evidence: ['Condition/dx-1', MA],
  },
  {
    name: 'claim: codes written undotted (C3490, Z5111)',
    ...coded('claim', ['C3490', 'Z5111'], { also: [carboplatin] }),
    params: { z51: 'Z51.11', first: 'C34.90' },
    evidence: ['Claim/claim-1', MA],
  },
  ...RANKED_SOURCES.map((source): DxFiringCase => ({
    name: `${source}: ICD-10-CM as the OID alias urn:oid:2.16.840.1.113883.6.90, undotted`,
    ...coded(source, ['C50911', 'Z5111'], { system: ICD10_OID, also: [carboplatin] }),
    params: { z51: 'Z51.11', first: 'C50.911' },
    evidence: [dxRef(source, 1), MA],
  })),
  {
    name: 'an E/M Procedure that was not done does not count as an E/M',
    ...coded('encounter', ['C34.90', 'Z51.11'], {
      also: [carboplatin, aProcedure('em-1', '99214', { status: 'not-done' })],
    }),
    params: { z51: 'Z51.11', first: 'C34.90' },
    evidence: ['Condition/dx-1', MA],
  },
];

const silent: readonly DxCase[] = [
  {
    name: 'E/M 99214 as Encounter.type',
    ...coded('encounter', ['C34.90', 'Z51.11'], {
      also: [carboplatin],
      encounter: { type: [concept(CPT, '99214')] },
    }),
  },
  {
    name: 'E/M 99214 as a Procedure',
    ...coded('encounter', ['C34.90', 'Z51.11'], { also: [carboplatin, aProcedure('em-1', '99214')] }),
  },
  {
    name: 'claim: E/M 99213 as a draft Claim line next to 96413',
    ...coded('claim', ['C34.90', 'Z51.11'], { claimItems: ['96413', '99213'] }),
  },
  ...RANKED_SOURCES.map((source): DxCase => ({
    name: `${source}: Z51.11 already first-listed`,
    ...coded(source, ['Z51.11', 'C34.90'], { also: [carboplatin] }),
  })),
  {
    name: 'Z51.12 first at an immunotherapy visit',
    ...coded('encounter', ['Z51.12', 'C34.90'], { also: [aDrugGiven('ma-1', NIVOLUMAB)] }),
  },
  {
    name: 'complication first: D70.1 (agranulocytosis due to chemotherapy), then C34.90, Z51.11',
    ...coded('encounter', ['D70.1', 'C34.90', 'Z51.11'], { also: [carboplatin] }),
  },
  {
    name: 'complication first: E86.0 (dehydration)',
    ...coded('claim', ['E86.0', 'C34.90', 'Z51.11'], { also: [carboplatin] }),
  },
  {
    name: 'complication first: G89.3 (pain control)',
    ...coded('encounter', ['G89.3', 'C34.90'], { also: [aRadiationDelivery('rt-1')] }),
  },
  {
    name: 'linked: unranked Conditions (no order to check)',
    ...coded('linked', ['C34.90', 'Z51.11'], { also: [carboplatin] }),
  },
  {
    name: 'encounter: Encounter.diagnosis without rank',
    resources: [aCondition('dx-1', 'C34.90'), aCondition('dx-2', 'Z51.11'), carboplatin],
    encounter: aRankedEncounter([
      [aCondition('dx-1', 'C34.90'), null],
      [aCondition('dx-2', 'Z51.11'), null],
    ]),
    refs: [],
  },
  { name: 'no therapy today', ...coded('encounter', ['C34.90', 'Z51.11']) },
  {
    name: 'antineoplastic not given (status not-done)',
    ...coded('encounter', ['C34.90', 'Z51.11'], { also: [aDrugGiven('ma-1', undefined, { status: 'not-done' })] }),
  },
  {
    name: 'non-antineoplastic drug only (vancomycin, RxNorm 11124)',
    ...coded('encounter', ['C34.90', 'Z51.11'], {
      also: [aDrugGiven('ma-1', concept(RXNORM, '11124', 'vancomycin'))],
    }),
  },
  {
    name: 'antineoplastic given in another encounter',
    ...coded('encounter', ['C34.90', 'Z51.11'], {
      also: [aDrugGiven('ma-1', undefined, { context: { reference: 'Encounter/enc-2' } })],
    }),
  },
  {
    name: 'brachytherapy only (77770, HDR afterloading): malignancy first is correct',
    ...coded('encounter', ['C53.9', 'Z51.0'], { also: [aProcedure('brachy-1', '77770')] }),
  },
];

describe('DX-001 Z51.x should be first-listed for a treatment-only encounter', () => {
  it.each(fires)('fires: $name', ({ resources, encounter, params, evidence }) => {
    expect(run(dx001Z51First, resources, encounter)).toEqual([{ ruleId: 'DX-001', params, evidence }]);
  });

  it.each(silent)('does not fire: $name', ({ resources, encounter }) => {
    expect(run(dx001Z51First, resources, encounter)).toEqual([]);
  });

  it('takes the Claim sequence over Encounter.diagnosis ranks', () => {
    const cancer = aCondition('dx-1', 'C34.90');
    const z51 = aCondition('dx-2', 'Z51.11');
    // Encounter ranks the cancer first, but the draft Claim (what will be billed) already lists Z51.11 first.
    const encounter = aRankedEncounter([cancer, z51]);
    const claim = aDraftClaim({ diagnoses: ['Z51.11', 'C34.90'], items: [] });
    expect(run(dx001Z51First, [cancer, z51, claim, carboplatin], encounter)).toEqual([]);
    // And the other way round.
    const claimCancerFirst = aDraftClaim({ diagnoses: ['C34.90', 'Z51.11'], items: [] });
    const encounterZ51First = aRankedEncounter([z51, cancer]);
    expect(run(dx001Z51First, [cancer, z51, claimCancerFirst, carboplatin], encounterZ51First)).toEqual([
      { ruleId: 'DX-001', params: { z51: 'Z51.11', first: 'C34.90' }, evidence: ['Claim/claim-1', MA] },
    ]);
  });

  /*
   * DEFECT (src/rules/diagnosis/dx-001-z51-first.ts line 37): the header says the rule fires when "the first-listed
   * is a neoplasm code (not a Z51)", and the catalogue's trigger is any rank-1 code that is not Z51; but the code
   * only accepts C00-C96/D37-D49 as first-listed, so an in-situ neoplasm (D00-D09, which DX-002 and DX-011 count as
   * "the neoplasm being treated") first at a radiation-only visit (DCIS after lumpectomy) stays silent.
   */
  it('fires when an in-situ neoplasm (D05.11, DCIS) is first-listed at a radiation-only visit', () => {
    const { resources, encounter } = coded('encounter', ['D05.11', 'Z51.0'], { also: [aRadiationDelivery('rt-1')] });
    expect(run(dx001Z51First, resources, encounter)).toEqual([
      { ruleId: 'DX-001', params: { z51: 'Z51.0', first: 'D05.11' }, evidence: ['Condition/dx-1', 'Procedure/rt-1'] },
    ]);
  });

  /*
   * DEFECT (src/rules/diagnoses.ts line 64, encounterDiagnoses): a cancelled Claim is still read as "the draft Claim"
   * whose diagnosis order wins, while billing.ts (encounterCodes) skips cancelled claims. Here the cancelled Claim
   * lists the cancer first and the encounter (the only live order) already lists Z51.11 first.
   */
  it('ignores the diagnosis order of a cancelled Claim', () => {
    const cancer = aCondition('dx-1', 'C34.90');
    const z51 = aCondition('dx-2', 'Z51.11');
    const cancelled = aDraftClaim({ status: 'cancelled', diagnoses: ['C34.90', 'Z51.11'], items: [] });
    expect(run(dx001Z51First, [cancer, z51, cancelled, carboplatin], aRankedEncounter([z51, cancer]))).toEqual([]);
  });
});
