import { SYSTEM } from '../../terminology/systems.js';
import type { Rule } from '../types.js';
import { CATEGORY_II } from './category-ii.js';

/*
 * PAIN-007 Wrong modifiers on Category II pain codes (CODER).
 * FIRM: only the 8P performance modifier is defined for #143/#144; there are no 1P/2P/3P exclusions [S8, S9]. Seed
 * 000 lists 25, 59, 24, 76, 77, 90, XE/XP/XS, RT/LT for 0521F: they do not apply (catalogue section 6).
 * Fires when 0521F, 1125F or 1126F carries any modifier other than 8P. Modifiers are read from draft Claim lines (or a
 * code written with its modifier); with no billing data the rule has nothing to read and stays silent.
 */
const painCodes = new Set<string>([
  CATEGORY_II.planDocumented.code,
  CATEGORY_II.painPresent.code,
  CATEGORY_II.noPain.code,
]);

export const pain007CategoryIiModifiers: Rule = {
  id: 'PAIN-007',
  title: 'Wrong modifiers on Category II pain codes',
  grounding: 'FIRM',
  sources: [
    'Quality-data codes for #143/#144 and their only modifier 8P [S8]',
    'EOM 4a/4b: no exclusions [S9]',
    'Seed 000 corrected (catalogue section 6)',
  ],
  reads: ['Procedure'],
  enabledByDefault: true,
  card: { default: ['modifier', 'code'] },
  evaluate({ facts }) {
    const wrong = facts.codes.all.filter(
      (c) => c.system === SYSTEM.cpt && painCodes.has(c.code) && c.modifiers.some((m) => m.toUpperCase() !== '8P'),
    );
    const first = wrong[0];
    if (!first) {
      return [];
    }
    const modifiers = [...new Set(wrong.flatMap((c) => c.modifiers.filter((m) => m.toUpperCase() !== '8P')))];
    return [
      {
        params: { modifier: modifiers.join(', '), code: first.code },
        evidence: wrong.map((c) => c.reference),
      },
    ];
  },
};
