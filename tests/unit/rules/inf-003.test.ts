import { describe, expect, it } from 'vitest';
import { inf003PushInfusionMismatch } from '../../../src/rules/infusion/inf-003-push-infusion-mismatch.js';
import {
  aChemo,
  aClaim,
  aCode,
  expectFinding,
  type InfCase,
  type InfFiringCase,
  maRef,
  PACLITAXEL,
  procRef,
  run,
} from '../../../test-support/inf-builders.js';

/*
 * INF-003 (push versus infusion code mismatch), rule in isolation. Per its header and oncology-rules.md INF-003 / 0.4:
 * (a) 96413/96417/96422 linked to an administration of D <= 15 not documented as a push: expect 96409/96411/96420;
 * (b) 96409/96411/96420 linked to one of D >= 16 not documented as a push: expect 96413/96417/96422.
 * Only when the Procedure is linked to exactly one administration (Procedure.partOf / reasonReference, or
 * MedicationAdministration.partOf naming the Procedure). Silent for documented pushes, missing times, ambiguous or
 * absent links, and ignored statuses.
 */

const rule = inf003PushInfusionMismatch;
const MA = maRef('ma-1');

/** An administration of `minutes` and the Procedure coded `code`, linked by Procedure.partOf. */
function linked(code: string, minutes: number, options: Parameters<typeof aChemo>[3] = {}) {
  return [aChemo('ma-1', 0, minutes, options), aCode('p-1', code, { partOf: [MA] })];
}

const mismatch = (code: string, minutes: number, kind: 'push' | 'infusion', billedCode: string): InfFiringCase => ({
  name: `${billedCode} linked to ${String(minutes)} min: ${kind} ${code} expected`,
  resources: linked(billedCode, minutes),
  params: { drug: 'carboplatin', minutes: String(minutes), kind, code, billedCode },
  evidence: [procRef('p-1'), MA],
});

const fires: readonly InfFiringCase[] = [
  mismatch('96409', 15, 'push', '96413'),
  mismatch('96409', 1, 'push', '96413'),
  mismatch('96409', 0, 'push', '96413'),
  mismatch('96411', 10, 'push', '96417'),
  mismatch('96420', 12, 'push', '96422'),
  mismatch('96413', 16, 'infusion', '96409'),
  mismatch('96413', 60, 'infusion', '96409'),
  mismatch('96417', 30, 'infusion', '96411'),
  mismatch('96422', 20, 'infusion', '96420'),
  {
    name: 'no reference, but the code starts when exactly one administration does (one-to-one match)',
    resources: [aChemo('ma-1', 5, 15), aCode('p-1', '96413', { performedAt: 5 })],
    params: { drug: 'carboplatin', minutes: '10', kind: 'push', code: '96409', billedCode: '96413' },
    evidence: [procRef('p-1'), MA],
  },
  {
    name: 'link by Procedure.reasonReference',
    resources: [aChemo('ma-1', 0, 10), aCode('p-1', '96413', { reasonReference: [MA] })],
    params: { drug: 'carboplatin', minutes: '10', kind: 'push', code: '96409', billedCode: '96413' },
    evidence: [procRef('p-1'), MA],
  },
  {
    name: 'link by MedicationAdministration.partOf naming the Procedure',
    resources: [aChemo('ma-1', 0, 10, { partOf: [procRef('p-1')] }), aCode('p-1', '96413')],
    params: { drug: 'carboplatin', minutes: '10', kind: 'push', code: '96409', billedCode: '96413' },
    evidence: [procRef('p-1'), MA],
  },
  {
    name: 'two drugs, each code linked to its own administration: the mismatching one is named',
    resources: [
      aChemo('ma-1', 0, 60),
      aChemo('ma-2', 60, 70, { drug: PACLITAXEL }),
      aCode('p-1', '96413', { partOf: [MA] }),
      aCode('p-2', '96417', { partOf: [maRef('ma-2')] }),
    ],
    params: { drug: 'paclitaxel', minutes: '10', kind: 'push', code: '96411', billedCode: '96417' },
    evidence: [procRef('p-2'), maRef('ma-2')],
  },
  {
    name: 'the linked Procedure also names a not-done administration (ignored): still one-to-one',
    resources: [
      aChemo('ma-1', 0, 10),
      aChemo('ma-x', 0, 60, { status: 'not-done' }),
      aCode('p-1', '96413', { partOf: [MA, maRef('ma-x')] }),
    ],
    params: { drug: 'carboplatin', minutes: '10', kind: 'push', code: '96409', billedCode: '96413' },
    evidence: [procRef('p-1'), MA],
  },
];

