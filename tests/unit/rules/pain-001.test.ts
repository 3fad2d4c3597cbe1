import type { Encounter, Observation, Resource } from 'fhir/r4.js';
import { describe, expect, it } from 'vitest';
import { pain001ChemoPainNotQuantified } from '../../../src/rules/pain/pain-001-chemo-pain-not-quantified.js';
import type { RuleSettings } from '../../../src/config/rule-settings.js';
import {
  aCancer,
  aChemo,
  aChemoAdministration,
  aChemoOrder,
  aCodedPainScore,
  anInterferenceScore,
  anUntypedVisit,
  aPainScore,
  aPainScoreOn,
  aSnomedCancer,
  aVisit,
  aVisitTyped,
  CHEMO_SNOMED,
  concept,
  conditionStatus,
  dayAt,
  ENCOUNTER,
  ICD10,
  onChemo,
  onlyFinding,
  run,
  SNOMED,
} from '../../../test-support/pain-builders.js';

/*
 * PAIN-001 (pain intensity not quantified at a chemotherapy visit), rule in isolation on hand-made resources around
 * enc-1, an office visit (CPT 99213) on 2025-05-14. Guards come from the rule's header comment and from
 * oncology-rules.md PAIN-001 "Do NOT fire when" and section 1.3 (signing-time eligibility: chemo on the visit day or
 * in the 30 days before, "likely" unless another chemo after it or an antineoplastic order is visible).
 */

const evaluate = (resources: readonly Resource[], encounter?: Encounter, settings?: Partial<RuleSettings>) =>
  run(pain001ChemoPainNotQuantified, resources, {
    ...(encounter !== undefined ? { encounter } : {}),
    ...(settings !== undefined ? { settings } : {}),
  });

interface FiringCase {
  readonly name: string;
  readonly resources: readonly Resource[];
  readonly encounter?: Encounter;
  readonly settings?: Partial<RuleSettings>;
  readonly variant: 'likely' | 'default';
  /** Evidence after the encounter reference: cancers first, then chemotherapy (before, after), then orders. */
  readonly evidence: readonly string[];
}

