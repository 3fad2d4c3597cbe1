import { SYSTEM } from '../../terminology/systems.js';
import type { Rule } from '../types.js';

/*
 * INF-007 Add-on code without its primary code (CODER). FIRM (secondary): an add-on code is reported with an
 * eligible primary on the same claim (CPT convention; CMS add-on code edits). The primaries below are the catalogue's
 * list from CPT parentheticals, to verify against the current CMS NCCI add-on code edit file (catalogue section 7).
 */
const initialServices = ['96360', '96365', '96369', '96374', '96409', '96413'];
const primariesOf: Record<string, readonly string[]> = {
  '96411': ['96409', '96413'],
  '96415': ['96413'],
  '96417': ['96413'],
  '96423': ['96422'],
  '96361': initialServices,
  '96366': ['96365', '96367'],
  '96367': initialServices,
  '96375': initialServices,
};

export const inf007AddOnWithoutPrimary: Rule = {
  id: 'INF-007',
  title: 'Add-on code without its primary code',
  grounding: 'FIRM (secondary)',
  sources: ['AAPC [S13a, S13b] (add-on conventions)', 'CMS NCCI add-on code edits (to verify, catalogue section 7)'],
  reads: ['Procedure'],
  enabledByDefault: true,
  card: { default: ['code', 'primaries'] },
  evaluate({ facts }) {
    const cpt = facts.codes.all.filter((c) => c.system === SYSTEM.cpt && c.source !== 'encounter-type');
    const present = new Set(cpt.map((c) => c.code));
    const orphans = cpt.filter((c) => {
      const primaries = primariesOf[c.code];
      return primaries !== undefined && !primaries.some((p) => present.has(p));
    });
    const first = orphans[0];
    if (!first) {
      return [];
    }
    return [
      {
        params: {
          code: [...new Set(orphans.map((c) => c.code))].join(', '),
          primaries: (primariesOf[first.code] ?? []).join('/'),
        },
        evidence: orphans.map((c) => c.reference),
      },
    ];
  },
};
