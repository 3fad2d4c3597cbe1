import { SYSTEM } from '../../terminology/systems.js';
import type { Rule } from '../types.js';

/*
 * INF-018 E/M on the same day as drug administration (CODER). FIRM (secondary): 99211 is not reportable with
 * chemotherapy or non-chemotherapy administration codes [S14]; a significant, separately identifiable E/M may be
 * reported with modifier 25 and needs no different diagnosis [S15].
 * (a) 99211 billed with any 96360-96549 code: warning (Procedures or Claim lines);
 * (b) 99202-99215 billed on a draft Claim line without modifier 25 together with a drug administration code: info.
 * (b) needs modifiers, so it reads Claim lines only and stays silent without them; visit codes in Encounter.type
 * are not billing lines and are not counted.
 */
export const inf018EmWithAdministration: Rule = {
  id: 'INF-018',
  title: 'E/M on the same day as drug administration',
  grounding: 'FIRM (secondary)',
  sources: ['Select Health coding policy [S14]', 'CMS IOM 100-04 ch.12 30.5 via [S15]'],
  reads: ['Procedure'],
  enabledByDefault: true,
  card: { default: [], 'modifier-25': ['code'] },
  evaluate({ facts }) {
    const billed = facts.codes.all.filter((c) => c.source !== 'encounter-type');
    const administration = facts.codes.in('drug-administration-code').filter((c) => c.source !== 'encounter-type');
    if (administration.length === 0) {
      return [];
    }
    const lowLevel = billed.filter((c) => c.system === SYSTEM.cpt && c.code === '99211');
    if (lowLevel.length > 0) {
      return [
        {
          params: { code: '99211' },
          evidence: [...lowLevel, ...administration].map((c) => c.reference),
        },
      ];
    }
    if (!facts.codes.hasBillingLines) {
      return [];
    }
    const withoutModifier = facts.codes
      .in('evaluation-and-management-visit')
      .filter((c) => c.source === 'claim' && !c.modifiers.includes('25'));
    const first = withoutModifier[0];
    if (!first) {
      return [];
    }
    return [
      {
        variant: 'modifier-25',
        params: { code: first.code },
        evidence: [first, ...administration].map((c) => c.reference),
      },
    ];
  },
};
