import type { Rule } from '../types.js';
import { isIntravascular, type AdministrationFact } from '../../facts/administrations.js';
import { billedUnits } from './expected-codes.js';
import { addOnHourUnits } from './time-rules.js';

/*
 * INF-004 Additional-hour units do not match documented time (CODER). FIRM (secondary): an additional hour is
 * reportable only when more than 30 minutes beyond the last full hour [S13a, S13b]; units = ceil((D - 90) / 60) for
 * D > 90, else 0 (oncology-rules 0.4). Compares, per add-on family, the billed units with those the documented
 * durations support: 96415 for IV chemotherapy infusions, 96423 intra-arterial, 96366 other IV infusions, 96361
 * hydration. A family is checked only when its base code is billed and every administration of that family has
 * both times (otherwise INF-001/002 speak); in-progress infusions are left out.
 * Not implementable from FHIR data: documented interruptions (hold/restart) have no standard element; an
 * effectivePeriod that spans a pause over-estimates D, so the card names the durations it used and offers an
 * override ("infusion-interrupted").
 */
interface Family {
  readonly addOn: string;
  readonly bases: readonly string[];
  readonly members: (f: AdministrationFact) => boolean;
}

const families: readonly Family[] = [
  {
    addOn: '96415',
    bases: ['96413', '96417'],
    members: (f) => f.drug.drugClass === 'antineoplastic' && f.route === 'intravenous' && !f.push,
  },
  {
    addOn: '96423',
    bases: ['96422'],
    members: (f) => f.drug.drugClass === 'antineoplastic' && f.route === 'intra-arterial' && !f.push,
  },
  {
    addOn: '96366',
    bases: ['96365', '96367'],
    members: (f) => f.drug.drugClass === 'supportive' && isIntravascular(f) && !f.push,
  },
  { addOn: '96361', bases: ['96360'], members: (f) => f.drug.drugClass === 'hydration' && isIntravascular(f) },
];

export const inf004AdditionalHourUnits: Rule = {
  id: 'INF-004',
  title: 'Additional-hour units do not match documented time',
  grounding: 'FIRM (secondary)',
  sources: [
    'AAPC, reason for encounter guides initial infusion coding [S13a]',
    'AAPC, document this chemo admin scenario [S13b]',
  ],
  reads: ['Procedure', 'MedicationAdministration'],
  enabledByDefault: true,
  card: { default: ['drug', 'minutes', 'expected', 'addOnCode', 'billed'] },
  evaluate({ facts }) {
    const codes = facts.codes.all;
    const administrations = facts.administrations.filter((f) => f.status !== 'in-progress');
    for (const family of families) {
      if (!family.bases.some((b) => billedUnits(codes, b) > 0)) {
        continue;
      }
      const members = administrations.filter(family.members);
      if (members.length === 0 || members.some((f) => f.minutes === undefined)) {
        continue;
      }
      const expected = members.reduce((n, f) => n + addOnHourUnits(f.minutes ?? 0), 0);
      const billed = billedUnits(codes, family.addOn);
      if (billed !== expected) {
        return [
          {
            params: {
              drug: members.map((f) => f.drug.name).join(', '),
              minutes: members.map((f) => String(f.minutes)).join(' + '),
              expected: String(expected),
              billed: String(billed),
              addOnCode: family.addOn,
            },
            evidence: members.map((f) => f.reference),
          },
        ];
      }
    }
    return [];
  },
};
