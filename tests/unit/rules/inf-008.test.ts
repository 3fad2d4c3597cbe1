import { describe, expect, it } from 'vitest';
import { inf008SequentialChemoCount } from '../../../src/rules/infusion/inf-008-sequential-chemo-count.js';
import {
  aChemo,
  aClaim,
  aCode,
  expectFinding,
  GEMCITABINE,
  type InfCase,
  type InfFiringCase,
  maRef,
  PACLITAXEL,
  run,
} from '../../../test-support/inf-builders.js';

/*
 * INF-008 (sequential chemotherapy 96417 miscounted), rule in isolation. Per its header and oncology-rules.md INF-008:
 * billed 96417 units must equal the number of additional distinct antineoplastics infused >= 16 minutes in sequence
 * after the initial one; a second bag of the same drug and a drug overlapping the initial infusion (concurrent) are not
 * sequential. Silent when an IV chemo lacks times, and when neither 96413 nor 96417 is billed. Evidence: the IV
 * chemo administrations in start order.
 */

const rule = inf008SequentialChemoCount;
const CONCURRENT = ' Overlapping infusions are concurrent, not sequential.';

const carbo = (start: number, end: number | null) => aChemo('ma-1', start, end);
const pacli = (start: number | null, end: number | null, id = 'ma-2') => aChemo(id, start, end, { drug: PACLITAXEL });
const gem = (start: number, end: number) => aChemo('ma-3', start, end, { drug: GEMCITABINE });

const fires: readonly InfFiringCase[] = [
  {
    name: 'two different drugs in sequence, 96413 billed, no 96417',
    resources: [carbo(0, 60), pacli(60, 120), aCode('p-1', '96413')],
    params: { expected: '1', billed: '0', note: '' },
    evidence: [maRef('ma-1'), maRef('ma-2')],
  },
  {
    name: 'three different drugs in sequence, 96417 × 1 on the Claim',
    resources: [carbo(0, 60), pacli(60, 120), gem(120, 150), aClaim(['96413', { code: '96417', quantity: 1 }])],
    params: { expected: '2', billed: '1', note: '' },
    evidence: [maRef('ma-1'), maRef('ma-2'), maRef('ma-3')],
  },
  {
    name: 'second bag of the same drug billed as 96417',
    resources: [carbo(0, 60), aChemo('ma-2', 60, 120), aCode('p-1', '96413'), aCode('p-2', '96417')],
    params: { expected: '0', billed: '1', note: '' },
    evidence: [maRef('ma-1'), maRef('ma-2')],
  },
  {
    name: 'concurrent (overlapping) drug billed as 96417',
    resources: [carbo(0, 60), pacli(30, 90), aCode('p-1', '96413'), aCode('p-2', '96417')],
    params: { expected: '0', billed: '1', note: CONCURRENT },
    evidence: [maRef('ma-1'), maRef('ma-2')],
  },
  {
    name: 'second drug pushed (15 min, not an infusion) billed as 96417',
    resources: [carbo(0, 60), pacli(60, 75), aCode('p-1', '96413'), aCode('p-2', '96417')],
    params: { expected: '0', billed: '1', note: '' },
    evidence: [maRef('ma-1'), maRef('ma-2')],
  },
  {
    name: 'second drug documented as a push (40 min) billed as 96417',
    resources: [carbo(0, 60), aChemo('ma-2', 60, 100, { drug: PACLITAXEL, push: true }), aClaim(['96413', '96417'])],
    params: { expected: '0', billed: '1', note: '' },
    evidence: [maRef('ma-1'), maRef('ma-2')],
  },
  {
    name: 'two sequential drugs but 96417 × 2 billed',
    resources: [carbo(0, 60), pacli(60, 120), aClaim(['96413', { code: '96417', quantity: 2 }])],
    params: { expected: '1', billed: '2', note: '' },
    evidence: [maRef('ma-1'), maRef('ma-2')],
  },
  {
    name: 'a not-done third drug is ignored: 96417 × 2 billed for one sequential drug',
    resources: [
      carbo(0, 60),
      pacli(60, 120),
      aChemo('ma-3', 120, 180, { drug: GEMCITABINE, status: 'not-done' }),
      aClaim(['96413', { code: '96417', quantity: 2 }]),
    ],
    params: { expected: '1', billed: '2', note: '' },
    evidence: [maRef('ma-1'), maRef('ma-2')],
  },
  {
    name: 'administrations listed out of order: initial is the earliest',
    resources: [pacli(60, 120), carbo(0, 60), aCode('p-1', '96413')],
    params: { expected: '1', billed: '0', note: '' },
    evidence: [maRef('ma-1'), maRef('ma-2')],
  },
];