const fires: readonly FiringCase[] = [
  {
    name: 'active ICD-10 cancer, chemo (CPT 96413) 10 days before, nothing after: likely',
    resources: onChemo(),
    variant: 'likely',
    evidence: ['Condition/cancer-1', 'Procedure/chemo-1'],
  },
  {
    name: 'SNOMED-only cancer (254637007, as Synthea sends it), chemo 10 days before: likely',
    resources: [aSnomedCancer(), aChemo(-10)],
    variant: 'likely',
    evidence: ['Condition/cancer-sct', 'Procedure/chemo-1'],
  },
  {
    name: 'chemo coded SNOMED 703423002 10 days before: likely',
    resources: [aCancer(), aChemo(-10, { code: CHEMO_SNOMED })],
    variant: 'likely',
    evidence: ['Condition/cancer-1', 'Procedure/chemo-1'],
  },
  {
    name: 'chemo given as an antineoplastic MedicationAdministration (carboplatin) 10 days before: likely',
    resources: [aCancer(), aChemoAdministration(-10)],
    variant: 'likely',
    evidence: ['Condition/cancer-1', 'MedicationAdministration/ma-carbo'],
  },
  {
    name: 'chemo exactly 30 days before (edge of the look-back): likely',
    resources: [aCancer(), aChemo(-30)],
    variant: 'likely',
    evidence: ['Condition/cancer-1', 'Procedure/chemo-1'],
  },
  {
    name: 'chemo 10 days before and another 14 days after: confirmed (default)',
    resources: [...onChemo(), aChemo(14, { id: 'chemo-2' })],
    variant: 'default',
    evidence: ['Condition/cancer-1', 'Procedure/chemo-1', 'Procedure/chemo-2'],
  },
  {
    name: 'chemo 10 days before and an active antineoplastic order: confirmed (default)',
    resources: [...onChemo(), aChemoOrder()],
    variant: 'default',
    evidence: ['Condition/cancer-1', 'Procedure/chemo-1', 'MedicationRequest/chemo-order'],
  },
  {
    name: 'same-day chemo only: likely (a same-day chemo cannot be both the before and the after one)',
    resources: [aCancer(), aChemo(0)],
    variant: 'likely',
    evidence: ['Condition/cancer-1', 'Procedure/chemo-1'],
  },
  {
    name: 'same-day chemo and another 14 days after: confirmed (default)',
    resources: [aCancer(), aChemo(0), aChemo(14, { id: 'chemo-2' })],
    variant: 'default',
    evidence: ['Condition/cancer-1', 'Procedure/chemo-1', 'Procedure/chemo-2'],
  },
  {
    name: 'cancer with clinicalStatus recurrence',
    resources: [aCancer({ clinicalStatus: conditionStatus.clinical('recurrence') }), aChemo(-10)],
    variant: 'likely',
    evidence: ['Condition/cancer-1', 'Procedure/chemo-1'],
  },
  {
    name: 'cancer with clinicalStatus relapse',
    resources: [aCancer({ clinicalStatus: conditionStatus.clinical('relapse') }), aChemo(-10)],
    variant: 'likely',
    evidence: ['Condition/cancer-1', 'Procedure/chemo-1'],
  },
  {
    name: 'telehealth encounter (SNOMED 448337001)',
    resources: onChemo(),
    encounter: aVisit({ type: [concept(SNOMED, '448337001', 'Telemedicine consultation with patient')] }),
    variant: 'likely',
    evidence: ['Condition/cancer-1', 'Procedure/chemo-1'],
  },
  {
    name: 'open encounter (no period end) on the visit day',
    resources: onChemo(),
    encounter: aVisit({ period: { start: '2025-05-14T14:00:00Z' } }),
    variant: 'likely',
    evidence: ['Condition/cancer-1', 'Procedure/chemo-1'],
  },
  {
    name: 'no Encounter.type, with settings requireOfficeOrTelehealthVisit: false',
    resources: onChemo(),
    encounter: anUntypedVisit(),
    settings: { requireOfficeOrTelehealthVisit: false },
    variant: 'likely',
    evidence: ['Condition/cancer-1', 'Procedure/chemo-1'],
  },
  {
    name: 'infusion-only encounter (type CPT 96413), with settings requireOfficeOrTelehealthVisit: false',
    resources: onChemo(),
    encounter: aVisitTyped('96413'),
    settings: { requireOfficeOrTelehealthVisit: false },
    variant: 'likely',
    evidence: ['Condition/cancer-1', 'Procedure/chemo-1'],
  },
  {
    name: 'a pain score on another day (the day before the visit)',
    resources: [...onChemo(), aPainScoreOn(-1, 5)],
    variant: 'likely',
    evidence: ['Condition/cancer-1', 'Procedure/chemo-1'],
  },
  {
    name: 'a pain score on another day (the day after the visit)',
    resources: [...onChemo(), aPainScoreOn(1, 5)],
    variant: 'likely',
    evidence: ['Condition/cancer-1', 'Procedure/chemo-1'],
  },
  {
    name: 'the only pain score during the visit is entered-in-error',
    resources: [...onChemo(), aPainScore(5, { status: 'entered-in-error' })],
    variant: 'likely',
    evidence: ['Condition/cancer-1', 'Procedure/chemo-1'],
  },
  {
    name: 'the only pain score during the visit is cancelled',
    resources: [...onChemo(), aPainScore(5, { status: 'cancelled' })],
    variant: 'likely',
    evidence: ['Condition/cancer-1', 'Procedure/chemo-1'],
  },
  {
    name: 'an observation during the visit that is not a pain tool (LOINC 8867-4 heart rate)',
    resources: [...onChemo(), aPainScore(72, { code: concept('http://loinc.org', '8867-4', 'Heart rate') })],
    variant: 'likely',
    evidence: ['Condition/cancer-1', 'Procedure/chemo-1'],
  },
];

interface SilentCase {
  readonly name: string;
  readonly resources: readonly Resource[];
  readonly encounter?: Encounter;
  readonly settings?: Partial<RuleSettings>;
}

const cancerWith = (clinical: string, extra: Parameters<typeof aCancer>[0] = {}) =>
  aCancer({ clinicalStatus: conditionStatus.clinical(clinical), ...extra });

