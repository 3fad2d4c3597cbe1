import type { Rule } from '../types.js';

/*
 * INF-006 Initial code does not follow the hierarchy (CODER). FIRM (secondary): facility reporting puts chemotherapy
 * first, then therapeutic/prophylactic/diagnostic, then hydration, and infusion before push before injection; in the
 * physician office the initial code is the primary reason for the encounter [S13b, S13d, S13f].
 * Fires when an IV antineoplastic was given, a non-chemotherapy initial code (96360, 96365, 96369, 96374) is billed
 * and no chemotherapy initial code (96409, 96413, 96416, 96420, 96422, 96425) is: in a facility always; in an office
 * (JUDGMENT) only when the encounter's reason is chemotherapy (Z51.11/Z51.12 coded). The care setting is a site
 * setting; with 'unknown' (the default) the rule stays silent, as the catalogue says.
 */
const nonChemoInitial = new Set(['96360', '96365', '96369', '96374']);
const chemoInitial = new Set(['96409', '96413', '96416', '96420', '96422', '96425']);

export const inf006InitialCodeHierarchy: Rule = {
  id: 'INF-006',
  title: 'Initial code does not follow the hierarchy',
  grounding: 'FIRM (secondary)',
  sources: ['AAPC [S13b, S13d, S13f] (facility hierarchy; office: primary reason for the visit)'],
  reads: ['Procedure', 'MedicationAdministration'],
  enabledByDefault: true,
  card: { default: ['code', 'billed'] },
  evaluate({ facts, settings }) {
    if (settings.careSetting === 'unknown') {
      return [];
    }
    const chemo = facts.administrations.filter(
      (f) => f.drug.drugClass === 'antineoplastic' && (f.route === 'intravenous' || f.route === 'intra-arterial'),
    );
    if (chemo.length === 0) {
      return [];
    }
    const initial = facts.codes.in('drug-administration-code');
    const wrongInitial = initial.filter((c) => nonChemoInitial.has(c.code));
    if (wrongInitial.length === 0 || initial.some((c) => chemoInitial.has(c.code))) {
      return [];
    }
    if (
      settings.careSetting === 'office' &&
      !facts.diagnoses.diagnoses.some((d) => d.code === 'Z51.11' || d.code === 'Z51.12')
    ) {
      return [];
    }
    const push = chemo.every((f) => f.push);
    return [
      {
        params: { code: push ? '96409' : '96413', billed: wrongInitial.map((c) => c.code).join(', ') },
        evidence: [...chemo.map((f) => f.reference), ...wrongInitial.map((c) => c.reference)],
      },
    ];
  },
};
