import type { Rule } from '../types.js';
import { referencesOf } from './dx-common.js';

/*
 * DX-007 G89.3 together with G89.2x (CODER). FIRM (secondary): G89.2 (chronic pain, not elsewhere classified)
 * Excludes1 neoplasm related pain [S19f]. Fires when G89.3 and any G89.2- code are both on the encounter.
 */
export const dx007G893WithG892: Rule = {
  id: 'DX-007',
  title: 'G89.3 together with G89.2x',
  grounding: 'FIRM (secondary)',
  sources: ['ICD-10-CM G89.2 Excludes1 (via [S19f])'],
  reads: ['Encounter', 'Condition'],
  enabledByDefault: true,
  card: { default: ['code'] },
  evaluate({ facts }) {
    const coding = facts.diagnoses;
    const g893 = coding.diagnoses.filter((d) => d.code === 'G89.3');
    const g892 = coding.having('icd10-chronic-pain-nec');
    if (g893.length === 0 || g892.length === 0) {
      return [];
    }
    return [
      {
        params: { code: g892.map((d) => d.code).join(', ') },
        evidence: referencesOf([...g893, ...g892]),
      },
    ];
  },
};
