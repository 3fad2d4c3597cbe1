import type { Encounter, Resource } from 'fhir/r4.js';
import { describe, expect, it } from 'vitest';
import { pain005Add1125F1126F } from '../../../src/rules/pain/pain-005-add-1125f-1126f.js';
import type { RuleSettings } from '../../../src/config/rule-settings.js';
import {
  aCancer,
  aChemo,
  aCodedPainScore,
  aCodedProcedure,
  aDraftClaim,
  anInterferenceScore,
  anIntegerPainScore,
  aPainScore,
  aPainScoreOn,
  aPainScoreWithoutValue,
  aVisit,
  aVisitTyped,
  conditionStatus,
  expectCategoryIiCreate,
  onChemo,
  onlyFinding,
  run,
} from '../../../test-support/pain-builders.js';

/*
 * PAIN-005 (pain quantified but 1125F / 1126F not captured), rule in isolation around enc-1, an office visit on
 * 2025-05-14 of a patient with active cancer-1 and chemo-1 ten days before. Guards from the rule's header comment and
 * oncology-rules.md PAIN-005: suggests 1125F when the last intensity score shows pain and 1126F when it shows none;
 * silent when 1125F, 1126F or 1125F-8P is on the encounter, when the only score is 77565-0, when the score is
 * entered-in-error or has no readable value, and when the site does not report claims quality-data codes.
 */

const evaluate = (resources: readonly Resource[], encounter?: Encounter, settings?: Partial<RuleSettings>) =>
  run(pain005Add1125F1126F, resources, {
    ...(encounter !== undefined ? { encounter } : {}),
    ...(settings !== undefined ? { settings } : {}),
  });

const CHEMO_VISIT_EVIDENCE = ['Condition/cancer-1', 'Procedure/chemo-1'];

interface FiringCase {
  readonly name: string;
  readonly resources: readonly Resource[];
  readonly encounter?: Encounter;
  readonly code: '1125F' | '1126F';
  readonly score: string;
  readonly evidence: readonly string[];
  readonly encounterId?: string;
}

const fires: readonly FiringCase[] = [
  {
    name: 'score 6 → 1125F',
    resources: [...onChemo(), aPainScore(6)],
    code: '1125F',
    score: '6/10',
    evidence: ['Observation/pain-1', ...CHEMO_VISIT_EVIDENCE],
  },
  {
    name: 'score 0 → 1126F',
    resources: [...onChemo(), aPainScore(0)],
    code: '1126F',
    score: '0/10',
    evidence: ['Observation/pain-1', ...CHEMO_VISIT_EVIDENCE],
  },
  {
    name: 'fractional score 0.205 (as Synthea writes it) reads 0 → 1126F',
    resources: [...onChemo(), aPainScore(0.205)],
    code: '1126F',
    score: '0/10',
    evidence: ['Observation/pain-1', ...CHEMO_VISIT_EVIDENCE],
  },
  {
    name: 'fractional score 5.8 reads 6 → 1125F',
    resources: [...onChemo(), aPainScore(5.8)],
    code: '1125F',
    score: '6/10',
    evidence: ['Observation/pain-1', ...CHEMO_VISIT_EVIDENCE],
  },
  {
    name: 'valueInteger 2 → 1125F',
    resources: [...onChemo(), anIntegerPainScore(2)],
    code: '1125F',
    score: '2/10',
    evidence: ['Observation/pain-1', ...CHEMO_VISIT_EVIDENCE],
  },
  {
    name: "coded 38208-5 'Severe' → 1125F",
    resources: [...onChemo(), aCodedPainScore('Severe')],
    code: '1125F',
    score: 'Severe',
    evidence: ['Observation/pain-1', ...CHEMO_VISIT_EVIDENCE],
  },
  {
    name: "coded 38208-5 'None' → 1126F",
    resources: [...onChemo(), aCodedPainScore('None')],
    code: '1126F',
    score: 'None',
    evidence: ['Observation/pain-1', ...CHEMO_VISIT_EVIDENCE],
  },
  {
    name: 'last score 0 after an earlier 7 → 1126F citing the last score',
    resources: [
      ...onChemo(),
      aPainScore(7, { effectiveDateTime: '2025-05-14T14:05:00Z' }),
      aPainScore(0, { id: 'pain-2', effectiveDateTime: '2025-05-14T14:50:00Z' }),
    ],
    code: '1126F',
    score: '0/10',
    evidence: ['Observation/pain-2', ...CHEMO_VISIT_EVIDENCE],
  },
  {
    name: 'preliminary score 6 → 1125F',
    resources: [...onChemo(), aPainScore(6, { status: 'preliminary' })],
    code: '1125F',
    score: '6/10',
    evidence: ['Observation/pain-1', ...CHEMO_VISIT_EVIDENCE],
  },
  {
    name: 'interference 77565-0 next to an intensity score 3: the intensity score decides → 1125F',
    resources: [...onChemo(), anInterferenceScore(0), aPainScore(3)],
    code: '1125F',
    score: '3/10',
    evidence: ['Observation/pain-1', ...CHEMO_VISIT_EVIDENCE],
  },
  {
    name: '0521F already coded (not a #143 code) → still 1125F',
    resources: [...onChemo(), aPainScore(6), aCodedProcedure('0521F')],
    code: '1125F',
    score: '6/10',
    evidence: ['Observation/pain-1', ...CHEMO_VISIT_EVIDENCE],
  },
  {
    name: '1125F on a cancelled Claim does not count as captured',
    resources: [...onChemo(), aPainScore(6), aDraftClaim([{ code: '1125F' }], { status: 'cancelled' })],
    code: '1125F',
    score: '6/10',
    evidence: ['Observation/pain-1', ...CHEMO_VISIT_EVIDENCE],
  },
  {
    name: 'RT visit 77427 (enc-rt), score 0 three days before → 1126F',
    resources: [aCancer(), aPainScoreOn(-3, 0)],
    encounter: aVisitTyped('77427', { id: 'enc-rt' }),
    code: '1126F',
    score: '0/10',
    evidence: ['Observation/pain-1', 'Condition/cancer-1'],
    encounterId: 'enc-rt',
  },
];

