import type { Rule } from '../types.js';

/*
 * INF-014 Chemotherapy administration code without a qualifying drug (CODER). JUDGMENT, motivated by CMS's 2025
 * clarification that Medicare weighs intensity factors, not only the drug name [S10]. Fires when a chemotherapy
 * administration code is billed, administrations are documented for the encounter, and every one of them is a drug we
 * know is not an antineoplastic (hydration fluids, supportive drugs). Silent when any administered drug is unknown to
 * our lists (the list may be incomplete for it: show nothing, as the catalogue says) or none is documented.
 */
export const inf014CodeWithoutAntineoplastic: Rule = {
  id: 'INF-014',
  title: 'Chemotherapy administration code without a qualifying drug',
  grounding: 'JUDGMENT',
  sources: ['Noridian JF, 2025 clarification on intensity factors [S10]'],
  reads: ['Procedure', 'MedicationAdministration'],
  enabledByDefault: true,
  card: { default: ['code', 'drugs'] },
  evaluate({ facts }) {
    const chemoCodes = facts.codes.in('chemotherapy-administration-code');
    if (chemoCodes.length === 0) {
      return [];
    }
    const given = facts.administrations;
    if (
      given.length === 0 ||
      !given.every((f) => f.drug.drugClass === 'hydration' || f.drug.drugClass === 'supportive')
    ) {
      return [];
    }
    return [
      {
        params: {
          code: [...new Set(chemoCodes.map((c) => c.code))].join(', '),
          drugs: given.map((f) => f.drug.name).join(', '),
        },
        evidence: [...chemoCodes.map((c) => c.reference), ...given.map((f) => f.reference)],
      },
    ];
  },
};
