import { describe, expect, it } from 'vitest';
import { inf001StopTimeMissing } from '../../../src/rules/infusion/inf-001-stop-time-missing.js';
import { inf010ProlongedPump } from '../../../src/rules/infusion/inf-010-prolonged-pump.js';
import {
  aChemo,
  aClaim,
  aCode,
  aHydration,
  expectFinding,
  FLUOROURACIL,
  HCPCS,
  type InfCase,
  type InfFiringCase,
  lineRef,
  maRef,
  procRef,
  run,
} from '../../../test-support/inf-builders.js';

/*
 * INF-010 (prolonged-infusion pump code checks), rule in isolation. Per its header and oncology-rules.md INF-010 / 0.4:
 * (default) an IV/IA antineoplastic started with a pump (MedicationAdministration.device) that is still running
 * (in-progress) or ran more than 8 hours (481+ min), and none of 96416, 96425, G0498 billed: expect 96416 (96425 when
 * intra-arterial); (billed-without-support) 96416/96425 billed but no pumped antineoplastic in progress or over 8 hours.
 */

const rule = inf010ProlongedPump;
const P = maRef('ma-p');

/** Fluorouracil by pump from T0: in progress (end null) or ending after `end` minutes. */
const pump = (end: number | null, options: Parameters<typeof aChemo>[3] = {}) =>
  aChemo('ma-p', 0, end, {
    drug: FLUOROURACIL,
    device: true,
    ...(end === null ? { status: 'in-progress' as const } : {}),
    ...options,
  });

const fires: readonly InfFiringCase[] = [
  {
    name: 'pump still running (in-progress), nothing billed',
    resources: [pump(null)],
    params: { code: '96416', drug: 'fluorouracil' },
    evidence: [P],
  },
  {
    name: 'pump still running, only the bolus codes billed',
    resources: [aChemo('ma-1', 0, 10, { drug: FLUOROURACIL }), pump(null), aCode('p-1', '96409')],
    params: { code: '96416', drug: 'fluorouracil' },
    evidence: [P],
  },
  {
    name: 'boundary: pumped infusion completed after 481 min',
    resources: [pump(481)],
    params: { code: '96416', drug: 'fluorouracil' },
    evidence: [P],
  },
  {
    name: 'pumped intra-arterial infusion in progress: 96425',
    resources: [pump(null, { route: 'ia' })],
    params: { code: '96425', drug: 'fluorouracil' },
    evidence: [P],
  },
  {
    name: 'pumped infusion of 46 h (crossing days), 96413 billed only',
    resources: [pump(46 * 60), aCode('p-1', '96413')],
    params: { code: '96416', drug: 'fluorouracil' },
    evidence: [P],
  },
  {
    name: 'billed-without-support: 96416 billed, the pumped infusion ran 480 min',
    resources: [pump(480), aCode('p-1', '96416')],
    variant: 'billed-without-support',
    params: { code: '96416', why: 'the pumped infusion ran 480 min' },
    evidence: [procRef('p-1'), P],
  },
  {
    name: 'billed-without-support: 96416 billed, no pump on the (running) administration',
    resources: [aChemo('ma-1', 0, null, { drug: FLUOROURACIL, status: 'in-progress' }), aCode('p-1', '96416')],
    variant: 'billed-without-support',
    params: { code: '96416', why: 'no pump is documented on the administration' },
    evidence: [procRef('p-1'), maRef('ma-1')],
  },
  {
    name: 'billed-without-support: 96416 as a draft Claim line, 46 min infusion without pump',
    resources: [aChemo('ma-1', 0, 46), aClaim(['96413', '96416'])],
    variant: 'billed-without-support',
    params: { code: '96416', why: 'no pump is documented on the administration' },
    evidence: [lineRef(2), maRef('ma-1')],
  },
  {
    name: 'billed-without-support: 96425 billed, pumped IA infusion of 120 min',
    resources: [pump(120, { route: 'ia' }), aCode('p-1', '96425')],
    variant: 'billed-without-support',
    params: { code: '96425', why: 'the pumped infusion ran 120 min' },
    evidence: [procRef('p-1'), P],
  },
  {
    name: 'billed-without-support: the pumped administration is not-done',
    resources: [pump(null, { status: 'not-done' }), aCode('p-1', '96416')],
    variant: 'billed-without-support',
    params: { code: '96416', why: 'no pump is documented on the administration' },
    evidence: [procRef('p-1')],
  },
];

const silent: readonly InfCase[] = [
  { name: 'pump running, 96416 billed (Procedure)', resources: [pump(null), aCode('p-1', '96416')] },
  { name: 'pump running, 96416 billed (Claim line)', resources: [pump(null), aClaim(['96416'])] },
  {
    name: 'pump running, G0498 billed (Procedure, HCPCS)',
    resources: [pump(null), aCode('p-1', 'G0498', { system: HCPCS })],
  },
  { name: 'pump running, G0498 billed (Claim line)', resources: [pump(null), aClaim(['G0498'])] },
  { name: 'IA pump running, 96425 billed', resources: [pump(null, { route: 'ia' }), aCode('p-1', '96425')] },
  { name: 'boundary: pumped infusion completed after 480 min, nothing billed', resources: [pump(480)] },
  { name: 'boundary: 96416 billed, pumped infusion ran 481 min', resources: [pump(481), aCode('p-1', '96416')] },
  {
    name: 'in-progress infusion without a pump, nothing billed',
    resources: [aChemo('ma-1', 0, null, { drug: FLUOROURACIL, status: 'in-progress' })],
  },
  { name: 'pumped administration not-done, nothing billed', resources: [pump(null, { status: 'not-done' })] },
  {
    name: 'pumped administration entered-in-error, nothing billed',
    resources: [pump(null, { status: 'entered-in-error' })],
  },
  { name: 'pumped SC administration running', resources: [pump(null, { route: 'sc' })] },
  {
    name: 'pumped hydration running (not an antineoplastic)',
    resources: [aHydration('ma-h', 0, null, { device: true, status: 'in-progress' })],
  },
  { name: 'no administrations, no codes', resources: [] },
  {
    name: '96416 as a not-done Procedure, no pump',
    resources: [aChemo('ma-1', 0, 46), aCode('p-1', '96416', { status: 'not-done' })],
  },
];

describe('INF-010 prolonged-infusion pump code checks', () => {
  it.each(fires)('fires: $name', (row) => {
    expectFinding(rule, row);
  });

  it.each(silent)('does not fire: $name', ({ resources }) => {
    expect(run(rule, resources)).toEqual([]);
  });

  it('billed-without-support: a pumped infusion completed without an end is not reported as "no pump"', () => {
    // The pump is documented (device); what is missing is the end time, so the duration is unknown.
    const finding = expectFinding(rule, {
      name: 'pumped, completed, no end',
      resources: [pump(null, { status: 'completed' }), aCode('p-1', '96416')],
      variant: 'billed-without-support',
      params: { code: '96416', why: 'the pumped infusion has no documented end' },
      evidence: [procRef('p-1'), P],
    });
    expect(finding.params.why).not.toMatch(/no pump/);
  });

  it('a pump still running: INF-010 fires while INF-001 (stop time missing) stays silent', () => {
    const resources = [pump(null)];
    expect(run(rule, resources).map((f) => f.ruleId)).toEqual(['INF-010']);
    expect(run(inf001StopTimeMissing, resources)).toEqual([]);
  });
});
