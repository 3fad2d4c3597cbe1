import type { Encounter, Resource } from 'fhir/r4.js';
import { describe, expect, it } from 'vitest';
import { pain002RadiationPainNotQuantified } from '../../../src/rules/pain/pain-002-radiation-pain-not-quantified.js';
import {
  aCancer,
  aChemo,
  aCodedProcedure,
  aDraftClaim,
  anInterferenceScore,
  aPainScore,
  aPainScoreOn,
  aVisit,
  aVisitTyped,
  at,
  concept,
  conditionStatus,
  dayAt,
  ENCOUNTER,
  onlyFinding,
  run,
  SNOMED,
  unlinked,
} from '../../../test-support/pain-builders.js';

/*
 * PAIN-002 (pain not quantified for a radiation treatment-management visit), rule in isolation around enc-1 on
 * 2025-05-14. Guards come from the rule's header comment and oncology-rules.md PAIN-002: the window is the visit day
 * for 77431/77432/77435/84755001 and the visit day plus the 6 days before it for 77427 (billed per five fractions);
 * the RT code may be the Encounter.type or a same-day Procedure; silent for cancelled encounters and without an
 * active cancer overlapping the visit.
 */

const evaluate = (resources: readonly Resource[], encounter: Encounter) =>
  run(pain002RadiationPainNotQuantified, resources, { encounter });

const weekly = aVisitTyped('77427');

interface FiringCase {
  readonly name: string;
  readonly encounter: Encounter;
  readonly resources: readonly Resource[];
  /** params.days: 7 for 77427, 1 for the same-day codes. */
  readonly days: string;
}

const fires: readonly FiringCase[] = [
  { name: '77427, no pain score at all', encounter: weekly, resources: [aCancer()], days: '7' },
  {
    name: '77427, pain score 7 days before (just outside the look-back)',
    encounter: weekly,
    resources: [aCancer(), aPainScoreOn(-7, 4)],
    days: '7',
  },
  {
    name: '77427, pain score the day after the visit',
    encounter: weekly,
    resources: [aCancer(), aPainScoreOn(1, 4)],
    days: '7',
  },
  {
    name: '77427, the only score in the window is entered-in-error',
    encounter: weekly,
    resources: [aCancer(), aPainScore(4, { status: 'entered-in-error' })],
    days: '7',
  },
  {
    name: '77431 visit, pain score the day before (same-day window only)',
    encounter: aVisitTyped('77431'),
    resources: [aCancer(), aPainScoreOn(-1, 4)],
    days: '1',
  },
  { name: '77432 visit, no pain score', encounter: aVisitTyped('77432'), resources: [aCancer()], days: '1' },
  { name: '77435 visit, no pain score', encounter: aVisitTyped('77435'), resources: [aCancer()], days: '1' },
  {
    name: 'SNOMED 84755001 visit, no pain score',
    encounter: aVisit({ type: [concept(SNOMED, '84755001', 'Radiation oncology AND/OR radiotherapy')] }),
    resources: [aCancer()],
    days: '1',
  },
  {
    name: 'office visit (99213) with RT code 77431 only as a same-day Procedure: an RT visit',
    encounter: aVisit(),
    resources: [aCancer(), aCodedProcedure('77431', { id: 'rt-1' })],
    days: '1',
  },
  {
    name: 'office visit (99213) with RT code 77431 only on a draft Claim line: an RT visit',
    encounter: aVisit(),
    resources: [aCancer(), aDraftClaim([{ code: '99213' }, { code: '77431' }])],
    days: '1',
  },
  {
    name: 'cancer not on the problem list (encounter diagnosis only) still counts',
    encounter: weekly,
    resources: [
      aCancer({
        category: [concept('http://terminology.hl7.org/CodeSystem/condition-category', 'encounter-diagnosis')],
      }),
    ],
    days: '7',
  },
];

