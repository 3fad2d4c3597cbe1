import type { Rule } from '../types.js';
import { isTreatedNeoplasm } from './dx-common.js';

/*
 * DX-011 Chemo administration billed with no supporting diagnosis (CODER). FIRM (secondary): medical necessity
 * needs a diagnosis, and chemotherapy administration codes also apply to non-cancer conditions [S10]. Fires when a
 * chemotherapy administration code (96401-96549, G0498) is on the encounter and there is no neoplasm code, no Z51.1-
 * code, and no Condition named as the reason on this encounter's Procedures or MedicationAdministrations.
 * JUDGMENT: silent while the encounter carries no diagnosis at all: that is coding not yet done (or data not sent),
 * not a claim without a supporting diagnosis.
 */
export const dx011ChemoWithoutDiagnosis: Rule = {
  id: 'DX-011',
  title: 'Chemo administration billed with no supporting diagnosis',
  grounding: 'FIRM (secondary)',
  sources: ['Noridian JF, chemotherapy and non-chemotherapy administration [S10]'],
  reads: ['Encounter', 'Condition', 'Procedure', 'MedicationAdministration'],
  enabledByDefault: true,
  card: { default: ['code'] },
  evaluate({ facts }) {
    const chemoCodes = facts.codes.in('chemotherapy-administration-code');
    if (chemoCodes.length === 0) {
      return [];
    }
    const coding = facts.diagnoses;
    if (coding.diagnoses.length === 0) {
      return [];
    }
    if (coding.diagnoses.some((d) => isTreatedNeoplasm(coding, d) || d.code === 'Z51.11' || d.code === 'Z51.12')) {
      return [];
    }
    if (facts.indicationsToday.length > 0) {
      return [];
    }
    return [
      {
        params: { code: chemoCodes.map((c) => c.code).join(', ') },
        evidence: chemoCodes.map((c) => c.reference),
      },
    ];
  },
};
