import { SYSTEM } from '../../terminology/systems.js';
import type { Rule } from '../types.js';
import { CATEGORY_II } from './category-ii.js';
import { lastIntensityScore } from '../../facts/pain-scores.js';
import { painMeasureVisits } from './pain-visit.js';

/*
 * PAIN-006 Category II codes contradict the record (CODER).
 * FIRM: the code definitions [S8] and #144's denominator being the 1125F instances [S6]. Conflicts:
 *  a. 1126F coded while the last intensity score of the visit shows pain, or 1125F while it shows none;
 *  b. 0521F coded while 1126F is the only pain code (outside the #144 denominator);
 *  c. a code and its 8P (not met) form both coded (0521F with 0521F-8P, 1125F with 1125F-8P);
 *  d. 0521F-8P coded though plan evidence exists, or 1125F-8P though a pain score exists (lost Performance Met).
 * JUDGMENT for (a): when several scores were taken, the last final one in the visit's window is the one coded.
 * Reads codes from Procedures and draft Claim lines; 8P comes from a Claim modifier or a code written "0521F-8P".
 */
export const pain006CategoryIiConflict: Rule = {
  id: 'PAIN-006',
  title: 'Category II pain codes contradict the record',
  grounding: 'FIRM',
  sources: [
    'Quality-data codes 1125F / 1126F / 0521F and their 8P forms [S8]',
    'MIPS #144 denominator (1125F instances) [S6]',
  ],
  reads: ['Encounter', 'Procedure', 'Observation'],
  enabledByDefault: true,
  card: { default: ['detail', 'conflicts'] },
  evaluate(context) {
    const { facts } = context;
    const split = (code: string) => {
      const all = facts.codes.withCode(SYSTEM.cpt, code);
      return {
        met: all.filter((c) => !c.modifiers.includes('8P')),
        notMet: all.filter((c) => c.modifiers.includes('8P')),
      };
    };
    const plan = split(CATEGORY_II.planDocumented.code);
    const present = split(CATEGORY_II.painPresent.code);
    const none = split(CATEGORY_II.noPain.code);
    // The same windows PAIN-005 suggests codes from; the visit itself when it is not a pain-measure visit.
    const visit = facts.visit.interval;
    const windows = [...painMeasureVisits(context).map((v) => v.window), ...(visit ? [visit] : [])];
    const scores = [
      ...new Map(windows.flatMap((w) => facts.painScoresIn(w)).map((score) => [score.reference, score])).values(),
    ].sort((a, b) => a.time.low - b.time.low);
    const last = lastIntensityScore(scores, { finalOnly: true });

    const conflicts: { detail: string; evidence: string[] }[] = [];
    if (none.met.length > 0 && last?.painPresent === true) {
      conflicts.push({
        detail: `1126F but pain ${last.display ?? 'present'} recorded`,
        evidence: [...none.met.map((c) => c.reference), last.reference],
      });
    }
    if (present.met.length > 0 && last?.painPresent === false) {
      conflicts.push({
        detail: `1125F but no pain recorded`,
        evidence: [...present.met.map((c) => c.reference), last.reference],
      });
    }
    if (plan.met.length > 0 && none.met.length > 0 && present.met.length === 0) {
      conflicts.push({ detail: '0521F with 1126F only', evidence: [...plan.met, ...none.met].map((c) => c.reference) });
    }
    if (plan.met.length > 0 && plan.notMet.length > 0) {
      conflicts.push({
        detail: '0521F and 0521F-8P both coded',
        evidence: [...plan.met, ...plan.notMet].map((c) => c.reference),
      });
    }
    if (present.met.length > 0 && present.notMet.length > 0) {
      conflicts.push({
        detail: '1125F and 1125F-8P both coded',
        evidence: [...present.met, ...present.notMet].map((c) => c.reference),
      });
    }
    if (plan.notMet.length > 0 && plan.met.length === 0) {
      const evidence = facts.painPlanEvidence;
      if (evidence.length > 0) {
        conflicts.push({
          detail: '0521F-8P though a pain plan is documented',
          evidence: [...plan.notMet.map((c) => c.reference), ...evidence],
        });
      }
    }
    if (present.notMet.length > 0 && present.met.length === 0 && scores.some((s) => s.intensity)) {
      conflicts.push({
        detail: '1125F-8P though a pain score is recorded',
        evidence: [...present.notMet.map((c) => c.reference), ...scores.map((s) => s.reference)],
      });
    }
    const [first, ...rest] = conflicts;
    if (!first) {
      return [];
    }
    return [
      {
        params: {
          detail: rest.length > 0 ? `${first.detail}; +${rest.length} more` : first.detail,
          // Record values are data in card text (no Markdown list from a rule): the template writes the sentence.
          conflicts: conflicts.map((c) => c.detail).join('; '),
        },
        evidence: [...new Set(conflicts.flatMap((c) => c.evidence))],
      },
    ];
  },
};
