import { SYSTEM } from '../../terminology/systems.js';
import type { Rule } from '../types.js';
import { CATEGORY_II, createCategoryIiProcedure } from './category-ii.js';
import { lastIntensityScore } from '../../facts/pain-scores.js';
import { painMeasureVisits } from './pain-visit.js';

/*
 * PAIN-005 Pain quantified but 1125F / 1126F not captured (CODER).
 * FIRM: MIPS #143 quality-data codes, 1125F pain present / 1126F no pain, Performance Met [S8, S6].
 * Fires at a chemotherapy or RT pain-measure visit with an intensity score in the window whose value says whether
 * pain is present, when none of 1125F, 1126F (or their 8P forms) is on the encounter; suggests the matching code.
 * Silent when: the only score is 77565-0 (presence cannot be decided), the score has no readable value, or the site
 * reports #143 through a registry and not with claims codes (setting reportQualityDataCodes) [S6].
 */
export const pain005Add1125F1126F: Rule = {
  id: 'PAIN-005',
  title: 'Pain quantified but 1125F / 1126F not captured',
  grounding: 'FIRM',
  sources: [
    'MIPS Quality #143 quality-data codes 1125F / 1126F [S8]',
    'MDinteractive MIPS #144 (1125F defines the #144 denominator) [S6]',
  ],
  reads: ['Encounter', 'Condition', 'Procedure', 'MedicationAdministration', 'Observation'],
  enabledByDefault: true,
  card: { default: ['score', 'code'] },
  evaluate(context) {
    if (!context.settings.reportQualityDataCodes) {
      return [];
    }
    const { codes } = context.facts;
    if (
      codes.withCode(SYSTEM.cpt, CATEGORY_II.painPresent.code).length > 0 ||
      codes.withCode(SYSTEM.cpt, CATEGORY_II.noPain.code).length > 0
    ) {
      return [];
    }
    for (const visit of painMeasureVisits(context)) {
      const score = lastIntensityScore(context.facts.painScoresIn(visit.window));
      if (score === undefined) {
        continue;
      }
      const code = score.painPresent === true ? CATEGORY_II.painPresent : CATEGORY_II.noPain;
      return [
        {
          params: { score: score.display ?? 'recorded', code: code.code },
          evidence: [score.reference, ...visit.evidence],
          actions: [createCategoryIiProcedure(context.facts, code, score.reference)],
        },
      ];
    }
    return [];
  },
};
