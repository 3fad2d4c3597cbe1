import type { Rule } from '../types.js';
import { painMeasureVisits } from './pain-visit.js';

/*
 * PAIN-001 Pain intensity not quantified at a chemotherapy visit (CLIN).
 * FIRM: CMS157 population 1 and numerator 1 (MIPS #143) [S1, S3, S7]; the signing-time eligibility proxy is
 * JUDGMENT (catalogue 1.3): chemotherapy on the visit day or in the 30 days before it, and another on a different
 * day in the 30 days after or an active antineoplastic order; with only the first, the card says "likely".
 * Differences from the measure, on purpose: the encounter need not be finished nor in a measurement period, and a
 * pain score of any status but cancelled/entered-in-error silences the card (CMS157 counts only final scores).
 * Silent when: no active cancer overlapping the visit, no chemotherapy in the look-back window, the encounter is not
 * an Office Visit or telehealth encounter (site setting), the encounter is cancelled, or any pain assessment
 * (including 77565-0) was recorded during the visit days.
 * Not implementable from FHIR data: the guard "unable to self-report with an observational scale under a local code"
 * (local codes are unknowable here); map such codes into the pain-tool value set instead.
 */
export const pain001ChemoPainNotQuantified: Rule = {
  id: 'PAIN-001',
  title: 'Pain intensity not quantified at a chemotherapy visit',
  grounding: 'FIRM',
  sources: [
    'CMS157 / OncologyPainIntensityQuantifiedFHIR 0.3.000, population 1 and numerator 1 [S1]',
    'MIPS Quality #143 (eCQM CMS157v13/v14) [S3, S7]',
  ],
  reads: ['Encounter', 'Condition', 'Procedure', 'MedicationAdministration', 'Observation'],
  enabledByDefault: true,
  card: { default: [], likely: [] },
  evaluate(context) {
    const visit = painMeasureVisits(context).find((v) => v.kind === 'chemotherapy');
    if (!visit || context.facts.painScoresIn(visit.window).length > 0) {
      return [];
    }
    return [
      {
        variant: visit.certainty === 'likely' ? 'likely' : 'default',
        params: {},
        evidence: [context.facts.visit.reference ?? '', ...visit.evidence].filter(Boolean),
      },
    ];
  },
};
