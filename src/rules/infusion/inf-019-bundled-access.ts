import type { Rule } from '../types.js';

/*
 * INF-019 Bundled access/supply services billed separately (CODER). FIRM (secondary): local anaesthesia, IV start,
 * access to an indwelling IV or port, the end-of-infusion flush and standard tubing and supplies are included in the
 * administration codes [S12, S15]. Fires when 36000, 36410 or 96523 is billed together with a drug administration
 * code (96360-96549) on this encounter.
 * Not implementable from the code lists here: "standard tubing/supply codes" (HCPCS A-codes vary by payer); add them
 * to the bundled-access-code value set when a site's list is known.
 */
export const inf019BundledAccess: Rule = {
  id: 'INF-019',
  title: 'Bundled access/supply services billed separately',
  grounding: 'FIRM (secondary)',
  sources: ['Palmetto GBA, CMS MCD article 53778 [S12]', 'CMS IOM 100-04 ch.12 30.5 via [S15]'],
  reads: ['Procedure'],
  enabledByDefault: true,
  card: { default: ['code'] },
  evaluate({ facts }) {
    const billed = (valueSet: Parameters<typeof facts.codes.in>[0]) =>
      facts.codes.in(valueSet).filter((c) => c.source !== 'encounter-type');
    const bundled = billed('bundled-access-code');
    const administration = billed('drug-administration-code').filter((c) => c.code !== '96523');
    if (bundled.length === 0 || administration.length === 0) {
      return [];
    }
    return [
      {
        params: { code: [...new Set(bundled.map((c) => c.code))].join(', ') },
        evidence: [...bundled, ...administration].map((c) => c.reference),
      },
    ];
  },
};
