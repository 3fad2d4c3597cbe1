import type { Rule } from '../types.js';
import { referencesOf } from './dx-common.js';

/*
 * DX-004 Personal-history code while treatment is still directed at the cancer (CODER + CLIN). FIRM (secondary):
 * the malignancy code is used while treatment is directed at it; Z85.- only once it is excised or eradicated, no
 * treatment is directed at it and there is no evidence of it [S19g, S19e]; seed 004. Fires when a Z85 code is on the
 * encounter, cancer-directed treatment happened today (antineoplastic given, chemo administration or RT delivery
 * coded) and no malignancy code is on the encounter. Silent when a malignancy is coded (the treatment targets it), or
 * when the only drugs given are endocrine (ATC L02) maintenance therapy (JUDGMENT: conventions differ, coder decides).
 */
export const dx004HistoryCodeDuringTreatment: Rule = {
  id: 'DX-004',
  title: 'Personal-history code while treatment is still directed at the cancer',
  grounding: 'FIRM (secondary)',
  sources: ['ICD-10-CM Official Guidelines I.C.2.d (via [S19g, S19e])', 'Seed 004'],
  reads: ['Encounter', 'Condition', 'Procedure', 'MedicationAdministration'],
  enabledByDefault: true,
  card: { default: ['code'] },
  evaluate({ facts }) {
    const coding = facts.diagnoses;
    const history = coding.having('icd10-personal-history-of-malignancy');
    if (history.length === 0 || coding.having('icd10-malignancy-or-uncertain').length > 0) {
      return [];
    }
    const treatment = facts.cancerTreatmentToday;
    if (treatment.length === 0) {
      return [];
    }
    const drugs = facts.antineoplasticsGiven;
    // The hormonal administration code (CPT 96402) is part of giving the endocrine drug, not other treatment.
    const hormonalAdministration = new Set(
      facts.codes
        .in('chemotherapy-administration-code')
        .filter((c) => c.code === '96402')
        .map((c) => c.reference),
    );
    const onlyEndocrine =
      drugs.length > 0 &&
      treatment.filter((t) => !hormonalAdministration.has(t)).length === drugs.length &&
      drugs.every((d) => d.drug.hormonal);
    if (onlyEndocrine) {
      return [];
    }
    return [
      {
        params: { code: history.map((d) => d.code).join(', ') },
        evidence: [...referencesOf(history), ...treatment],
      },
    ];
  },
};
