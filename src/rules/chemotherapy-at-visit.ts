import type { RuleContext } from './types.js';

export interface ChemotherapyStatus {
  /** confirmed: chemo before and after (or planned); likely: before only, nothing after visible yet. */
  readonly certainty: 'confirmed' | 'likely';
  readonly evidence: readonly string[];
}

/**
 * CMS157 population 1 as knowable at signing (catalogue 1.3, JUDGMENT): chemotherapy on the visit day or in the
 * look-back window, plus another on a different day in the look-ahead window or an active antineoplastic order.
 */
export function chemotherapyAtVisit(context: RuleContext): ChemotherapyStatus | undefined {
  // Several rules ask within one evaluation (one context); the answer is worked out once.
  if (answers.has(context)) {
    return answers.get(context);
  }
  const status = workOut(context);
  answers.set(context, status);
  return status;
}

const answers = new WeakMap<RuleContext, ChemotherapyStatus | undefined>();

function workOut({ facts, settings }: RuleContext): ChemotherapyStatus | undefined {
  const day = facts.visit.day;
  if (day === undefined) {
    return undefined;
  }
  const { chemoLookbackDays, chemoLookaheadDays } = settings;
  const events = facts.chemotherapyEvents;
  const before = events.filter((e) => e.day >= day - chemoLookbackDays && e.day <= day);
  if (before.length === 0) {
    return undefined;
  }
  const after = events.filter(
    (e) => e.day >= day && e.day <= day + chemoLookaheadDays && before.some((b) => b.day !== e.day),
  );
  const planned = facts.plannedChemotherapy;
  const evidence = [...new Set([...before, ...after].map((e) => e.reference).concat(planned))];
  return { certainty: after.length > 0 || planned.length > 0 ? 'confirmed' : 'likely', evidence };
}
