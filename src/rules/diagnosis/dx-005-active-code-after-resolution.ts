import type { Rule } from '../types.js';
import { referencesOf } from './dx-common.js';

/*
 * DX-005 Active cancer code but disease resolved and no treatment (CODER). Guideline FIRM (secondary) [S19g];
 * inferring "resolved" from FHIR status is JUDGMENT. Fires when a malignancy code on the encounter matches a
 * Condition (the encounter's own, or one with the same code) whose clinicalStatus is resolved, inactive or remission
 * with an abatement date, and no cancer-directed treatment happened today. Silent for codes that themselves state
 * remission (C90.01, C91.01, C92.01, ...), when another Condition with that code is still active (residual or
 * metastatic disease documented), or when treatment was given.
 */
const closedStatuses = new Set(['resolved', 'inactive', 'remission']);

export const dx005ActiveCodeAfterResolution: Rule = {
  id: 'DX-005',
  title: 'Active cancer code but disease resolved and no treatment',
  grounding: 'JUDGMENT',
  sources: [
    'ICD-10-CM Official Guidelines I.C.2.d, history of malignancy (via [S19g])',
    'Seed 004 (active vs history)',
  ],
  reads: ['Encounter', 'Condition', 'Procedure', 'MedicationAdministration'],
  enabledByDefault: true,
  card: { default: ['code'] },
  evaluate({ facts }) {
    if (facts.cancerTreatmentToday.length > 0) {
      return [];
    }
    const coding = facts.diagnoses;
    for (const diagnosis of coding.having('icd10-malignancy-or-uncertain')) {
      if (coding.is(diagnosis, 'icd10-malignancy-in-remission')) {
        continue;
      }
      const sameCode = facts.conditions.filter((c) => c.icd10 === diagnosis.code);
      const candidates = (diagnosis.condition ? [facts.condition(diagnosis.condition), ...sameCode] : sameCode).filter(
        (c) => c.asserted,
      );
      const stillActive = candidates.some((c) => c.active);
      const resolved = candidates.find(
        (c) =>
          closedStatuses.has(c.clinicalStatus ?? '') &&
          (c.condition.abatementDateTime !== undefined || c.condition.abatementPeriod !== undefined),
      );
      if (resolved && !stillActive) {
        return [
          {
            params: { code: diagnosis.code },
            evidence: [...new Set([...referencesOf([diagnosis]), resolved.reference])],
          },
        ];
      }
    }
    return [];
  },
};
