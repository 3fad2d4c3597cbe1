import type { Rule } from '../types.js';
import { isTreatedNeoplasm, referencesOf, therapiesToday, Z51_FOR } from './dx-common.js';

/*
 * DX-001 Z51.x should be first-listed for a treatment-only encounter (CODER). FIRM (secondary): ICD-10-CM
 * I.C.2.e / I.C.21 - when the encounter is chiefly for antineoplastic chemotherapy, immunotherapy or external beam
 * radiation, Z51.11 / Z51.12 / Z51.0 is first-listed and the malignancy secondary [S19a, S19b]; seed 004.
 * Fires when antineoplastic therapy or RT delivery happened today, no E/M is documented, the diagnoses are ranked,
 * and the first-listed is a neoplasm code (not a Z51). JUDGMENT, narrower than the catalogue on purpose: a
 * first-listed code that is neither neoplasm nor Z51 is taken to be a complication (neutropenic fever, dehydration,
 * pain control), which legitimately goes first. Silent without ranks.
 * Not implementable from FHIR data: brachytherapy and surgical removal (malignancy first) are not distinguishable from
 * external beam by the delivery codes here; they are left to the coder's override.
 */
export const dx001Z51First: Rule = {
  id: 'DX-001',
  title: 'Z51.x should be first-listed for a treatment-only encounter',
  grounding: 'FIRM (secondary)',
  sources: ['ICD-10-CM Official Guidelines I.C.2.e (via [S19a, S19b])', 'Seed 004 (sequencing)'],
  reads: ['Encounter', 'Condition', 'Procedure', 'MedicationAdministration'],
  enabledByDefault: true,
  card: { default: ['z51', 'first'] },
  evaluate({ facts }) {
    const therapy = therapiesToday(facts);
    if (therapy.kinds.size === 0) {
      return [];
    }
    if (facts.codes.in('evaluation-and-management-visit').length > 0) {
      return [];
    }
    const coding = facts.diagnoses;
    const first = coding.firstListed;
    if (!first || coding.is(first, 'icd10-antineoplastic-therapy-encounter') || !isTreatedNeoplasm(coding, first)) {
      return [];
    }
    const expected = [...therapy.kinds].map((k) => Z51_FOR[k]).join(' or ');
    return [
      {
        params: { z51: expected, first: first.code },
        evidence: [...referencesOf([first]), ...therapy.evidence],
      },
    ];
  },
};
