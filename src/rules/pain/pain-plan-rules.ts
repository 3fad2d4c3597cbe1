import type { PatientSnapshot } from '../../fhir/snapshot.js';
import type { RuleContext } from '../types.js';
import { lastIntensityScore, painMeasureVisits, painPlanEvidence, painScoresIn, type PainScore } from './pain-visit.js';

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
export function painPlanSituation(snapshot: PatientSnapshot, context: RuleContext): PainPlanSituation | undefined {
  for (const visit of painMeasureVisits(snapshot, context)) {
    const score = lastIntensityScore(painScoresIn(snapshot, visit.window, context.terminology));
    if (score?.painPresent === true) {
      return { score, plan: painPlanEvidence(snapshot, context.terminology), visitEvidence: visit.evidence };
    }
  }
  return undefined;
}
