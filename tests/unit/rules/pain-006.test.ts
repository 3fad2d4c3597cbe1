import type { Encounter, Resource } from 'fhir/r4.js';
import { describe, expect, it } from 'vitest';
import { pain006CategoryIiConflict } from '../../../src/rules/pain/pain-006-category-ii-conflict.js';
import {
  aCancer,
  aCarePlan,
  aCodedPainScore,
  aCodedProcedure,
  aDraftClaim,
  anAnalgesicOrder,
  anInterferenceScore,
  aPainCondition,
  aPainScore,
  aPainScoreOn,
  aVisitTyped,
  onChemo,
  onlyFinding,
  run,
} from '../../../test-support/pain-builders.js';

/*
 * PAIN-006 (Category II codes contradict the record), rule in isolation around enc-1, an office visit on 2025-05-14
 * of a patient on chemotherapy. Conflicts from the rule's header comment and oncology-rules.md PAIN-006:
 *  a. 1126F while the last intensity score shows pain, or 1125F while it shows none;
 *  b. 0521F while 1126F is the only pain code;
 *  c. a code and its 8P form both coded (0521F + 0521F-8P, 1125F + 1125F-8P);
 *  d. 0521F-8P though plan evidence exists, 1125F-8P though a pain score exists.
 * The finding's params.detail names the first conflict (and "+n more"), params.conflicts lists them all, separated by '; '.
 * Silent when the codes agree with the chart, the last score of the visit deciding when several were taken.
 */

const evaluate = (resources: readonly Resource[], encounter?: Encounter) =>
  run(pain006CategoryIiConflict, resources, encounter !== undefined ? { encounter } : {});

const carePlan = () => [aPainCondition(), aCarePlan({ addresses: [{ reference: 'Condition/pain-dx' }] })];
const earlyThenLate = (first: number, last: number) => [
  aPainScore(first, { effectiveDateTime: '2025-05-14T14:05:00Z' }),
  aPainScore(last, { id: 'pain-2', effectiveDateTime: '2025-05-14T14:50:00Z' }),
];

interface FiringCase {
  readonly name: string;
  readonly resources: readonly Resource[];
  readonly encounter?: Encounter;
  readonly detail: string;
  readonly evidence: readonly string[];
}

