import { describe, expect, it } from 'vitest';
import { inf004AdditionalHourUnits } from '../../../src/rules/infusion/inf-004-additional-hour-units.js';
import { addOnHourUnits } from '../../../src/rules/infusion/time-rules.js';
import {
  aChemo,
  aClaim,
  aCode,
  aHydration,
  aSupportive,
  expectFinding,
  type InfCase,
  type InfFiringCase,
  maRef,
  PACLITAXEL,
  run,
} from '../../../test-support/inf-builders.js';

/*
 * INF-004 (additional-hour units do not match documented time), rule in isolation. Per its header and oncology-rules.md
 * INF-004 / 0.4: units = 0 for D <= 90, else ceil((D - 90) / 60) (16-90 = 0, 91-150 = 1, 151-210 = 2), summed over the
 * administrations of a family: 96415 (IV chemo, base 96413/96417), 96423 (intra-arterial chemo, base 96422), 96366
 * (other IV drugs, base 96365/96367), 96361 (hydration, base 96360). Checked only when the family's base is billed
 * and every member has both times; in-progress infusions and pushes are left out. Billed units: draft Claim lines'
 * quantity (default 1) when the code has Claim lines, else one per Procedure.
 */

const rule = inf004AdditionalHourUnits;
const MA = maRef('ma-1');

/** One IV carboplatin infusion of `minutes`, 96413 as a Procedure, and `addOns` Procedures coded 96415. */
function asProcedures(minutes: number, addOns: number) {
  return [
    aChemo('ma-1', 0, minutes),
    aCode('p-base', '96413'),
    ...Array.from({ length: addOns }, (_, i) => aCode(`p-add-${String(i + 1)}`, '96415')),
  ];
}

/** One IV carboplatin infusion of `minutes`, billed on a draft Claim: 96413 and (if quantity given) 96415 × quantity. */
function asClaim(minutes: number, quantity: number | undefined) {
  return [
    aChemo('ma-1', 0, minutes),
    aClaim(quantity === undefined ? ['96413'] : ['96413', { code: '96415', quantity }]),
  ];
}

const carboplatin = (minutes: number, expected: number, billed: number): InfFiringCase['params'] => ({
  drug: 'carboplatin',
  minutes: String(minutes),
  expected: String(expected),
  billed: String(billed),
  addOnCode: '96415',
});

describe('INF-004 formula (oncology-rules 0.4)', () => {
  it.each([
    [16, 0],
    [90, 0],
    [91, 1],
    [150, 1],
    [151, 2],
    [210, 2],
    [211, 3],
  ])('%i min -> %i add-on unit(s)', (minutes, units) => {
    expect(addOnHourUnits(minutes)).toBe(units);
  });
});

const fires: readonly InfFiringCase[] = [
  {
    name: 'Procedures: 91 min, no 96415',
    resources: asProcedures(91, 0),
    params: carboplatin(91, 1, 0),
    evidence: [MA],
  },
  {
    name: 'Procedures: 90 min, one 96415',
    resources: asProcedures(90, 1),
    params: carboplatin(90, 0, 1),
    evidence: [MA],
  },
  {
    name: 'Procedures: 151 min, one 96415',
    resources: asProcedures(151, 1),
    params: carboplatin(151, 2, 1),
    evidence: [MA],
  },
  {
    name: 'Procedures: 150 min, two 96415',
    resources: asProcedures(150, 2),
    params: carboplatin(150, 1, 2),
    evidence: [MA],
  },
  {
    name: 'Claim: 151 min, 96415 quantity 1',
    resources: asClaim(151, 1),
    params: carboplatin(151, 2, 1),
    evidence: [MA],
  },
  {
    name: 'Claim: 125 min, no 96415 line',
    resources: asClaim(125, undefined),
    params: carboplatin(125, 1, 0),
    evidence: [MA],
  },
  {
    name: 'Claim: 90 min, 96415 line without quantity (counts 1)',
    resources: [aChemo('ma-1', 0, 90), aClaim(['96413', '96415'])],
    params: carboplatin(90, 0, 1),
    evidence: [MA],
  },
  {
    name: 'Claim lines win over Procedures: two 96415 Procedures but the Claim bills quantity 1 (151 min)',
    resources: [...asClaim(151, 1), aCode('p-add-1', '96415'), aCode('p-add-2', '96415')],
    params: carboplatin(151, 2, 1),
    evidence: [MA],
  },
  {
    name: 'two drugs in sequence (125 + 100 min): 2 units expected, 1 billed',
    resources: [
      aChemo('ma-1', 0, 125),
      aChemo('ma-2', 125, 225, { drug: PACLITAXEL }),
      aClaim(['96413', { code: '96415', quantity: 1 }, '96417']),
    ],
    params: {
      drug: 'carboplatin, paclitaxel',
      minutes: '125 + 100',
      expected: '2',
      billed: '1',
      addOnCode: '96415',
    },
    evidence: [MA, maRef('ma-2')],
  },
  {
    name: 'base 96417 only (96413 missing is INF-007): 96415 still checked',
    resources: [aChemo('ma-1', 0, 125), aCode('p-1', '96417')],
    params: carboplatin(125, 1, 0),
    evidence: [MA],
  },
  {
    name: 'a push-length chemo (10 min) is not a member; the 125 min infusion is',
    resources: [aChemo('ma-0', 0, 10, { drug: PACLITAXEL }), aChemo('ma-1', 10, 135), aCode('p-1', '96413')],
    params: carboplatin(125, 1, 0),
    evidence: [MA],
  },
  {
    name: 'intra-arterial: 96422 + no 96423 for 151 min',
    resources: [aChemo('ma-1', 0, 151, { route: 'ia' }), aCode('p-1', '96422')],
    params: { drug: 'carboplatin', minutes: '151', expected: '2', billed: '0', addOnCode: '96423' },
    evidence: [MA],
  },
  {
    name: 'hydration: 96360 + no 96361 for 91 min',
    resources: [aHydration('ma-h', 0, 91), aCode('p-1', '96360')],
    params: {
      drug: 'Sodium Chloride 0.9% injectable solution',
      minutes: '91',
      expected: '1',
      billed: '0',
      addOnCode: '96361',
    },
    evidence: [maRef('ma-h')],
  },
  {
    name: 'other IV drug: 96365 + 96366 × 1 for 90 min (ondansetron)',
    resources: [aSupportive('ma-s', 0, 90), aClaim(['96365', { code: '96366', quantity: 1 }])],
    params: { drug: 'ondansetron', minutes: '90', expected: '0', billed: '1', addOnCode: '96366' },
    evidence: [maRef('ma-s')],
  },
  {
    name: 'a not-done 300 min infusion is ignored: the completed 45 min one supports 0 units',
    resources: [aChemo('ma-x', 0, 300, { status: 'not-done' }), aChemo('ma-1', 0, 45), ...asProcedures(45, 1).slice(1)],
    params: carboplatin(45, 0, 1),
    evidence: [MA],
  },
  {
    name: 'stopped infusion of 91 min counts',
    resources: [aChemo('ma-1', 0, 91, { status: 'stopped' }), aCode('p-1', '96413')],
    params: carboplatin(91, 1, 0),
    evidence: [MA],
  },
];