interface SilentCase {
  readonly name: string;
  readonly resources: readonly Resource[];
  readonly encounter?: Encounter;
  readonly settings?: Partial<RuleSettings>;
}

const silent: readonly SilentCase[] = [
  { name: '1125F already coded as a Procedure', resources: [...onChemo(), aPainScore(6), aCodedProcedure('1125F')] },
  { name: '1126F already coded as a Procedure', resources: [...onChemo(), aPainScore(0), aCodedProcedure('1126F')] },
  {
    name: '1126F already coded although the score is 6 (PAIN-006 territory)',
    resources: [...onChemo(), aPainScore(6), aCodedProcedure('1126F')],
  },
  {
    name: '1125F on a draft Claim line',
    resources: [...onChemo(), aPainScore(6), aDraftClaim([{ code: '99213' }, { code: '1125F' }])],
  },
  {
    name: '1126F on a draft Claim line',
    resources: [...onChemo(), aPainScore(0), aDraftClaim([{ code: '99213' }, { code: '1126F' }])],
  },
  {
    name: '1125F with modifier 8P on a draft Claim line',
    resources: [...onChemo(), aPainScore(6), aDraftClaim([{ code: '1125F', modifiers: ['8P'] }])],
  },
  {
    name: "'1125F-8P' written as one code on a Procedure",
    resources: [...onChemo(), aPainScore(6), aCodedProcedure('1125F-8P')],
  },
  {
    name: 'settings reportQualityDataCodes: false (registry reporting)',
    resources: [...onChemo(), aPainScore(6)],
    settings: { reportQualityDataCodes: false },
  },
  { name: 'only a BPI interference score 77565-0', resources: [...onChemo(), anInterferenceScore(6)] },
  { name: 'intensity score without a value', resources: [...onChemo(), aPainScoreWithoutValue()] },
  { name: 'score entered-in-error', resources: [...onChemo(), aPainScore(6, { status: 'entered-in-error' })] },
  { name: 'score cancelled', resources: [...onChemo(), aPainScore(6, { status: 'cancelled' })] },
  { name: 'score on another day', resources: [...onChemo(), aPainScoreOn(-1, 6)] },
  { name: 'no score at all', resources: onChemo() },
  { name: 'no cancer', resources: [aChemo(-10), aPainScore(6)] },
  {
    name: 'cancer resolved',
    resources: [
      aCancer({ clinicalStatus: conditionStatus.clinical('resolved'), abatementDateTime: '2025-01-01' }),
      aChemo(-10),
      aPainScore(6),
    ],
  },
  { name: 'no chemo in the 30 days before', resources: [aCancer(), aChemo(-40), aPainScore(6)] },
  {
    name: 'non-E/M infusion-only visit (type 96413)',
    resources: [...onChemo(), aPainScore(6)],
    encounter: aVisitTyped('96413'),
  },
  {
    name: 'encounter cancelled',
    resources: [...onChemo(), aPainScore(6)],
    encounter: aVisit({ status: 'cancelled' }),
  },
];

describe('PAIN-005 pain quantified but 1125F / 1126F not captured', () => {
  it.each(fires)('fires: $name', ({ resources, encounter, code, score, evidence, encounterId }) => {
    const finding = onlyFinding(evaluate(resources, encounter));
    expect(finding.ruleId).toBe('PAIN-005');
    expect(finding.params).toEqual({ score, code });
    expect(finding.evidence).toEqual(evidence);
    expectCategoryIiCreate(finding, code, evidence[0]!, encounterId);
  });

  it.each(silent)('does not fire: $name', ({ resources, encounter, settings }) => {
    expect(evaluate(resources, encounter, settings)).toEqual([]);
  });

  it('suggests 1125F with its descriptor for pain present and 1126F for no pain', () => {
    const present = onlyFinding(evaluate([...onChemo(), aPainScore(6)]));
    const absent = onlyFinding(evaluate([...onChemo(), aPainScore(0)]));
    const coding = (f: typeof present) => (f.actions?.[0]?.resource as { code?: { coding?: unknown[] } }).code?.coding;
    expect(coding(present)).toEqual([
      { system: 'http://www.ama-assn.org/go/cpt', code: '1125F', display: 'Pain severity quantified; pain present' },
    ]);
    expect(coding(absent)).toEqual([
      { system: 'http://www.ama-assn.org/go/cpt', code: '1126F', display: 'Pain severity quantified; no pain present' },
    ]);
  });
});