const fires: readonly FiringCase[] = [
  // a
  {
    name: 'a. 1126F coded, pain 6/10 recorded',
    resources: [...onChemo(), aPainScore(6), aCodedProcedure('1126F')],
    detail: '1126F but pain 6/10 recorded',
    evidence: ['Procedure/cat2-1126F', 'Observation/pain-1'],
  },
  {
    name: "a. 1126F coded, coded 38208-5 'Severe' recorded",
    resources: [...onChemo(), aCodedPainScore('Severe'), aCodedProcedure('1126F')],
    detail: '1126F but pain Severe recorded',
    evidence: ['Procedure/cat2-1126F', 'Observation/pain-1'],
  },
  {
    name: 'a. 1125F coded, score 0 recorded',
    resources: [...onChemo(), aPainScore(0), aCodedProcedure('1125F')],
    detail: '1125F but no pain recorded',
    evidence: ['Procedure/cat2-1125F', 'Observation/pain-1'],
  },
  {
    name: "a. 1125F on a draft Claim line, coded 'None' recorded",
    resources: [...onChemo(), aCodedPainScore('None'), aDraftClaim([{ code: '99213' }, { code: '1125F' }])],
    detail: '1125F but no pain recorded',
    evidence: ['Claim/claim-1#2', 'Observation/pain-1'],
  },
  {
    name: 'a. 1125F coded, score 6 then 0 (the last score decides)',
    resources: [...onChemo(), ...earlyThenLate(6, 0), aCodedProcedure('1125F')],
    detail: '1125F but no pain recorded',
    evidence: ['Procedure/cat2-1125F', 'Observation/pain-2'],
  },
  {
    name: 'a. RT visit 77427: 1126F coded, pain 6/10 recorded 3 days before (in the 77427 window)',
    resources: [aCancer(), aPainScoreOn(-3, 6), aCodedProcedure('1126F')],
    encounter: aVisitTyped('77427'),
    detail: '1126F but pain 6/10 recorded',
    evidence: ['Procedure/cat2-1126F', 'Observation/pain-1'],
  },
  // b
  {
    name: 'b. 0521F with 1126F only (score 0)',
    resources: [...onChemo(), aPainScore(0), aCodedProcedure('0521F'), aCodedProcedure('1126F')],
    detail: '0521F with 1126F only',
    evidence: ['Procedure/cat2-0521F', 'Procedure/cat2-1126F'],
  },
  {
    name: 'b. 0521F with 1126F only, both on draft Claim lines, no score',
    resources: [...onChemo(), aDraftClaim([{ code: '0521F' }, { code: '1126F' }])],
    detail: '0521F with 1126F only',
    evidence: ['Claim/claim-1#1', 'Claim/claim-1#2'],
  },
  // c
  {
    name: 'c. 0521F Procedure and 0521F-8P Claim line',
    resources: [
      ...onChemo(),
      aPainScore(6),
      aCodedProcedure('1125F'),
      aCodedProcedure('0521F'),
      aDraftClaim([{ code: '0521F', modifiers: ['8P'] }]),
    ],
    detail: '0521F and 0521F-8P both coded',
    evidence: ['Procedure/cat2-0521F', 'Claim/claim-1#1'],
  },
  {
    name: "c. 0521F Claim line and '0521F-8P' written on a Procedure",
    resources: [
      ...onChemo(),
      aPainScore(6),
      aCodedProcedure('0521F-8P'),
      aDraftClaim([{ code: '1125F' }, { code: '0521F' }]),
    ],
    detail: '0521F and 0521F-8P both coded',
    evidence: ['Claim/claim-1#2', 'Procedure/cat2-0521F-8P'],
  },
  {
    name: 'c. 1125F and 1125F-8P on the same Claim',
    resources: [...onChemo(), aPainScore(6), aDraftClaim([{ code: '1125F' }, { code: '1125F', modifiers: ['8P'] }])],
    detail: '1125F and 1125F-8P both coded',
    evidence: ['Claim/claim-1#1', 'Claim/claim-1#2'],
  },
  // d
  {
    name: 'd. 0521F-8P though a pain CarePlan is documented',
    resources: [
      ...onChemo(),
      aPainScore(6),
      ...carePlan(),
      aDraftClaim([{ code: '1125F' }, { code: '0521F', modifiers: ['8P'] }]),
    ],
    detail: '0521F-8P though a pain plan is documented',
    evidence: ['Claim/claim-1#2', 'CarePlan/plan-1'],
  },
  {
    name: 'd. 0521F-8P though an analgesic is ordered',
    resources: [...onChemo(), aPainScore(6), anAnalgesicOrder(), aCodedProcedure('1125F'), aCodedProcedure('0521F-8P')],
    detail: '0521F-8P though a pain plan is documented',
    evidence: ['Procedure/cat2-0521F-8P', 'MedicationRequest/rx-1'],
  },
  {
    name: 'd. 1125F-8P though a pain score is recorded',
    resources: [...onChemo(), aPainScore(6), aDraftClaim([{ code: '1125F', modifiers: ['8P'] }])],
    detail: '1125F-8P though a pain score is recorded',
    evidence: ['Claim/claim-1#1', 'Observation/pain-1'],
  },
];

