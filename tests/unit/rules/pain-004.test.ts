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
  anAnalgesicOrder,
  anInterferenceScore,
  aPainCondition,
  aPainScore,
  aPainScoreOn,
  aVisit,
  aVisitTyped,
  aCarePlan,
  aReferral,
  conditionStatus,
  expectCategoryIiCreate,
  onChemo,
  onlyFinding,
  planEvidenceElsewhere,
  planEvidenceKinds,
  run,
  unlinked,
  VISIT_START,
} from '../../../test-support/pain-builders.js';

/*
 * PAIN-004 (plan of care documented but 0521F not captured), rule in isolation around enc-1, an office visit on
 * 2025-05-14 of a patient with active cancer-1 and chemo-1 ten days before, pain 6/10 recorded (pain-1). Guards from
 * the rule's header comment and oncology-rules.md PAIN-004: fires with plan evidence of THIS encounter at a visit with
 * pain, suggesting a completed 0521F Procedure citing the pain score; silent when 0521F or 0521F-8P is on the
 * encounter, when pain is absent, outside a chemo/RT visit for active cancer, or when the plan is from another visit
 * (then PAIN-003 fires instead).
 */

const evaluate = (resources: readonly Resource[], encounter?: Encounter) =>
  run(pain004Add0521F, resources, encounter !== undefined ? { encounter } : {});
const evaluate003 = (resources: readonly Resource[], encounter?: Encounter) =>
  run(pain003PainPlanMissing, resources, encounter !== undefined ? { encounter } : {});

const painVisit = (): Resource[] => [...onChemo(), aPainScore(6)];
const careplan = () => [aPainCondition(), aCarePlan({ addresses: [{ reference: 'Condition/pain-dx' }] })];

interface FiringCase {
  readonly name: string;
  readonly resources: readonly Resource[];
  readonly encounter?: Encounter;
  readonly score: string;
  /** The pain score (the suggestion's reason) then the plan evidence. */
  readonly evidence: readonly string[];
  readonly encounterId?: string;
}

const fires: readonly FiringCase[] = [
  ...planEvidenceKinds().map(({ name, resources, evidence }): FiringCase => ({
    name: `plan evidence: ${name}`,
    resources: [...painVisit(), ...resources],
    score: '6/10',
    evidence: ['Observation/pain-1', ...evidence],
  })),
  {
    name: 'several kinds of plan evidence: all cited',
    resources: [...painVisit(), ...careplan(), anAnalgesicOrder(), aReferral()],
    score: '6/10',
    evidence: ['Observation/pain-1', 'CarePlan/plan-1', 'MedicationRequest/rx-1', 'ServiceRequest/sr-1'],
  },
  {
    name: "coded 38208-5 'Severe' with an analgesic order",
    resources: [...onChemo(), aCodedPainScore('Severe'), anAnalgesicOrder()],
    score: 'Severe',
    evidence: ['Observation/pain-1', 'MedicationRequest/rx-1'],
  },
  {
    name: 'last score 7 after an earlier 0, with an analgesic order: cites the last score',
    resources: [
      ...onChemo(),
      aPainScore(0, { effectiveDateTime: '2025-05-14T14:05:00Z' }),
      aPainScore(7, { id: 'pain-2', effectiveDateTime: '2025-05-14T14:50:00Z' }),
      anAnalgesicOrder(),
    ],
    score: '7/10',
    evidence: ['Observation/pain-2', 'MedicationRequest/rx-1'],
  },
  {
    name: 'other Category II codes only (1125F, and 0521F of another encounter)',
    resources: [
      ...painVisit(),
      anAnalgesicOrder(),
      aCodedProcedure('1125F'),
      aCodedProcedure('0521F', { encounter: { reference: 'Encounter/enc-0' }, performedDateTime: '2025-04-24' }),
    ],
    score: '6/10',
    evidence: ['Observation/pain-1', 'MedicationRequest/rx-1'],
  },
  {
    name: 'draft Claim line 0521F on a cancelled Claim does not count as captured',
    resources: [...painVisit(), anAnalgesicOrder(), aDraftClaim([{ code: '0521F' }], { status: 'cancelled' })],
    score: '6/10',
    evidence: ['Observation/pain-1', 'MedicationRequest/rx-1'],
  },
  {
    name: 'RT visit 77427 (enc-rt), score 4 two days before, analgesic ordered on the visit day',
    resources: [aCancer(), aPainScoreOn(-2, 4), unlinked(anAnalgesicOrder())],
    encounter: aVisitTyped('77427', { id: 'enc-rt' }),
    score: '4/10',
    evidence: ['Observation/pain-1', 'MedicationRequest/rx-1'],
    encounterId: 'enc-rt',
  },
];

const withPlan = (...extra: Resource[]): Resource[] => [...onChemo(), anAnalgesicOrder(), ...extra];

interface SilentCase {
  readonly name: string;
  readonly resources: readonly Resource[];
  readonly encounter?: Encounter;
  /** PAIN-003 on the same data: fires only when pain is present at an eligible visit and no plan counts. */
  readonly pain003Fires: boolean;
}

