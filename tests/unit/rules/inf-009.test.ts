import { describe, expect, it } from 'vitest';
import { inf009HydrationNotReportable } from '../../../src/rules/infusion/inf-009-hydration-not-reportable.js';
import {
  aChemo,
  aClaim,
  aCode,
  aHydration,
  aSupportive,
  expectFinding,
  type InfCase,
  type InfFiringCase,
  lineRef,
  maRef,
  procRef,
  run,
} from '../../../test-support/inf-builders.js';

/*
 * INF-009 (hydration not separately reportable), rule in isolation. Per its header and oncology-rules.md INF-009:
 * fires when 96360/96361 is billed and a hydration administration (crystalloid, here normal saline RxNorm 313002)
 * lasts no more than the threshold (setting hydrationMinimumMinutes, 30 by default, 15 for one payer), overlaps an IV
 * drug infusion (chemo or other), or is partOf another administration (carrier/KVO). Silent for sequential hydration
 * above the threshold, hydration without times, and when no hydration code is billed.
 */

const rule = inf009HydrationNotReportable;
const H = maRef('ma-h');
const C = maRef('ma-1');
const code96360 = aCode('p-h', '96360');

const fires: readonly InfFiringCase[] = [
  {
    name: 'boundary: 30 min sequential hydration (default threshold 30)',
    resources: [aHydration('ma-h', 0, 30), aChemo('ma-1', 30, 90), code96360],
    params: { minutes: '30', reason: '≤30 min' },
    evidence: [H, procRef('p-h')],
  },
  {
    name: '10 min hydration, billed as a draft Claim line',
    resources: [aHydration('ma-h', 0, 10), aClaim(['96360'])],
    params: { minutes: '10', reason: '≤30 min' },
    evidence: [H, lineRef(1)],
  },
  {
    name: 'boundary with hydrationMinimumMinutes 15: 15 min',
    resources: [aHydration('ma-h', 0, 15), code96360],
    settings: { hydrationMinimumMinutes: 15 },
    params: { minutes: '15', reason: '≤15 min' },
    evidence: [H, procRef('p-h')],
  },
  {
    name: '60 min hydration concurrent with the chemo infusion',
    resources: [aHydration('ma-h', 0, 60), aChemo('ma-1', 30, 90), code96360],
    params: { minutes: '60', reason: 'concurrent with carboplatin' },
    evidence: [H, C, procRef('p-h')],
  },
  {
    name: 'hydration running through the whole chemo infusion (contains it)',
    resources: [aHydration('ma-h', 0, 180), aChemo('ma-1', 30, 90), code96360, aCode('p-h2', '96361')],
    params: { minutes: '180', reason: 'concurrent with carboplatin' },
    evidence: [H, C, procRef('p-h'), procRef('p-h2')],
  },
  {
    name: '45 min hydration concurrent with an ondansetron infusion (other drug)',
    resources: [aHydration('ma-h', 0, 45), aSupportive('ma-s', 15, 35), code96360],
    params: { minutes: '45', reason: 'concurrent with ondansetron' },
    evidence: [H, maRef('ma-s'), procRef('p-h')],
  },
  {
    name: 'hydration that is partOf the chemo administration (carrier)',
    resources: [aHydration('ma-h', 100, 160, { partOf: [C] }), aChemo('ma-1', 0, 60), code96360],
    params: { minutes: '60', reason: 'used as carrier' },
    evidence: [H, procRef('p-h')],
  },
  {
    name: 'only 96361 billed (add-on), 20 min hydration',
    resources: [aHydration('ma-h', 0, 20), aCode('p-h2', '96361')],
    params: { minutes: '20', reason: '≤30 min' },
    evidence: [H, procRef('p-h2')],
  },
  {
    name: 'hydration during a pump infusion that is still running (in-progress, no end)',
    resources: [
      aHydration('ma-h', 30, 90),
      aChemo('ma-1', 0, null, { status: 'in-progress', device: true }),
      code96360,
    ],
    params: { minutes: '60', reason: 'concurrent with carboplatin' },
    evidence: [H, C, procRef('p-h')],
  },
  {
    name: 'second of two hydrations is short',
    resources: [aHydration('ma-h0', 0, 60), aHydration('ma-h', 60, 80), code96360],
    params: { minutes: '20', reason: '≤30 min' },
    evidence: [H, procRef('p-h')],
  },
];

const silent: readonly InfCase[] = [
  {
    name: 'boundary: 31 min sequential hydration before chemo',
    resources: [aHydration('ma-h', 0, 31), aChemo('ma-1', 31, 91), code96360],
  },
  {
    name: 'boundary with hydrationMinimumMinutes 15: 16 min',
    resources: [aHydration('ma-h', 0, 16), code96360],
    settings: { hydrationMinimumMinutes: 15 },
  },
  {
    name: 'hydrationMinimumMinutes 15: 30 min (reportable for that payer)',
    resources: [aHydration('ma-h', 0, 30), code96360],
    settings: { hydrationMinimumMinutes: 15 },
  },
  {
    name: 'sequential post-hydration after the chemo (touching, not overlapping)',
    resources: [aChemo('ma-1', 0, 60), aHydration('ma-h', 60, 120), code96360],
  },
  { name: 'no hydration code billed (short hydration)', resources: [aHydration('ma-h', 0, 10), aCode('p-1', '96413')] },
  {
    name: 'no hydration code billed (concurrent hydration)',
    resources: [aHydration('ma-h', 0, 60), aChemo('ma-1', 0, 60), aCode('p-1', '96413')],
  },
  { name: 'hydration without an end', resources: [aHydration('ma-h', 0, null), code96360] },
  { name: 'hydration without a start', resources: [aHydration('ma-h', null, 20), code96360] },
  {
    name: 'hydration in progress',
    resources: [aHydration('ma-h', 0, null, { status: 'in-progress' }), aChemo('ma-1', 0, 30), code96360],
  },
  { name: 'short hydration not-done', resources: [aHydration('ma-h', 0, 10, { status: 'not-done' }), code96360] },
  {
    name: 'short hydration entered-in-error',
    resources: [aHydration('ma-h', 0, 10, { status: 'entered-in-error' }), code96360],
  },
  {
    name: 'overlap with a not-done chemo only',
    resources: [aHydration('ma-h', 0, 60), aChemo('ma-1', 0, 60, { status: 'not-done' }), code96360],
  },
  {
    name: 'overlap with an SC injection (not an infusion)',
    resources: [aHydration('ma-h', 0, 60), aChemo('ma-1', 10, 12, { route: 'sc' }), code96360],
  },
  {
    name: 'overlap with a chemo that has no end (open period: not known to overlap)',
    resources: [aHydration('ma-h', 0, 60), aChemo('ma-1', 10, null), code96360],
  },
  {
    name: 'partOf something that is not an IV drug administration (a Procedure)',
    resources: [aHydration('ma-h', 0, 60, { partOf: ['Procedure/p-1'] }), code96360],
  },
  {
    name: 'hydration code is a not-done Procedure',
    resources: [aHydration('ma-h', 0, 10), aCode('p-h', '96360', { status: 'not-done' })],
  },
];

describe('INF-009 hydration not separately reportable', () => {
  it.each(fires)('fires: $name', (row) => {
    expectFinding(rule, row);
  });

  it.each(silent)('does not fire: $name', ({ resources, settings }) => {
    expect(run(rule, resources, settings !== undefined ? { settings } : {})).toEqual([]);
  });
});