const silent: readonly InfCase[] = [
  { name: 'control: 96413 linked to 45 min', resources: linked('96413', 45) },
  { name: 'control: 96409 linked to 5 min', resources: linked('96409', 5) },
  { name: 'boundary: 96413 linked to 16 min (infusion)', resources: linked('96413', 16) },
  { name: 'boundary: 96409 linked to 15 min (push)', resources: linked('96409', 15) },
  { name: 'control: 96422 linked to 16 min', resources: linked('96422', 16) },
  { name: 'control: 96420 linked to 15 min', resources: linked('96420', 15) },
  { name: 'documented push of 40 min billed 96409', resources: linked('96409', 40, { push: true }) },
  {
    name: 'documented push of 10 min billed 96413 (catalogue: do not fire)',
    resources: linked('96413', 10, { push: true }),
  },
  {
    name: 'times missing: no end (INF-001)',
    resources: [aChemo('ma-1', 0, null), aCode('p-1', '96413', { partOf: [MA] })],
  },
  {
    name: 'times missing: no start (INF-002)',
    resources: [aChemo('ma-1', null, 10), aCode('p-1', '96413', { partOf: [MA] })],
  },
  {
    name: 'no link between code and administration (code has no time of day)',
    resources: [aChemo('ma-1', 0, 10), aCode('p-1', '96413', { performedAt: null })],
  },
  {
    name: 'unlinked code performed at a start time no administration shares',
    resources: [aChemo('ma-1', 0, 10), aCode('p-1', '96413', { performedAt: 30 })],
  },
  {
    name: 'unlinked code whose start time matches two administrations (not one to one)',
    resources: [aChemo('ma-1', 0, 10), aChemo('ma-2', 0, 12), aCode('p-1', '96413', { performedAt: 0 })],
  },
  {
    name: 'ambiguous: one Procedure linked to two administrations of the same drug',
    resources: [aChemo('ma-1', 0, 10), aChemo('ma-2', 20, 30), aCode('p-1', '96413', { partOf: [MA, maRef('ma-2')] })],
  },
  {
    name: 'non-chemotherapy code (96365) linked to 10 min',
    resources: linked('96365', 10),
  },
  {
    name: 'linked administration is not-done',
    resources: [aChemo('ma-1', 0, 10, { status: 'not-done' }), aCode('p-1', '96413', { partOf: [MA] })],
  },
  {
    name: 'linked administration is in-progress (no end)',
    resources: [aChemo('ma-1', 0, null, { status: 'in-progress' }), aCode('p-1', '96413', { partOf: [MA] })],
  },
  {
    name: 'linked Procedure is not-done (not billed; code-lists 12)',
    resources: [aChemo('ma-1', 0, 10), aCode('p-1', '96413', { partOf: [MA], status: 'not-done' })],
  },
  {
    name: 'linked Procedure is entered-in-error',
    resources: [aChemo('ma-1', 0, 10), aCode('p-1', '96413', { partOf: [MA], status: 'entered-in-error' })],
  },
  {
    name: 'linked Procedure belongs to another encounter',
    resources: [aChemo('ma-1', 0, 10), aCode('p-1', '96413', { partOf: [MA], encounter: 'Encounter/enc-2' })],
  },
  {
    name: 'code only as a draft Claim line (no Procedure to link)',
    resources: [aChemo('ma-1', 0, 10), aClaim(['96413'])],
  },
];

describe('INF-003 push versus infusion code mismatch', () => {
  it.each(fires)('fires: $name', (row) => {
    expectFinding(rule, row);
  });

  it.each(silent)('does not fire: $name', ({ resources }) => {
    expect(run(rule, resources)).toEqual([]);
  });
});