const silent: readonly InfCase[] = [
  { name: 'Procedures: 16 min, no add-on', resources: asProcedures(16, 0) },
  { name: 'Procedures: 90 min, no add-on', resources: asProcedures(90, 0) },
  { name: 'Procedures: 91 min, one 96415', resources: asProcedures(91, 1) },
  { name: 'Procedures: 150 min, one 96415', resources: asProcedures(150, 1) },
  { name: 'Procedures: 151 min, two 96415', resources: asProcedures(151, 2) },
  { name: 'Claim: 90 min, no 96415 line', resources: asClaim(90, undefined) },
  { name: 'Claim: 91 min, 96415 × 1', resources: asClaim(91, 1) },
  { name: 'Claim: 151 min, 96415 × 2', resources: asClaim(151, 2) },
  {
    name: 'two drugs in sequence (125 + 100 min) billed 96415 × 2',
    resources: [
      aChemo('ma-1', 0, 125),
      aChemo('ma-2', 125, 225, { drug: PACLITAXEL }),
      aClaim(['96413', { code: '96415', quantity: 2 }, '96417']),
    ],
  },
  {
    name: 'second bag of the same drug (45 + 40 min), no 96415',
    resources: [aChemo('ma-1', 0, 45), aChemo('ma-2', 45, 85), aCode('p-1', '96413')],
  },
  { name: 'times missing: no end', resources: [aChemo('ma-1', 0, null), aCode('p-1', '96413')] },
  {
    name: 'times missing on one of two members',
    resources: [aChemo('ma-1', 0, 125), aChemo('ma-2', null, 300, { drug: PACLITAXEL }), aCode('p-1', '96413')],
  },
  {
    name: 'in-progress infusion (pump) left out: no member left',
    resources: [aChemo('ma-1', 0, null, { status: 'in-progress', device: true }), aCode('p-1', '96413')],
  },
  {
    name: 'in-progress infusion left out next to a 45 min one, no 96415',
    resources: [
      aChemo('ma-1', 0, 45),
      aChemo('ma-2', 45, null, { status: 'in-progress', device: true, drug: PACLITAXEL }),
      aCode('p-1', '96413'),
    ],
  },
  { name: 'no base code billed (96415 alone is INF-007)', resources: [aChemo('ma-1', 0, 45), aCode('p-1', '96415')] },
  { name: 'no codes billed at all', resources: [aChemo('ma-1', 0, 200)] },
  {
    name: 'not-done infusion only',
    resources: [aChemo('ma-1', 0, 200, { status: 'not-done' }), aCode('p-1', '96413')],
  },
  {
    name: 'entered-in-error infusion only',
    resources: [aChemo('ma-1', 0, 200, { status: 'entered-in-error' }), aCode('p-1', '96413')],
  },
  {
    name: 'base 96413 as a not-done Procedure (not billed)',
    resources: [aChemo('ma-1', 0, 200), aCode('p-1', '96413', { status: 'not-done' })],
  },
  {
    name: 'hydration 151 min with 96360 + 96361 × 2',
    resources: [aHydration('ma-h', 0, 151), aClaim(['96360', { code: '96361', quantity: 2 }])],
  },
];

describe('INF-004 additional-hour units do not match documented time', () => {
  it.each(fires)('fires: $name', (row) => {
    expectFinding(rule, row);
  });

  it.each(silent)('does not fire: $name', ({ resources }) => {
    expect(run(rule, resources)).toEqual([]);
  });
});
