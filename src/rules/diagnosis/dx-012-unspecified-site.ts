import type { Rule } from '../types.js';
import { referencesOf } from './dx-common.js';
import { SYSTEM } from '../../terminology/systems.js';

/*
 * DX-012 Unspecified malignancy code when a specific site is documented (CODER). FIRM (secondary): C80.1 only when no
 * site can be determined [S19a]; "code to the highest specificity" (seed 004). Detection is JUDGMENT: fires when C80.0
 * or C80.1 is on the encounter while the problem list holds an active primary malignancy with a site (C00-C76, C7A,
 * C81-C96).
 */
export const dx012UnspecifiedSite: Rule = {
  id: 'DX-012',
  title: 'Unspecified malignancy code when a specific site is documented',
  grounding: 'FIRM (secondary)',
  sources: ['ICD-10-CM Official Guidelines I.C.2.l, C80.1 (via [S19a])', 'Seed 004 (specificity)'],
  reads: ['Encounter', 'Condition'],
  enabledByDefault: true,
  card: { default: ['code'] },
  evaluate({ facts, terminology }) {
    const coding = facts.diagnoses;
    const unspecified = coding.having('icd10-malignancy-without-site');
    if (unspecified.length === 0) {
      return [];
    }
    for (const condition of facts.conditions) {
      const code = condition.icd10;
      if (
        code !== undefined &&
        condition.problemList &&
        condition.active &&
        condition.asserted &&
        terminology.has('icd10-primary-malignancy', { system: SYSTEM.icd10cm, code })
      ) {
        return [
          {
            params: { code },
            evidence: [...referencesOf(unspecified), condition.reference],
          },
        ];
      }
    }
    return [];
  },
};
