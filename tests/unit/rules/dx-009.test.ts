import type { Condition } from 'fhir/r4.js';
import { describe, expect, it } from 'vitest';
import { dx009MetastaticSiteFirst } from '../../../src/rules/diagnosis/dx-009-metastatic-site-first.js';
import {
  aCondition,
  aDrugGiven,
  aProblem,
  aProcedure,
  aRadiationDelivery,
  aRankedEncounter,
  coded,
  type Coded,
  type DxCase,
  type DxFiringCase,
  ICD10_OID,
  ref,
  run,
} from '../../../test-support/dx-builders.js';

/*
 * DX-009 (treatment aimed at the metastatic site), rule in isolation on hand-made resources around enc-1. Per the
 * rule's header and oncology-rules.md DX-009: fires only when a radiation Procedure of this encounter (delivery, or
 * CMS157 treatment management) names in reasonReference a Condition coded as a secondary malignancy (C77-C79, C7B),
 * while the first-listed diagnosis after any Z51 is a primary malignancy. Silent for systemic chemotherapy, without
 * ranks (a sequencing rule), and without a reason link.
 */

/** The bone metastasis the radiation is aimed at: a Condition outside the ranked list (mets-1). */
const bone = aProblem('mets-1', 'C79.51');

/** The codes in the given source, with mets-1 in the record and RT 77412 (rt-1) aimed at `target`. */
function radiationAt(
  source: 'claim' | 'encounter' | 'linked',
  codes: readonly string[],
  target: readonly Condition[] = [bone],
): Coded {
  return coded(source, codes, { also: [bone, aRadiationDelivery('rt-1', target)] });
}

const fires: readonly DxFiringCase[] = [
  {
    name: 'encounter: RT 77412 aimed at C79.51, C50.911 ranked first',
    ...radiationAt('encounter', ['C50.911', 'C79.51']),
    params: { secondary: 'C79.51', primary: 'C50.911' },
    evidence: ['Procedure/rt-1', 'Condition/mets-1', 'Condition/dx-1'],
  },
  {
    name: 'encounter: the reason is the ranked C79.51 Condition itself',
    ...(() => {
      const primary = aCondition('dx-1', 'C50.911');
      const secondary = aCondition('dx-2', 'C79.51');
      return {
        resources: [primary, secondary, aRadiationDelivery('rt-1', [secondary])],
        encounter: aRankedEncounter([primary, secondary]),
        refs: [],
      };
    })(),
    params: { secondary: 'C79.51', primary: 'C50.911' },
    evidence: ['Procedure/rt-1', 'Condition/dx-2', 'Condition/dx-1'],
  },
  {
    name: 'claim: C50.911 sequenced first on the draft Claim',
    ...radiationAt('claim', ['C50.911', 'C79.51']),
    params: { secondary: 'C79.51', primary: 'C50.911' },
    evidence: ['Procedure/rt-1', 'Condition/mets-1', 'Claim/claim-1'],
  },
  {
    name: 'Z51.0 first, C50.911 second: the first after the Z51 is the primary',
    ...radiationAt('encounter', ['Z51.0', 'C50.911', 'C79.51']),
    params: { secondary: 'C79.51', primary: 'C50.911' },
    evidence: ['Procedure/rt-1', 'Condition/mets-1', 'Condition/dx-2'],
  },
  {
    name: 'claim: Z51.0 first, C50.911 second',
    ...radiationAt('claim', ['Z51.0', 'C50.911', 'C79.51']),
    params: { secondary: 'C79.51', primary: 'C50.911' },
    evidence: ['Procedure/rt-1', 'Condition/mets-1', 'Claim/claim-1'],
  },
  {
    name: 'radiation treatment management 77427 aimed at C79.51',
    ...coded('encounter', ['C50.911', 'C79.51'], {
      also: [bone, aProcedure('rtm-1', '77427', { reasonReference: [ref(bone)] })],
    }),
    params: { secondary: 'C79.51', primary: 'C50.911' },
    evidence: ['Procedure/rtm-1', 'Condition/mets-1', 'Condition/dx-1'],
  },
  {
    name: 'reason Condition coded C7951 undotted with the OID alias; ranks written undotted too',
    ...(() => {
      const target = aProblem('mets-2', 'C7951', { system: ICD10_OID });
      return coded('encounter', ['C50911', 'C7951'], {
        system: ICD10_OID,
        also: [target, aRadiationDelivery('rt-1', [target])],
      });
    })(),
    params: { secondary: 'C79.51', primary: 'C50.911' },
    evidence: ['Procedure/rt-1', 'Condition/mets-2', 'Condition/dx-1'],
  },
  {
    name: 'secondary neuroendocrine tumour of bone (C7B.03)',
    ...(() => {
      const target = aProblem('mets-3', 'C7B.03');
      return coded('encounter', ['C7A.012', 'C7B.03'], { also: [target, aRadiationDelivery('rt-1', [target])] });
    })(),
    params: { secondary: 'C7B.03', primary: 'C7A.012' },
    evidence: ['Procedure/rt-1', 'Condition/mets-3', 'Condition/dx-1'],
  },
];

