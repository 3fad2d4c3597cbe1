import { chemotherapyAtVisit } from '../chemotherapy-at-visit.js';
import type { Rule } from '../types.js';

/*
 * DX-013 Cancer only on the encounter, not on the problem list (CLIN). JUDGMENT, derived from the 2025 CMS157 FHIR
 * logic: population 1 reads cancer only from problem-list / health-concern Conditions (catalogue 1.3) [S1]. Fires at
 * an active-therapy visit (treatment today, or chemotherapy around the visit) when every active cancer Condition is
 * categorised encounter-diagnosis only. Silent when any cancer is on the problem list, and for Conditions with no
 * category at all (Synthea's): their status on the problem list is unknown, not absent.
 */
export const dx013CancerNotOnProblemList: Rule = {
  id: 'DX-013',
  title: 'Cancer only on the encounter, not on the problem list',
  grounding: 'JUDGMENT',
  sources: ['CMS157 / OncologyPainIntensityQuantifiedFHIR 0.3.000, ConditionProblemsHealthConcerns retrieve [S1]'],
  reads: ['Encounter', 'Condition', 'Procedure', 'MedicationAdministration'],
  enabledByDefault: true,
  card: { default: [] },
  evaluate(context) {
    const { facts } = context;
    const cancers = facts.cancersAtVisit;
    if (cancers.length === 0 || !cancers.every((c) => c.encounterDiagnosis && !c.problemList)) {
      return [];
    }
    const therapy = facts.cancerTreatmentToday;
    const chemo = chemotherapyAtVisit(context);
    if (therapy.length === 0 && !chemo) {
      return [];
    }
    return [
      {
        params: {},
        evidence: [...new Set([...cancers.map((c) => c.reference), ...therapy, ...(chemo?.evidence ?? [])])],
      },
    ];
  },
};
