import type { Rule } from '../types.js';
import { referencesOf } from './dx-common.js';

/*
 * DX-010 Secondary neoplasm without primary, history or unknown-primary code (CODER). JUDGMENT built on the
 * guideline content on secondary neoplasms and C80.1 [S19a]. Fires when C77-C79 (or C7B) is on the encounter and no
 * primary malignancy (C00-C76, C7A, C81-C96), no Z85 and no C80.1 is.
 */
export const dx010SecondaryWithoutPrimary: Rule = {
  id: 'DX-010',
  title: 'Secondary neoplasm without primary, history or unknown-primary code',
  grounding: 'JUDGMENT',
  sources: ['ICD-10-CM Official Guidelines I.C.2 secondary neoplasms and C80.1 (via [S19a])'],
  reads: ['Encounter', 'Condition'],
  enabledByDefault: true,
  card: { default: ['code'] },
  evaluate({ facts }) {
    const coding = facts.diagnoses;
    const secondary = coding.having('icd10-secondary-malignancy');
    if (
      secondary.length === 0 ||
      coding.having('icd10-primary-malignancy').length > 0 ||
      coding.having('icd10-personal-history-of-malignancy').length > 0 ||
      coding.hasCode('C80.1')
    ) {
      return [];
    }
    return [
      {
        params: { code: secondary.map((d) => d.code).join(', ') },
        evidence: referencesOf(secondary),
      },
    ];
  },
};
