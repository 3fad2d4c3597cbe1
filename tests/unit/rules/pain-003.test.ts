import type { Encounter, Resource } from 'fhir/r4.js';
import { describe, expect, it } from 'vitest';
import { pain003PainPlanMissing } from '../../../src/rules/pain/pain-003-pain-plan-missing.js';
import { pain004Add0521F } from '../../../src/rules/pain/pain-004-add-0521f.js';
import {
  aCancer,
  aChemo,
  aCodedPainScore,
  aCodedProcedure,
  aDraftClaim,
  anInterferenceScore,
  aPainScore,
  anIntegerPainScore,
  aPainScoreWithoutValue,
  aPainScoreOn,
  aVisit,
  aVisitTyped,
  conditionStatus,
  notPlanEvidence,
  onChemo,
  onlyFinding,
  planEvidenceElsewhere,
  planEvidenceKinds,
  run,
} from '../../../test-support/pain-builders.js';

/*
 * PAIN-003 (pain present but no plan of care documented), rule in isolation around enc-1, an office visit on
 * 2025-05-14 of a patient with active cancer-1 and chemo-1 ten days before. Guards from the rule's header comment and
 * oncology-rules.md PAIN-003: silent with any plan evidence of THIS encounter (then PAIN-004 takes over: each case
 * here also checks that PAIN-004 is the complement), when the last intensity score says no pain, when the only score
 * is 77565-0, and outside a chemotherapy/RT visit for active cancer.
 */

const evaluate = (resources: readonly Resource[], encounter?: Encounter) =>
  run(pain003PainPlanMissing, resources, encounter !== undefined ? { encounter } : {});
const evaluate004 = (resources: readonly Resource[], encounter?: Encounter) =>
  run(pain004Add0521F, resources, encounter !== undefined ? { encounter } : {});

const CHEMO_VISIT_EVIDENCE = ['Condition/cancer-1', 'Procedure/chemo-1'];

interface FiringCase {
  readonly name: string;
  readonly resources: readonly Resource[];
  readonly encounter?: Encounter;
  readonly score: string;
  /** The score's reference then the visit's evidence. */
  readonly evidence: readonly string[];
}

const fires: readonly FiringCase[] = [
  {
    name: 'chemo visit, score 6/10, no plan',
    resources: [...onChemo(), aPainScore(6)],
    score: '6/10',
    evidence: ['Observation/pain-1', ...CHEMO_VISIT_EVIDENCE],
  },
  {
    name: 'score 1/10 (anything above 0 is pain)',
    resources: [...onChemo(), aPainScore(1)],
    score: '1/10',
    evidence: ['Observation/pain-1', ...CHEMO_VISIT_EVIDENCE],
  },
  {
    name: 'score as valueInteger 3',
    resources: [...onChemo(), anIntegerPainScore(3)],
    score: '3/10',
    evidence: ['Observation/pain-1', ...CHEMO_VISIT_EVIDENCE],
  },
  {
    name: "coded 38208-5 answer 'Severe'",
    resources: [...onChemo(), aCodedPainScore('Severe')],
    score: 'Severe',
    evidence: ['Observation/pain-1', ...CHEMO_VISIT_EVIDENCE],
  },
  {
    name: 'preliminary score 6 (counts at signing)',
    resources: [...onChemo(), aPainScore(6, { status: 'preliminary' })],
    score: '6/10',
    evidence: ['Observation/pain-1', ...CHEMO_VISIT_EVIDENCE],
  },
  {
    name: 'last score 7 after an earlier 0 (the last score decides)',
    resources: [
      ...onChemo(),
      aPainScore(0, { effectiveDateTime: '2025-05-14T14:05:00Z' }),
      aPainScore(7, { id: 'pain-2', effectiveDateTime: '2025-05-14T14:50:00Z' }),
    ],
    score: '7/10',
    evidence: ['Observation/pain-2', ...CHEMO_VISIT_EVIDENCE],
  },
  {
    name: 'an interference score 77565-0 next to an intensity score 5: the intensity score decides',
    resources: [...onChemo(), anInterferenceScore(0), aPainScore(5)],
    score: '5/10',
    evidence: ['Observation/pain-1', ...CHEMO_VISIT_EVIDENCE],
  },
  {
    name: 'confirmed chemo visit (another chemo 14 days after)',
    resources: [...onChemo(), aChemo(14, { id: 'chemo-2' }), aPainScore(6)],
    score: '6/10',
    evidence: ['Observation/pain-1', ...CHEMO_VISIT_EVIDENCE, 'Procedure/chemo-2'],
  },
  {
    name: 'RT visit 77427, score 6 taken 2 days before (in its window), no chemo',
    resources: [aCancer(), aPainScoreOn(-2, 6)],
    encounter: aVisitTyped('77427'),
    score: '6/10',
    evidence: ['Observation/pain-1', 'Condition/cancer-1'],
  },
  ...planEvidenceElsewhere().map(({ name, resources }): FiringCase => ({
    name: `plan evidence only in another visit: ${name}`,
    resources: [...onChemo(), aPainScore(6), ...resources],
    score: '6/10',
    evidence: ['Observation/pain-1', ...CHEMO_VISIT_EVIDENCE],
  })),
  ...notPlanEvidence().map(({ name, resources }): FiringCase => ({
    name: `not a plan: ${name}`,
    resources: [...onChemo(), aPainScore(6), ...resources],
    score: '6/10',
    evidence: ['Observation/pain-1', ...CHEMO_VISIT_EVIDENCE],
  })),
];