const silent: readonly SilentCase[] = [
  // eligibility: chemotherapy
  { name: 'chemo 40 days before (outside the 30-day look-back)', resources: [aCancer(), aChemo(-40)] },
  { name: 'chemo 31 days before (one day outside the look-back)', resources: [aCancer(), aChemo(-31)] },
  {
    name: 'chemo 40 days before, even with an antineoplastic order',
    resources: [aCancer(), aChemo(-40), aChemoOrder()],
  },
  { name: 'no chemotherapy at all', resources: [aCancer()] },
  { name: 'chemo only after the visit (14 days after)', resources: [aCancer(), aChemo(14)] },
  { name: 'chemo Procedure not-done', resources: [aCancer(), aChemo(-10, { status: 'not-done' })] },
  {
    name: 'Procedure 10 days before that is not chemotherapy (CPT 36415 venipuncture)',
    resources: [aCancer(), aChemo(-10, { code: concept('http://www.ama-assn.org/go/cpt', '36415') })],
  },
  // eligibility: cancer
  { name: 'no cancer Condition', resources: [aChemo(-10)] },
  {
    name: 'cancer resolved (abated before the visit)',
    resources: [cancerWith('resolved', { abatementDateTime: dayAt(-60) }), aChemo(-10)],
  },
  { name: 'cancer in remission', resources: [cancerWith('remission'), aChemo(-10)] },
  { name: 'cancer inactive', resources: [cancerWith('inactive'), aChemo(-10)] },
  {
    name: 'cancer refuted',
    resources: [aCancer({ verificationStatus: conditionStatus.verification('refuted') }), aChemo(-10)],
  },
  {
    name: 'cancer verification entered-in-error',
    resources: [aCancer({ verificationStatus: conditionStatus.verification('entered-in-error') }), aChemo(-10)],
  },
  { name: 'cancer onset the day after the visit', resources: [aCancer({ onsetDateTime: dayAt(1) }), aChemo(-10)] },
  {
    name: 'active cancer whose abatement is before the visit',
    resources: [aCancer({ abatementDateTime: dayAt(-5) }), aChemo(-10)],
  },
  {
    name: 'a Condition that is not cancer (ICD-10 G89.3 neoplasm related pain)',
    resources: [aCancer({ code: concept(ICD10, 'G89.3') }), aChemo(-10)],
  },
  // the encounter
  { name: 'encounter cancelled', resources: onChemo(), encounter: aVisit({ status: 'cancelled' }) },
  { name: 'encounter entered-in-error', resources: onChemo(), encounter: aVisit({ status: 'entered-in-error' }) },
  { name: 'no Encounter.type (default settings)', resources: onChemo(), encounter: anUntypedVisit() },
  {
    name: 'infusion-only encounter typed CPT 96413 (default settings)',
    resources: onChemo(),
    encounter: aVisitTyped('96413'),
  },
  {
    name: 'nurse visit 99211 (not in the CMS157 Office Visit value set)',
    resources: onChemo(),
    encounter: aVisitTyped('99211'),
  },
  // a pain assessment during the visit, whatever its instrument or counted status
  { name: 'final 0-10 score (72514-3) during the visit', resources: [...onChemo(), aPainScore(6)] },
  { name: 'a score of 0 during the visit', resources: [...onChemo(), aPainScore(0)] },
  {
    name: 'preliminary score during the visit',
    resources: [...onChemo(), aPainScore(6, { status: 'preliminary' })],
  },
  { name: 'amended score during the visit', resources: [...onChemo(), aPainScore(6, { status: 'amended' })] },
  { name: 'corrected score during the visit', resources: [...onChemo(), aPainScore(6, { status: 'corrected' })] },
  { name: 'registered score during the visit', resources: [...onChemo(), aPainScore(6, { status: 'registered' })] },
  {
    name: 'score with status unknown during the visit (any status but cancelled/entered-in-error counts)',
    resources: [...onChemo(), aPainScore(6, { status: 'unknown' })],
  },
  {
    name: 'score during the visit without an encounter link',
    resources: [...onChemo(), aPainScoreOn(0, 6)],
  },
  {
    name: 'coded pain severity 38208-5 during the visit',
    resources: [...onChemo(), aCodedPainScore('Moderate')],
  },
  {
    name: 'BPI interference score 77565-0 during the visit (it is a pain assessment)',
    resources: [...onChemo(), anInterferenceScore(4)],
  },
  {
    name: 'evening visit, open encounter started 18:30 -05:00, score at 19:10 -05:00 the same local day',
    resources: [...onChemo(), aPainScore(6, { effectiveDateTime: '2025-05-14T19:10:00-05:00' })],
    encounter: aVisit({ period: { start: '2025-05-14T18:30:00-05:00' } }),
  },
  {
    name: 'confirmed visit (chemo before and after) with a score',
    resources: [...onChemo(), aChemo(14, { id: 'chemo-2' }), aPainScore(3)],
  },
];

describe('PAIN-001 pain intensity not quantified at a chemotherapy visit', () => {
  it.each(fires)('fires: $name', ({ resources, encounter, settings, variant, evidence }) => {
    const finding = onlyFinding(evaluate(resources, encounter, settings));
    expect(finding).toEqual({ ruleId: 'PAIN-001', variant, params: {}, evidence: [ENCOUNTER, ...evidence] });
  });

  it.each(silent)('does not fire: $name', ({ resources, encounter, settings }) => {
    expect(evaluate(resources, encounter, settings)).toEqual([]);
  });

  it('an earlier pain score on another day does not silence the card, one during the visit does', () => {
    const yesterday: Observation = aPainScoreOn(-1, 4, { id: 'pain-0' });
    expect(evaluate([...onChemo(), yesterday])).toHaveLength(1);
    expect(evaluate([...onChemo(), yesterday, aPainScore(4)])).toEqual([]);
  });

  it('puts every cancer active at the visit in evidence, and no inactive one', () => {
    const resolved = aCancer({
      id: 'cancer-old',
      clinicalStatus: conditionStatus.clinical('resolved'),
      abatementDateTime: dayAt(-400),
    });
    const finding = onlyFinding(evaluate([aCancer(), aSnomedCancer(), resolved, aChemo(-10)]));
    expect(finding.evidence).toEqual([ENCOUNTER, 'Condition/cancer-1', 'Condition/cancer-sct', 'Procedure/chemo-1']);
  });
});