const silent: readonly { name: string; encounter: Encounter; resources: readonly Resource[] }[] = [
  {
    name: '77427, pain score 6 days before (first day of the look-back)',
    encounter: weekly,
    resources: [aCancer(), aPainScoreOn(-6, 4)],
  },
  { name: '77427, pain score 3 days before', encounter: weekly, resources: [aCancer(), aPainScoreOn(-3, 0)] },
  { name: '77427, pain score on the visit day', encounter: weekly, resources: [aCancer(), aPainScore(4)] },
  {
    name: '77427, preliminary pain score in the window',
    encounter: weekly,
    resources: [aCancer(), aPainScoreOn(-2, 4, { status: 'preliminary' })],
  },
  {
    name: '77427, BPI interference 77565-0 in the window (a pain assessment)',
    encounter: weekly,
    resources: [aCancer(), anInterferenceScore(3)],
  },
  { name: '77431, pain score the same day', encounter: aVisitTyped('77431'), resources: [aCancer(), aPainScore(2)] },
  {
    name: 'office visit with a same-day 77431 Procedure and a same-day score',
    encounter: aVisit(),
    resources: [aCancer(), aCodedProcedure('77431', { id: 'rt-1' }), aPainScore(2)],
  },
  {
    name: 'RT code 77427 only as a same-day Procedure (99213 visit), pain score 3 days before: 77427 window applies',
    encounter: aVisit(),
    resources: [aCancer(), aCodedProcedure('77427', { id: 'rt-1' }), aPainScoreOn(-3, 4)],
  },
  {
    name: 'office visit without any RT code (even on chemo)',
    encounter: aVisit(),
    resources: [aCancer(), aChemo(-10)],
  },
  {
    name: 'RT delivery code 77412 (not treatment management) as a same-day Procedure',
    encounter: aVisit(),
    resources: [aCancer(), aCodedProcedure('77412', { id: 'rt-1' })],
  },
  {
    name: '77431 Procedure of another day, not linked to the encounter',
    encounter: aVisit(),
    resources: [aCancer(), unlinked(aCodedProcedure('77431', { id: 'rt-1', performedDateTime: at(-3) }))],
  },
  { name: 'no cancer Condition', encounter: weekly, resources: [] },
  {
    name: 'cancer resolved',
    encounter: weekly,
    resources: [aCancer({ clinicalStatus: conditionStatus.clinical('resolved'), abatementDateTime: dayAt(-90) })],
  },
  {
    name: 'cancer inactive',
    encounter: weekly,
    resources: [aCancer({ clinicalStatus: conditionStatus.clinical('inactive') })],
  },
  {
    name: 'cancer in remission',
    encounter: weekly,
    resources: [aCancer({ clinicalStatus: conditionStatus.clinical('remission') })],
  },
  {
    name: 'cancer refuted',
    encounter: weekly,
    resources: [aCancer({ verificationStatus: conditionStatus.verification('refuted') })],
  },
  { name: 'cancer onset after the visit', encounter: weekly, resources: [aCancer({ onsetDateTime: dayAt(2) })] },
  { name: 'encounter cancelled', encounter: aVisitTyped('77427', { status: 'cancelled' }), resources: [aCancer()] },
  {
    name: 'encounter entered-in-error',
    encounter: aVisitTyped('77427', { status: 'entered-in-error' }),
    resources: [aCancer()],
  },
];

describe('PAIN-002 pain not quantified for a radiation treatment-management visit', () => {
  it.each(fires)('fires: $name', ({ encounter, resources, days }) => {
    const finding = onlyFinding(evaluate(resources, encounter));
    expect(finding).toEqual({ ruleId: 'PAIN-002', params: { days }, evidence: [ENCOUNTER, 'Condition/cancer-1'] });
  });

  it.each(silent)('does not fire: $name', ({ encounter, resources }) => {
    expect(evaluate(resources, encounter)).toEqual([]);
  });

  it('the 77427 window is exactly the visit day and the 6 days before it', () => {
    const firesWithScoreOn = (days: number) => evaluate([aCancer(), aPainScoreOn(days, 4)], weekly).length > 0;
    expect([-8, -7, -6, -5, -1, 0, 1].map(firesWithScoreOn)).toEqual([true, true, false, false, false, false, true]);
  });

  it('the 77431 window is the visit day only', () => {
    const visit = aVisitTyped('77431');
    const firesWithScoreOn = (days: number) => evaluate([aCancer(), aPainScoreOn(days, 4)], visit).length > 0;
    expect([-2, -1, 0, 1].map(firesWithScoreOn)).toEqual([true, true, false, true]);
  });
});