const silent: readonly { name: string; resources: readonly Resource[]; encounter?: Encounter }[] = [
  {
    name: 'consistent: 1125F + 0521F, pain 6, a pain CarePlan',
    resources: [...onChemo(), aPainScore(6), ...carePlan(), aCodedProcedure('1125F'), aCodedProcedure('0521F')],
  },
  {
    name: 'consistent on a Claim: 1125F + 0521F, pain 6, an analgesic order',
    resources: [...onChemo(), aPainScore(6), anAnalgesicOrder(), aDraftClaim([{ code: '1125F' }, { code: '0521F' }])],
  },
  { name: '1125F with pain 6', resources: [...onChemo(), aPainScore(6), aCodedProcedure('1125F')] },
  { name: '1126F with score 0', resources: [...onChemo(), aPainScore(0), aCodedProcedure('1126F')] },
  {
    name: '1126F with 7 then 0 (the last score, 0, is the one coded)',
    resources: [...onChemo(), ...earlyThenLate(7, 0), aCodedProcedure('1126F')],
  },
  {
    name: '1125F with 0 then 6 (the last score, 6, is the one coded)',
    resources: [...onChemo(), ...earlyThenLate(0, 6), aCodedProcedure('1125F')],
  },
  { name: 'no Category II codes, pain 6 and a plan', resources: [...onChemo(), aPainScore(6), ...carePlan()] },
  {
    name: '0521F-8P with 1125F and no plan evidence (correctly not met)',
    resources: [...onChemo(), aPainScore(6), aDraftClaim([{ code: '1125F' }, { code: '0521F', modifiers: ['8P'] }])],
  },
  {
    name: '1125F-8P and no pain score',
    resources: [...onChemo(), aDraftClaim([{ code: '1125F', modifiers: ['8P'] }])],
  },
  {
    name: '1126F with the only pain score (6) on another day',
    resources: [...onChemo(), aPainScoreOn(-1, 6), aCodedProcedure('1126F')],
  },
  {
    name: '1126F with only a BPI interference score 77565-0 (cannot say pain present)',
    resources: [...onChemo(), anInterferenceScore(6), aCodedProcedure('1126F')],
  },
  {
    name: '1126F of another encounter, pain 6 here',
    resources: [
      ...onChemo(),
      aPainScore(6),
      aCodedProcedure('1126F', { encounter: { reference: 'Encounter/enc-0' }, performedDateTime: '2025-04-24' }),
    ],
  },
  {
    name: '1126F on a cancelled Claim, pain 6',
    resources: [...onChemo(), aPainScore(6), aDraftClaim([{ code: '1126F' }], { status: 'cancelled' })],
  },
  {
    name: '1126F Procedure not-done, pain 6',
    resources: [...onChemo(), aPainScore(6), aCodedProcedure('1126F', { status: 'not-done' })],
  },
  { name: '0521F alone (no #143 code), no score', resources: [...onChemo(), aCodedProcedure('0521F')] },
];

describe('PAIN-006 Category II codes contradict the record', () => {
  it.each(fires)('fires: $name', ({ resources, encounter, detail, evidence }) => {
    const finding = onlyFinding(evaluate(resources, encounter));
    expect(finding).toEqual({ ruleId: 'PAIN-006', params: { detail, conflicts: detail }, evidence });
  });

  it.each(silent)('does not fire: $name', ({ resources, encounter }) => {
    expect(evaluate(resources, encounter)).toEqual([]);
  });

  it("two conflicts (a and b): detail names the first and says '+1 more', conflicts lists both", () => {
    const finding = onlyFinding(
      evaluate([...onChemo(), aPainScore(6), aCodedProcedure('1126F'), aCodedProcedure('0521F')]),
    );
    expect(finding).toEqual({
      ruleId: 'PAIN-006',
      params: {
        detail: '1126F but pain 6/10 recorded; +1 more',
        conflicts: '1126F but pain 6/10 recorded; 0521F with 1126F only',
      },
      evidence: ['Procedure/cat2-1126F', 'Observation/pain-1', 'Procedure/cat2-0521F'],
    });
  });

  it("three conflicts (a, b, c): '+2 more'", () => {
    const finding = onlyFinding(
      evaluate([
        ...onChemo(),
        aPainScore(6),
        aCodedProcedure('1126F'),
        aCodedProcedure('0521F'),
        aCodedProcedure('0521F-8P'),
      ]),
    );
    expect(finding.params.detail).toBe('1126F but pain 6/10 recorded; +2 more');
    expect(finding.params.conflicts?.split('; ')).toEqual([
      '1126F but pain 6/10 recorded',
      '0521F with 1126F only',
      '0521F and 0521F-8P both coded',
    ]);
    expect(finding.evidence).toEqual([
      'Procedure/cat2-1126F',
      'Observation/pain-1',
      'Procedure/cat2-0521F',
      'Procedure/cat2-0521F-8P',
    ]);
  });
});
