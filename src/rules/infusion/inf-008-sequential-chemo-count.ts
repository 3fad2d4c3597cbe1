import type { Rule } from '../types.js';
import { overlapInTime } from '../../facts/administrations.js';
import { billedUnits, expectedChemotherapyCodes } from './expected-codes.js';

/*
 * INF-008 Sequential chemotherapy (96417) miscounted (CODER). FIRM (secondary): 96417 is the first hour of each
 * additional different antineoplastic infused sequentially after the initial one; more hours of either go to 96415
 * [S13b]. Fires when billed 96417 units differ from the number of additional distinct drugs infused 16 minutes or
 * more and not overlapping the initial infusion (a second bag of the same drug, or a concurrent drug, is not a
 * sequential infusion). Silent when any IV chemotherapy lacks times or a coded drug (identity unclear: JUDGMENT,
 * drugs compared by their first coding), and when neither 96413 nor 96417 is billed.
 */
export const inf008SequentialChemoCount: Rule = {
  id: 'INF-008',
  title: 'Sequential chemotherapy (96417) miscounted',
  grounding: 'FIRM (secondary)',
  sources: ['AAPC, document this chemo admin scenario correctly [S13b]'],
  reads: ['Procedure', 'MedicationAdministration'],
  enabledByDefault: true,
  card: { default: ['expected', 'billed', 'note'] },
  evaluate(context) {
    const { facts } = context;
    const codes = facts.codes.all;
    const billed = billedUnits(codes, '96417');
    if (billed === 0 && billedUnits(codes, '96413') === 0) {
      return [];
    }
    const administrations = facts.administrations;
    const ivChemo = administrations.filter(
      (f) => f.drug.drugClass === 'antineoplastic' && f.route === 'intravenous' && f.status !== 'in-progress',
    );
    if (
      ivChemo.length === 0 ||
      ivChemo.some((f) => f.drug.key === undefined || (f.minutes === undefined && !f.documentedPush))
    ) {
      return [];
    }
    const expected = expectedChemotherapyCodes(administrations).lines.find((l) => l.code === '96417');
    const expectedUnits = expected?.units ?? 0;
    if (billed === expectedUnits) {
      return [];
    }
    const infusions = ivChemo.filter((f) => !f.push);
    const concurrent = infusions.some((a) => infusions.some((b) => a !== b && overlapInTime(a, b)));
    return [
      {
        params: {
          expected: String(expectedUnits),
          billed: String(billed),
          note: concurrent ? ' Overlapping infusions are concurrent, not sequential.' : '',
        },
        evidence: ivChemo.map((f) => f.reference),
      },
    ];
  },
};
