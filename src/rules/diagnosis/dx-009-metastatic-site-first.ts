import { SYSTEM } from '../../terminology/systems.js';
import { conditionIcd10 } from '../diagnoses.js';
import { codesIn, encounterCodes } from '../billing.js';
import type { Rule } from '../types.js';
import { encounterCoding, referencesOf } from './dx-common.js';

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
  evaluate(snapshot, { terminology }) {
    const coding = encounterCoding(snapshot, terminology);
    const ranked = coding.diagnoses.filter(
      (d) => d.rank !== undefined && !coding.is(d, 'icd10-antineoplastic-therapy-encounter'),
    );
    const first = ranked[0];
    if (!first || !coding.is(first, 'icd10-primary-malignancy')) {
      return [];
    }
    const radiationCodes = new Set(
      codesIn(encounterCodes(snapshot, terminology), terminology, 'radiation-delivery')
        .concat(codesIn(encounterCodes(snapshot, terminology), terminology, 'cms157-radiation-treatment-management'))
        .map((c) => c.reference),
    );
    for (const procedure of snapshot.thisEncounter.procedures) {
      if (!radiationCodes.has(`Procedure/${procedure.id ?? ''}`)) {
        continue;
      }
      for (const reason of procedure.reasonReference ?? []) {
        const target = snapshot.resolve(reason);
        const code = target?.resourceType === 'Condition' ? conditionIcd10(target, terminology) : undefined;
        if (code !== undefined && terminology.has('icd10-secondary-malignancy', { system: SYSTEM.icd10cm, code })) {
          return [
            {
              ruleId: 'DX-009',
              params: { secondary: code, primary: first.code },
              evidence: [`Procedure/${procedure.id ?? ''}`, `Condition/${target?.id ?? ''}`, ...referencesOf([first])],
            },
          ];
        }
      }
    }
    return [];
  },
};
