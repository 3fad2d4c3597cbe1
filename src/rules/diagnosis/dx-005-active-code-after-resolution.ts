import { conditionIcd10, isAssertedCondition } from '../diagnoses.js';
import { cancerTreatmentToday } from '../treatment.js';
import type { Rule } from '../types.js';
import { encounterCoding, referencesOf } from './dx-common.js';

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
  evaluate(snapshot, { terminology }) {
    if (cancerTreatmentToday(snapshot, terminology).length > 0) {
      return [];
    }
    const coding = encounterCoding(snapshot, terminology);
    for (const diagnosis of coding.having('icd10-malignancy-or-uncertain')) {
      if (coding.is(diagnosis, 'icd10-malignancy-in-remission')) {
        continue;
      }
      const sameCode = snapshot.conditions.filter((c) => conditionIcd10(c, terminology) === diagnosis.code);
      const candidates = (diagnosis.condition ? [diagnosis.condition, ...sameCode] : sameCode).filter(
        isAssertedCondition,
      );
      const status = (c: (typeof candidates)[number]) => c.clinicalStatus?.coding?.[0]?.code ?? '';
      const stillActive = candidates.some((c) => ['active', 'recurrence', 'relapse'].includes(status(c)));
      const resolved = candidates.find(
        (c) => closedStatuses.has(status(c)) && (c.abatementDateTime !== undefined || c.abatementPeriod !== undefined),
      );
      if (resolved && !stillActive) {
        return [
          {
            ruleId: 'DX-005',
            params: { code: diagnosis.code },
            evidence: [...new Set([...referencesOf([diagnosis]), `Condition/${resolved.id ?? ''}`])],
          },
        ];
      }
    }
    return [];
  },
};
