import type { Rule } from '../types.js';
import { painMeasureVisits } from './pain-visit.js';

/*
 * PAIN-002 Pain not quantified for a radiation treatment-management visit (CLIN).
 * FIRM: CMS157 population 2 and numerator 2 [S1, S7]; 77427 is billed per five fractions, hence its look-back [S28].
 * Fires for an RT-management visit (Encounter.type or a same-day code 77427/77431/77432/77435, SNOMED 84755001) of a
 * patient with an active cancer overlapping it, with no pain assessment in the window: from 6 days before the visit
 * through the visit day for 77427, the visit day otherwise. Silent for cancelled encounters and when no active
 * cancer overlaps the visit. As PAIN-001, any status but cancelled/entered-in-error counts at signing.
 */
export const pain002RadiationPainNotQuantified: Rule = {
  id: 'PAIN-002',
  title: 'Pain not quantified for a radiation treatment-management visit',
  grounding: 'FIRM',
  sources: [
    'CMS157 / OncologyPainIntensityQuantifiedFHIR 0.3.000, population 2 and numerator 2 [S1]',
    'MIPS Quality #143 [S7]',
    '77427 counts five fractions [S28]',
  ],
  reads: ['Encounter', 'Condition', 'Procedure', 'Observation'],
  enabledByDefault: true,
  card: { default: ['days'] },
  evaluate(context) {
    const visit = painMeasureVisits(context).find((v) => v.kind === 'radiation');
    if (!visit || context.facts.painScoresIn(visit.window).length > 0) {
      return [];
    }
    return [
      {
        params: { days: String(Math.round((visit.window.high - visit.window.low) / 86_400_000)) },
        evidence: [context.facts.visit.reference ?? '', ...visit.evidence].filter(Boolean),
      },
    ];
  },
};
