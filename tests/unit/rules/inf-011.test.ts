import { describe, expect, it } from 'vitest';
import { inf011PumpRefillRecord } from '../../../src/rules/infusion/inf-011-pump-refill-record.js';
import {
  aClaim,
  aCode,
  aHydration,
  anAdministration,
  type AdministrationOptions,
  expectFinding,
  FLUOROURACIL,
  type InfCase,
  type InfFiringCase,
  lineRef,
  maRef,
  procRef,
  run,
} from '../../../test-support/inf-builders.js';

/*
 * INF-011 (portable pump refill documentation), rule in isolation. Per its header and oncology-rules.md INF-011: when
 * 96521 or 96522 is billed, the refill administration (the antineoplastic with a device, else the first) must have a
 * coded drug, dosage.dose, Medication.batch.lotNumber and .expirationDate (contained Medication), a start time and a
 * device (the pump). Variant with-initiation: 96521 and 96416 on one encounter with a complete record. Silent without
 * a refill code or without an antineoplastic administration.
 */

const rule = inf011PumpRefillRecord;
const R = maRef('ma-r');

/** A complete refill record: fluorouracil on a contained Medication with lot and expiry, dose, start, pump. */
const refill = (options: AdministrationOptions = {}) =>
  anAdministration('ma-r', {
    drug: FLUOROURACIL,
    start: 0,
    end: null,
    status: 'in-progress',
    device: true,
    contained: { lot: 'LOT-7731', expiry: '2026-01-31' },
    ...options,
  });

const missing = (name: string, what: string, options: AdministrationOptions, code = '96521'): InfFiringCase => ({
  name,
  resources: [refill(options), aCode('p-r', code)],
  params: { code, missing: what },
  evidence: [R, procRef('p-r')],
});

const fires: readonly InfFiringCase[] = [
  missing('no lot number', 'lot', { contained: { expiry: '2026-01-31' } }),
  missing('no expiry', 'expiry', { contained: { lot: 'LOT-7731' } }),
  missing('no contained Medication (drug inline): no lot, no expiry', 'lot, expiry', { contained: undefined }),
  missing('no dose', 'dose', { dose: null }),
  missing('no start time (no effective[x])', 'start time', { noEffective: true }),
  missing('no device (pump)', 'pump', { device: false }),
  missing('several at once', 'dose, lot, expiry, start time, pump', {
    dose: null,
    contained: undefined,
    noEffective: true,
    device: false,
  }),
  missing('96522 (implantable pump) billed, no lot', 'lot', { contained: { expiry: '2026-01-31' } }, '96522'),
  {
    name: 'refill code as a draft Claim line, no expiry',
    resources: [refill({ contained: { lot: 'LOT-7731' } }), aClaim(['96521'])],
    params: { code: '96521', missing: 'expiry' },
    evidence: [R, lineRef(1)],
  },
  {
    name: 'the pumped administration is chosen over an earlier one without a pump',
    resources: [
      anAdministration('ma-bolus', { drug: FLUOROURACIL, start: -30, end: -25 }),
      refill({ contained: { lot: 'LOT-7731' } }),
      aCode('p-r', '96521'),
    ],
    params: { code: '96521', missing: 'expiry' },
    evidence: [R, procRef('p-r')],
  },
  {
    name: 'with-initiation: complete record, 96521 and 96416 on one encounter',
    resources: [refill(), aCode('p-r', '96521'), aCode('p-i', '96416')],
    variant: 'with-initiation',
    params: { code: '96521', missing: '' },
    evidence: [R, procRef('p-r'), procRef('p-i')],
  },
];

const silent: readonly InfCase[] = [
  { name: 'complete refill record, 96521', resources: [refill(), aCode('p-r', '96521')] },
  { name: 'complete refill record, 96522', resources: [refill(), aCode('p-r', '96522')] },
  {
    name: 'complete record, 96522 with 96416 (variant is for 96521 only)',
    resources: [refill(), aCode('p-r', '96522'), aCode('p-i', '96416')],
  },
  {
    name: 'incomplete record but no refill code billed',
    resources: [refill({ dose: null, device: false }), aCode('p-i', '96416')],
  },
  { name: 'refill code billed, no antineoplastic administration', resources: [aCode('p-r', '96521')] },
  {
    name: 'refill code billed, only hydration documented',
    resources: [aHydration('ma-h', 0, 60), aCode('p-r', '96521')],
  },
  {
    name: 'refill code billed, the incomplete antineoplastic record is not-done',
    resources: [refill({ dose: null, status: 'not-done' }), aCode('p-r', '96521')],
  },
  {
    name: 'refill code is a not-done Procedure',
    resources: [refill({ dose: null }), aCode('p-r', '96521', { status: 'not-done' })],
  },
];

describe('INF-011 portable pump refill documentation', () => {
  it.each(fires)('fires: $name', (row) => {
    expectFinding(rule, row);
  });

  it.each(silent)('does not fire: $name', ({ resources }) => {
    expect(run(rule, resources)).toEqual([]);
  });
});
