import type { Rule } from '../types.js';
import { isNeoplasmCode, isTreatedNeoplasm, referencesOf } from './dx-common.js';

/*
 * DX-002 Z51.x without a neoplasm code (CODER). FIRM (secondary): with Z51.0/Z51.11/Z51.12 the malignancy being
 * treated is coded as an additional diagnosis [S19b]. Fires when a Z51 code is on the encounter and no C00-C96,
 * D37-D49 or D00-D09 (in situ, when treated) code is. Silent when no Z51 is coded.
 */
export const dx002Z51WithoutNeoplasm: Rule = {
  id: 'DX-002',
  title: 'Z51.x without a neoplasm code',
  grounding: 'FIRM (secondary)',
  sources: ['ICD-10-CM Official Guidelines I.C.2.e (via [S19b])'],
  reads: ['Encounter', 'Condition'],
  enabledByDefault: true,
  card: { default: ['code'] },
  evaluate({ facts, terminology }) {
    const coding = facts.diagnoses;
    const z51 = coding.having('icd10-antineoplastic-therapy-encounter');
    if (z51.length === 0 || coding.diagnoses.some((d) => isTreatedNeoplasm(coding, d))) {
      return [];
    }
    // Catalogue "Do NOT fire when": the drug was given for a non-neoplastic condition (Z51.1- does not apply: DX-003).
    const indications = facts.indicationsToday.flatMap((i) => (i.code !== undefined ? [i.code] : []));
    if (indications.length > 0 && !indications.some((code) => isNeoplasmCode(terminology, code))) {
      return [];
    }
    return [{ params: { code: z51.map((d) => d.code).join(', ') }, evidence: referencesOf(z51) }];
  },
};
