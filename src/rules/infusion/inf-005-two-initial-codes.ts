import type { Rule } from '../types.js';

/*
 * INF-005 More than one "initial" administration code in one encounter (CODER). FIRM: CMS Recovery Audit topic 0071,
 * only one initial service (96360, 96365, 96369, 96374, 96409, 96413) per encounter unless the protocol requires
 * two separate IV sites, and then the additional one carries 59/XE/XS/XP/XU [S11]; NCCI Policy Manual ch. XI
 * quoted in [S13e]. Fires when two or more initial codes are on this encounter, unless all but one carry a
 * distinct-service modifier and the administrations document two different sites (dosage.site), as the catalogue's
 * "do not fire" asks for both: a modifier with one documented site does not show the separate IV sites it claims.
 * Modifiers live on draft Claim lines: without billing data the rule stays silent (it
 * cannot see them, and never guesses). Separate same-day encounters are separate Encounters, evaluated apart.
 */
const distinctModifiers = new Set(['59', 'XE', 'XS', 'XP', 'XU']);

export const inf005TwoInitialCodes: Rule = {
  id: 'INF-005',
  title: 'More than one initial administration code in one encounter',
  grounding: 'FIRM',
  sources: [
    'CMS Recovery Audit topic 0071, initial hydration, infusion and chemotherapy administration [S11]',
    'NCCI Policy Manual ch. XI via AAPC [S13e]',
  ],
  reads: ['Procedure'],
  enabledByDefault: true,
  card: { default: ['codes'] },
  evaluate({ facts }) {
    if (!facts.codes.hasBillingLines) {
      return [];
    }
    const initial = facts.codes.in('initial-administration-code').filter((c) => c.source === 'claim');
    const withoutModifier = initial.filter((c) => !c.modifiers.some((m) => distinctModifiers.has(m.toUpperCase())));
    const sites = new Set(facts.administrations.map((a) => a.site?.toLowerCase()).filter((s) => s !== undefined));
    if (initial.length < 2 || (withoutModifier.length < 2 && sites.size >= 2)) {
      return [];
    }
    return [
      {
        params: { codes: [...new Set(initial.map((c) => c.code))].join(', ') },
        evidence: initial.map((c) => c.reference),
      },
    ];
  },
};
