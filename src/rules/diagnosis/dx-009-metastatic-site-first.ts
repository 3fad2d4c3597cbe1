import { SYSTEM } from '../../terminology/systems.js';
import type { Rule } from '../types.js';
import { referencesOf } from './dx-common.js';

/*
 * DX-009 Treatment aimed at the metastatic site (CODER). FIRM (secondary): when treatment is directed only at a
 * secondary site, the secondary neoplasm is first-listed even though the primary is still present [S19a]. Detection
 * is JUDGMENT: fires only when a radiation Procedure of this encounter names, in reasonReference, a Condition coded
 * as a secondary malignancy (C77-C79, C7B) while the first-listed diagnosis after any Z51 is a primary malignancy.
 * Silent for systemic chemotherapy (directed at all disease), without ranks, and without a reason link.
 */
export const dx009MetastaticSiteFirst: Rule = {
  id: 'DX-009',
  title: 'Treatment aimed at the metastatic site',
  grounding: 'JUDGMENT',
  sources: ['ICD-10-CM Official Guidelines I.C.2.b (via [S19a])', 'Seed 004 corrected (catalogue section 6)'],
  reads: ['Encounter', 'Condition', 'Procedure'],
  enabledByDefault: true,
  card: { default: ['secondary', 'primary'] },
  evaluate({ facts, terminology }) {
    const coding = facts.diagnoses;
    const ranked = coding.diagnoses.filter(
      (d) => d.rank !== undefined && !coding.is(d, 'icd10-antineoplastic-therapy-encounter'),
    );
    const first = ranked[0];
    if (!first || !coding.is(first, 'icd10-primary-malignancy')) {
      return [];
    }
    const radiationCodes = new Set(
      facts.codes
        .in('radiation-delivery')
        .concat(facts.codes.in('cms157-radiation-treatment-management'))
        .map((c) => c.reference),
    );
    for (const indication of facts.indicationsToday) {
      const code = indication.code;
      if (
        radiationCodes.has(indication.from) &&
        code !== undefined &&
        terminology.has('icd10-secondary-malignancy', { system: SYSTEM.icd10cm, code })
      ) {
        return [
          {
            params: { secondary: code, primary: first.code },
            evidence: [indication.from, indication.reference, ...referencesOf([first])],
          },
        ];
      }
    }
    return [];
  },
};
