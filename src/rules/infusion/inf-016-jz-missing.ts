import type { Rule } from '../types.js';
import { administrationsOfHcpcs, drugLines } from './wastage.js';

/*
 * INF-016 JZ modifier missing (no drug discarded) (CODER). FIRM: since 1 July 2023 Medicare requires JZ on claims for
 * separately payable Part B drugs from single-dose containers when nothing was discarded [S18a-d].
 * Fires when the site requires JZ (setting requireJzModifier: its payers are Medicare or follow it), the date of
 * service is on or after 2023-07-01, a draft Claim line bills an HCPCS drug that the site's drug master lists as
 * single-dose (setting singleDoseDrugs), no discard is documented for it (discarded-quantity extension absent or 0),
 * and the drug has neither a JW nor a JZ line. Silent without a Claim, without the drug master, or when not required.
 */
export const inf016JzMissing: Rule = {
  id: 'INF-016',
  title: 'JZ modifier missing (no drug discarded)',
  grounding: 'FIRM',
  sources: [
    'Noridian JE, JW and JZ [S18a]',
    'CGS, JZ [S18b]',
    'CMS CR, Pub 100-04 ch.17 40 [S18c]',
    'JZ summary [S18d]',
  ],
  reads: ['MedicationAdministration'],
  enabledByDefault: true,
  card: { default: ['hcpcs'] },
  evaluate({ facts, terminology, settings }) {
    const start = facts.visit.encounter?.period?.start;
    if (
      !settings.requireJzModifier ||
      settings.singleDoseDrugs.length === 0 ||
      start === undefined ||
      start < '2023-07-01'
    ) {
      return [];
    }
    for (const drug of drugLines(facts)) {
      if (!settings.singleDoseDrugs.includes(drug.hcpcs) || drug.jw.length > 0 || drug.jz.length > 0) {
        continue;
      }
      const given = administrationsOfHcpcs(facts, terminology, drug.hcpcs);
      if (given.some((f) => (f.discarded ?? 0) > 0)) {
        continue;
      }
      return [
        {
          params: { hcpcs: drug.hcpcs },
          evidence: [...drug.lines.map((l) => l.reference), ...given.map((f) => f.reference)],
        },
      ];
    }
    return [];
  },
};
