import { SYSTEM } from '../../terminology/systems.js';
import type { Rule } from '../types.js';
import { CATEGORY_II, createCategoryIiProcedure } from './category-ii.js';
import { painPlanSituation } from './pain-plan-rules.js';

/*
 * PAIN-004 Plan of care documented but 0521F not captured (CODER).
 * FIRM for the code: 0521F = plan of care to address pain documented, MIPS #144 Performance Met [S5, S8]; capturing it
 * as a FHIR Procedure is JUDGMENT (catalogue 5). Fires at a #144 visit (pain present at a chemo or RT visit for active
 * cancer) with plan evidence from this visit and neither 0521F nor 0521F-8P on the encounter; suggests creating the
 * 0521F Procedure. Silent when 0521F or 0521F-8P is present, pain is absent (1126F visits are outside #144), or the plan
 * evidence is from another visit (the measure is per visit).
 */
export const pain004Add0521F: Rule = {
  id: 'PAIN-004',
  title: 'Plan of care documented but 0521F not captured',
  grounding: 'FIRM',
  sources: [
    'MIPS Quality #144, Performance Met 0521F [S5, S8]',
    'CDS Hooks 2.0 suggestions with a create action [S20]',
  ],
  // Plan evidence is positive evidence: whichever plan sources were sent are enough, so they are not required here
  // (PAIN-003, which asserts that no plan exists, does require them).
  reads: ['Encounter', 'Condition', 'Procedure', 'MedicationAdministration', 'Observation'],
  enabledByDefault: true,
  card: { default: ['score'] },
  evaluate(context) {
    const situation = painPlanSituation(context);
    if (!situation || situation.plan.length === 0) {
      return [];
    }
    if (context.facts.codes.withCode(SYSTEM.cpt, CATEGORY_II.planDocumented.code).length > 0) {
      return [];
    }
    return [
      {
        params: { score: situation.score.display ?? 'pain' },
        evidence: [situation.score.reference, ...situation.plan],
        actions: [createCategoryIiProcedure(context.facts, CATEGORY_II.planDocumented, situation.score.reference)],
      },
    ];
  },
};
