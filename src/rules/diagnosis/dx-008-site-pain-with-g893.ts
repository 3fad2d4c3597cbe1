import type { Rule } from '../types.js';
import { referencesOf } from './dx-common.js';

/*
 * DX-008 Site-of-pain code added to G89.3 (CODER). FIRM (secondary): with G89.3 a code for the site of the pain is
 * not needed [S19f]; seed 004 agrees. Fires when G89.3 and a site-specific pain code (R10.-, R07.-, M54.5-, M25.5-)
 * are both on the encounter.
 * Not implementable from FHIR data: the guard "site pain documented as unrelated to the neoplasm" lives in free text;
 * the card's override reason "unrelated-pain" covers it.
 */
export const dx008SitePainWithG893: Rule = {
  id: 'DX-008',
  title: 'Site-of-pain code added to G89.3',
  grounding: 'FIRM (secondary)',
  sources: ['ICD-10-CM Official Guidelines I.C.6.b.5 (via [S19f])', 'Seed 004'],
  reads: ['Encounter', 'Condition'],
  enabledByDefault: true,
  card: { default: ['code'] },
  evaluate({ facts }) {
    const coding = facts.diagnoses;
    const g893 = coding.diagnoses.filter((d) => d.code === 'G89.3');
    const site = coding.having('icd10-site-of-pain');
    if (g893.length === 0 || site.length === 0) {
      return [];
    }
    return [
      {
        params: { code: site.map((d) => d.code).join(', ') },
        evidence: referencesOf([...g893, ...site]),
      },
    ];
  },
};
