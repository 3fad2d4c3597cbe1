import type { Rule } from '../types.js';
import { SYSTEM } from '../../terminology/systems.js';

/*
 * INF-012 Port irrigation (96523) billed with other services (CODER). FIRM (secondary): 96523 is reported only when
 * no other service is reported that day (CPT parenthetical restated by payer policy and coding references [S14, S17]).
 * Fires when 96523 and any other billed code (Procedure or draft Claim line: drug administration, E/M, port draw
 * 36591, ...) are on this encounter. Same-day services in other encounters are not visible here (JUDGMENT: the
 * encounter stands for the day).
 */
export const inf012PortFlushWithOtherServices: Rule = {
  id: 'INF-012',
  title: 'Port irrigation (96523) billed with other services',
  grounding: 'FIRM (secondary)',
  sources: ['Select Health coding policy [S14]', '96523 references [S17]'],
  reads: ['Procedure'],
  enabledByDefault: true,
  card: { default: ['others'] },
  evaluate({ facts }) {
    const billed = facts.codes.all.filter(
      (c) => c.source !== 'encounter-type' && (c.system === SYSTEM.cpt || c.system === SYSTEM.hcpcs),
    );
    const flush = billed.filter((c) => c.system === SYSTEM.cpt && c.code === '96523');
    const others = billed.filter((c) => !(c.system === SYSTEM.cpt && c.code === '96523'));
    if (flush.length === 0 || others.length === 0) {
      return [];
    }
    return [
      {
        params: { others: [...new Set(others.map((c) => c.code))].join(', ') },
        evidence: [...flush, ...others].map((c) => c.reference),
      },
    ];
  },
};