const silent: readonly DxCase[] = [
  { name: 'C79.51 already first-listed', ...radiationAt('encounter', ['C79.51', 'C50.911']) },
  { name: 'claim: Z51.0, then C79.51, then C50.911', ...radiationAt('claim', ['Z51.0', 'C79.51', 'C50.911']) },
  { name: 'no reasonReference on the radiation Procedure', ...radiationAt('encounter', ['C50.911', 'C79.51'], []) },
  {
    name: 'radiation aimed at the primary (reasonReference C50.911)',
    ...radiationAt('encounter', ['C50.911', 'C79.51'], [aProblem('dx-1', 'C50.911')]),
  },
  {
    name: 'reasonReference to a Condition not in the record',
    ...radiationAt('encounter', ['C50.911', 'C79.51'], [aProblem('missing', 'C79.51')]),
  },
  {
    name: 'systemic chemotherapy only: 96413 and carboplatin, both with reasonReference C79.51',
    ...coded('encounter', ['C50.911', 'C79.51'], {
      also: [
        bone,
        aProcedure('chemo-1', '96413', { reasonReference: [ref(bone)] }),
        aDrugGiven('ma-1', undefined, { reasonReference: [ref(bone)] }),
      ],
    }),
  },
  { name: 'linked: unranked Conditions', ...radiationAt('linked', ['C50.911', 'C79.51']) },
  {
    name: 'encounter: Encounter.diagnosis without rank',
    resources: [aCondition('dx-1', 'C50.911'), bone, aRadiationDelivery('rt-1', [bone])],
    encounter: aRankedEncounter([[aCondition('dx-1', 'C50.911'), null]]),
    refs: [],
  },
  {
    name: 'the radiation Procedure was not done',
    ...coded('encounter', ['C50.911', 'C79.51'], {
      also: [bone, aRadiationDelivery('rt-1', [bone], { status: 'not-done' })],
    }),
  },
  {
    name: 'the radiation Procedure belongs to another encounter',
    ...coded('encounter', ['C50.911', 'C79.51'], {
      also: [bone, aRadiationDelivery('rt-1', [bone], { encounter: { reference: 'Encounter/enc-2' } })],
    }),
  },
  {
    name: 'first-listed after Z51 is a complication (D70.1), not a primary',
    ...radiationAt('encounter', ['Z51.0', 'D70.1', 'C50.911', 'C79.51']),
  },
];

describe('DX-009 treatment aimed at the metastatic site', () => {
  it.each(fires)('fires: $name', ({ resources, encounter, params, evidence }) => {
    expect(run(dx009MetastaticSiteFirst, resources, encounter)).toEqual([{ ruleId: 'DX-009', params, evidence }]);
  });

  it.each(silent)('does not fire: $name', ({ resources, encounter }) => {
    expect(run(dx009MetastaticSiteFirst, resources, encounter)).toEqual([]);
  });
});