const silent: readonly InfCase[] = [
  { name: 'one drug, 96413', resources: [carbo(0, 60), aCode('p-1', '96413')] },
  {
    name: 'two different drugs in sequence, 96413 + 96417',
    resources: [carbo(0, 60), pacli(60, 120), aCode('p-1', '96413'), aCode('p-2', '96417')],
  },
  {
    name: 'sequential with a gap',
    resources: [carbo(0, 60), pacli(90, 150), aClaim(['96413', { code: '96417', quantity: 1 }])],
  },
  {
    name: 'boundary: the second starts exactly when the first ends (sequential)',
    resources: [carbo(0, 60), pacli(60, 76), aClaim(['96413', '96417'])],
  },
  {
    name: 'boundary: second drug 16 min is an infusion (96417)',
    resources: [carbo(0, 60), pacli(60, 76), aCode('p-1', '96413'), aCode('p-2', '96417')],
  },
  {
    name: 'boundary: second drug 15 min is a push, no 96417',
    resources: [carbo(0, 60), pacli(60, 75), aCode('p-1', '96413'), aCode('p-2', '96411')],
  },
  {
    name: 'three drugs in sequence, 96417 × 2 on the Claim',
    resources: [carbo(0, 60), pacli(60, 120), gem(120, 150), aClaim(['96413', { code: '96417', quantity: 2 }])],
  },
  {
    name: 'three drugs, 96417 as two Procedures',
    resources: [
      carbo(0, 60),
      pacli(60, 120),
      gem(120, 150),
      aCode('p-1', '96413'),
      aCode('p-2', '96417'),
      aCode('p-3', '96417'),
    ],
  },
  {
    name: 'second bag of the same drug, no 96417',
    resources: [carbo(0, 60), aChemo('ma-2', 60, 120), aCode('p-1', '96413')],
  },
  {
    name: 'concurrent (overlapping) drug, no 96417',
    resources: [carbo(0, 60), pacli(30, 90), aCode('p-1', '96413')],
  },
  {
    name: 'the same second drug in two bags counts once',
    resources: [carbo(0, 60), pacli(60, 120), pacli(120, 180, 'ma-2b'), aClaim(['96413', '96417'])],
  },
  {
    name: 'times missing on the second drug (INF-001)',
    resources: [carbo(0, 60), pacli(60, null), aCode('p-1', '96413')],
  },
  {
    name: 'times missing on the second drug (INF-002)',
    resources: [carbo(0, 60), pacli(null, 120), aCode('p-1', '96413'), aCode('p-2', '96417'), aCode('p-3', '96417')],
  },
  {
    name: 'neither 96413 nor 96417 billed',
    resources: [carbo(0, 60), pacli(60, 120), aCode('p-1', '96409')],
  },
  { name: 'nothing billed', resources: [carbo(0, 60), pacli(60, 120)] },
  {
    name: 'in-progress second drug (pump) is left out',
    resources: [
      carbo(0, 60),
      aChemo('ma-2', 60, null, { drug: PACLITAXEL, status: 'in-progress', device: true }),
      aCode('p-1', '96413'),
    ],
  },
  {
    name: 'entered-in-error second drug is ignored',
    resources: [
      carbo(0, 60),
      aChemo('ma-2', 60, 120, { drug: PACLITAXEL, status: 'entered-in-error' }),
      aCode('p-1', '96413'),
    ],
  },
  {
    name: 'no IV chemo documented (only 96413 billed)',
    resources: [aCode('p-1', '96413'), aCode('p-2', '96417')],
  },
];

describe('INF-008 sequential chemotherapy (96417) miscounted', () => {
  it.each(fires)('fires: $name', (row) => {
    expectFinding(rule, row);
  });

  it.each(silent)('does not fire: $name', ({ resources }) => {
    expect(run(rule, resources)).toEqual([]);
  });
});