const silent: readonly SilentCase[] = [
  { name: 'no plan evidence (PAIN-003 territory)', resources: painVisit(), pain003Fires: true },
  {
    name: '0521F already coded as a Procedure (with a CarePlan)',
    resources: [...painVisit(), ...careplan(), aCodedProcedure('0521F')],
    pain003Fires: false,
  },
  {
    name: '0521F already coded as a Procedure (no other plan evidence)',
    resources: [...painVisit(), aCodedProcedure('0521F')],
    pain003Fires: false,
  },
  {
    name: '0521F already on a draft Claim line',
    resources: [...painVisit(), anAnalgesicOrder(), aDraftClaim([{ code: '99213' }, { code: '0521F' }])],
    pain003Fires: false,
  },
  {
    name: '0521F with modifier 8P already on a draft Claim line',
    resources: [
      ...painVisit(),
      anAnalgesicOrder(),
      aDraftClaim([{ code: '99213' }, { code: '0521F', modifiers: ['8P'] }]),
    ],
    pain003Fires: false,
  },
  {
    name: "0521F-8P written as one code on a Procedure ('0521F-8P')",
    resources: [...painVisit(), anAnalgesicOrder(), aCodedProcedure('0521F-8P')],
    pain003Fires: false,
  },
  { name: 'score 0 with a plan', resources: withPlan(aPainScore(0)), pain003Fires: false },
  {
    name: 'last score 0 after an earlier 7, with a plan',
    resources: withPlan(
      aPainScore(7, { effectiveDateTime: '2025-05-14T14:05:00Z' }),
      aPainScore(0, { id: 'pain-2', effectiveDateTime: '2025-05-14T14:50:00Z' }),
    ),
    pain003Fires: false,
  },
  { name: "coded 'None' with a plan", resources: withPlan(aCodedPainScore('None')), pain003Fires: false },
  { name: 'only 77565-0 (value 6) with a plan', resources: withPlan(anInterferenceScore(6)), pain003Fires: false },
  { name: 'no pain score, with a plan', resources: withPlan(), pain003Fires: false },
  ...planEvidenceElsewhere().map(({ name, resources }): SilentCase => ({
    name: `plan evidence only in another visit: ${name}`,
    resources: [...painVisit(), ...resources],
    pain003Fires: true,
  })),
  { name: 'no cancer, with a plan', resources: [aChemo(-10), aPainScore(6), anAnalgesicOrder()], pain003Fires: false },
  {
    name: 'cancer refuted, with a plan',
    resources: [
      aCancer({ verificationStatus: conditionStatus.verification('refuted') }),
      aChemo(-10),
      aPainScore(6),
      anAnalgesicOrder(),
    ],
    pain003Fires: false,
  },
  {
    name: 'no current chemo (40 days before), with a plan',
    resources: [aCancer(), aChemo(-40), aPainScore(6), anAnalgesicOrder()],
    pain003Fires: false,
  },
  {
    name: 'non-E/M infusion-only visit (type 96413), with a plan',
    resources: [...painVisit(), anAnalgesicOrder()],
    encounter: aVisitTyped('96413'),
    pain003Fires: false,
  },
  {
    name: 'encounter cancelled, with a plan',
    resources: [...painVisit(), anAnalgesicOrder()],
    encounter: aVisit({ status: 'cancelled' }),
    pain003Fires: false,
  },
];

describe('PAIN-004 plan of care documented but 0521F not captured', () => {
  it.each(fires)('fires: $name', ({ resources, encounter, score, evidence, encounterId }) => {
    const finding = onlyFinding(evaluate(resources, encounter));
    expect(finding.ruleId).toBe('PAIN-004');
    expect(finding.variant).toBeUndefined();
    expect(finding.params).toEqual({ score });
    expect(finding.evidence).toEqual(evidence);
    expectCategoryIiCreate(finding, '0521F', evidence[0]!, encounterId, VISIT_START);
    expect(evaluate003(resources, encounter)).toEqual([]);
  });

  it.each(silent)('does not fire: $name', ({ resources, encounter, pain003Fires }) => {
    expect(evaluate(resources, encounter)).toEqual([]);
    expect(evaluate003(resources, encounter).map((f) => f.ruleId)).toEqual(pain003Fires ? ['PAIN-003'] : []);
  });

  it('suggests exactly this Procedure', () => {
    const finding = onlyFinding(evaluate([...painVisit(), anAnalgesicOrder()]));
    expect(finding.actions).toEqual([
      {
        type: 'create',
        resource: {
          resourceType: 'Procedure',
          status: 'completed',
          code: {
            coding: [
              {
                system: 'http://www.ama-assn.org/go/cpt',
                code: '0521F',
                display: 'Plan of care to address pain documented',
              },
            ],
            text: 'Plan of care to address pain documented',
          },
          subject: { reference: 'Patient/pat-1' },
          encounter: { reference: 'Encounter/enc-1' },
          performedDateTime: '2025-05-14T14:00:00Z',
          reasonReference: [{ reference: 'Observation/pain-1' }],
        },
      },
    ]);
  });
});