interface SilentCase {
  readonly name: string;
  readonly resources: readonly Resource[];
  readonly encounter?: Encounter;
  /** PAIN-004's expectation on the same data: it fires exactly when a plan exists at a #144 visit. */
  readonly pain004Fires: boolean;
}

const silent: readonly SilentCase[] = [
  ...planEvidenceKinds().map(({ name, resources }): SilentCase => ({
    name: `plan evidence: ${name}`,
    resources: [...onChemo(), aPainScore(6), ...resources],
    pain004Fires: true,
  })),
  {
    name: 'plan evidence: 0521F already coded as a Procedure',
    resources: [...onChemo(), aPainScore(6), aCodedProcedure('0521F')],
    pain004Fires: false,
  },
  {
    name: 'plan evidence: 0521F already on a draft Claim line',
    resources: [...onChemo(), aPainScore(6), aDraftClaim([{ code: '99213' }, { code: '0521F' }])],
    pain004Fires: false,
  },
  { name: 'score 0', resources: [...onChemo(), aPainScore(0)], pain004Fires: false },
  {
    name: 'fractional score 0.205 (as Synthea writes it: reads 0)',
    resources: [...onChemo(), aPainScore(0.205)],
    pain004Fires: false,
  },
  {
    name: 'last score 0 after an earlier 7 (the last score decides)',
    resources: [
      ...onChemo(),
      aPainScore(7, { effectiveDateTime: '2025-05-14T14:05:00Z' }),
      aPainScore(0, { id: 'pain-2', effectiveDateTime: '2025-05-14T14:50:00Z' }),
    ],
    pain004Fires: false,
  },
  { name: "coded 38208-5 answer 'None'", resources: [...onChemo(), aCodedPainScore('None')], pain004Fires: false },
  {
    name: "coded 38208-5 answer 'No pain'",
    resources: [...onChemo(), aCodedPainScore('No pain')],
    pain004Fires: false,
  },
  {
    name: 'only a BPI interference score 77565-0 (value 6)',
    resources: [...onChemo(), anInterferenceScore(6)],
    pain004Fires: false,
  },
  {
    name: 'intensity score without a value',
    resources: [...onChemo(), aPainScoreWithoutValue()],
    pain004Fires: false,
  },
  { name: 'no pain score at all', resources: onChemo(), pain004Fires: false },
  { name: 'score 6 on another day', resources: [...onChemo(), aPainScoreOn(-1, 6)], pain004Fires: false },
  {
    name: 'score 6 entered-in-error',
    resources: [...onChemo(), aPainScore(6, { status: 'entered-in-error' })],
    pain004Fires: false,
  },
  {
    name: 'non-E/M infusion-only visit (type 96413, default settings)',
    resources: [...onChemo(), aPainScore(6)],
    encounter: aVisitTyped('96413'),
    pain004Fires: false,
  },
  { name: 'no cancer', resources: [aChemo(-10), aPainScore(6)], pain004Fires: false },
  {
    name: 'cancer in remission',
    resources: [aCancer({ clinicalStatus: conditionStatus.clinical('remission') }), aChemo(-10), aPainScore(6)],
    pain004Fires: false,
  },
  { name: 'no chemo in the 30 days before', resources: [aCancer(), aChemo(-40), aPainScore(6)], pain004Fires: false },
  {
    name: 'encounter cancelled',
    resources: [...onChemo(), aPainScore(6)],
    encounter: aVisit({ status: 'cancelled' }),
    pain004Fires: false,
  },
];

describe('PAIN-003 pain present but no plan of care documented', () => {
  it.each(fires)('fires: $name', ({ resources, encounter, score, evidence }) => {
    const finding = onlyFinding(evaluate(resources, encounter));
    expect(finding).toEqual({ ruleId: 'PAIN-003', params: { score }, evidence });
    expect(finding.actions).toBeUndefined();
    expect(evaluate004(resources, encounter)).toEqual([]);
  });

  it.each(silent)('does not fire: $name', ({ resources, encounter, pain004Fires }) => {
    expect(evaluate(resources, encounter)).toEqual([]);
    expect(evaluate004(resources, encounter).map((f) => f.ruleId)).toEqual(pain004Fires ? ['PAIN-004'] : []);
  });
});
