import { lastIntensityScore, type PainScore } from '../../facts/pain-scores.js';
import type { RuleContext } from '../types.js';
import { painMeasureVisits } from './pain-visit.js';

/** What PAIN-003 and PAIN-004 share: a #144 visit (pain present at a chemo or RT visit) and its plan evidence. */
export interface PainPlanSituation {
  readonly score: PainScore;
  readonly plan: readonly string[];
  readonly visitEvidence: readonly string[];
}

/**
 * MIPS #144's denominator as knowable at signing: a chemotherapy or radiation visit (PAIN-001/002 eligibility) at
 * which the last intensity score of the visit says pain is present (> 0, or a coded answer other than none) [S5, S6].
 * The BPI interference score (77565-0) never decides presence.
 */
export function painPlanSituation(context: RuleContext): PainPlanSituation | undefined {
  for (const visit of painMeasureVisits(context)) {
    const score = lastIntensityScore(context.facts.painScoresIn(visit.window));
    if (score?.painPresent === true) {
      return { score, plan: context.facts.painPlanEvidence, visitEvidence: visit.evidence };
    }
  }
  return undefined;
}
