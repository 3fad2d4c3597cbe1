import type { Rule } from '../types.js';
import { referencesOf, therapiesToday } from './dx-common.js';

/*
 * DX-003 Wrong Z51 code for the therapy given (CODER). Z51.1- for antineoplastic therapy only: FIRM (secondary)
 * [S19d]. Chemotherapy versus immunotherapy by drug class is JUDGMENT (checkpoint inhibitors: Z51.12; payers and
 * coders differ), from the immunotherapy-drug value set. Fires when Z51.11 is coded and every antineoplastic given
 * today is an immunotherapy, or Z51.12 is coded and none is. Silent when no antineoplastic administration is
 * documented today (nothing to compare with).
 * Not implementable from FHIR data: "Z51.1- with a non-neoplastic indication" needs the indication linked on the
 * administration (reasonReference), which the data here rarely carries; DX-011 covers the billed side.
 */
export const dx003WrongZ51: Rule = {
  id: 'DX-003',
  title: 'Wrong Z51 code for the therapy given',
  grounding: 'JUDGMENT',
  sources: ['ICD-10-CM Z51.1- Excludes (via [S19d])', 'Drug class split: JUDGMENT'],
  reads: ['Encounter', 'Condition', 'MedicationAdministration'],
  enabledByDefault: true,
  card: { default: ['kind', 'code'] },
  evaluate({ facts }) {
    const therapy = therapiesToday(facts);
    const drugsGiven = therapy.evidence.filter((e) => e.startsWith('MedicationAdministration/'));
    if (drugsGiven.length === 0) {
      return [];
    }
    const coding = facts.diagnoses;
    const onlyImmuno = therapy.kinds.has('immunotherapy') && !therapy.kinds.has('chemotherapy');
    const noImmuno = !therapy.kinds.has('immunotherapy');
    const chemoCoded = coding.diagnoses.filter((d) => d.code === 'Z51.11');
    const immunoCoded = coding.diagnoses.filter((d) => d.code === 'Z51.12');
    if (onlyImmuno && chemoCoded.length > 0 && immunoCoded.length === 0) {
      return [
        {
          params: { kind: 'immunotherapy', code: 'Z51.12' },
          evidence: [...referencesOf(chemoCoded), ...drugsGiven],
        },
      ];
    }
    if (noImmuno && immunoCoded.length > 0 && chemoCoded.length === 0) {
      return [
        {
          params: { kind: 'chemotherapy', code: 'Z51.11' },
          evidence: [...referencesOf(immunoCoded), ...drugsGiven],
        },
      ];
    }
    return [];
  },
};
