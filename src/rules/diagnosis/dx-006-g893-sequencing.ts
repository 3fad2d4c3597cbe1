import type { Rule } from '../types.js';
import { referencesOf } from './dx-common.js';

/*
 * DX-006 G89.3 sequencing (CODER). FIRM (secondary): G89.3 may be first-listed only when the encounter is for pain
 * control or management, with the neoplasm as an additional code; when the visit manages the neoplasm, G89.3 is an
 * additional code [S19c, S19f]. Seed 004's "G89.3 first whenever pain is tumour-related" is corrected here.
 * (a) G89.3 ranked first while the encounter is a cancer-treatment visit (a Z51 code, or antineoplastic therapy or RT
 *     delivery today).
 * (b) the encounter's reason (Encounter.reasonCode) is pain (pain-condition value set) and G89.3 is coded but not first.
 * Silent without ranks, and for (b) when the encounter's reason is not recorded.
 */
export const dx006G893Sequencing: Rule = {
  id: 'DX-006',
  title: 'G89.3 sequencing',
  grounding: 'FIRM (secondary)',
  sources: ['ICD-10-CM Official Guidelines I.C.6.b.5 (via [S19c, S19f])', 'Seed 004 corrected (catalogue section 6)'],
  reads: ['Encounter', 'Condition', 'Procedure', 'MedicationAdministration'],
  enabledByDefault: true,
  card: { default: [], 'pain-visit': [] },
  evaluate({ facts, terminology }) {
    const coding = facts.diagnoses;
    const g893 = coding.diagnoses.filter((d) => d.code === 'G89.3');
    const first = coding.firstListed;
    if (g893.length === 0 || !first) {
      return [];
    }
    if (first.code === 'G89.3') {
      const z51 = coding.having('icd10-antineoplastic-therapy-encounter');
      const treatment = facts.cancerTreatmentToday;
      if (z51.length > 0 || treatment.length > 0) {
        return [
          {
            variant: 'default',
            params: {},
            evidence: [...referencesOf([first, ...z51]), ...treatment],
          },
        ];
      }
      return [];
    }
    if (terminology.match('pain-condition', facts.visit.reasonCodings) !== undefined) {
      return [
        {
          variant: 'pain-visit',
          params: {},
          evidence: [facts.visit.reference ?? '', ...referencesOf(g893)].filter(Boolean),
        },
      ];
    }
    return [];
  },
};
