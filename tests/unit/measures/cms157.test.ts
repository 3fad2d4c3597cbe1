import { describe, expect, it } from 'vitest';
import { buildSnapshot } from '../../../src/fhir/snapshot.js';
import { evaluateCms157 } from '../../../src/measures/cms157.js';
import { Terminology } from '../../../src/terminology/terminology.js';
import { loadMeasureCases } from '../../../test-support/measure-bundles.js';

const terminology = new Terminology();
/** The authors' MeasureReports say 2026, but their data fits 2025 only (fixture README, "measurement period mismatch"). */
const MP_2025 = { start: '2025-01-01T00:00:00.000Z', end: '2025-12-31T23:59:59.999Z' };

describe("CMS157 measure module on the measure authors' test cases", () => {
  const cases = loadMeasureCases();

  it('finds the ten cases and their expected counts', () => {
    expect(cases).toHaveLength(10);
    for (const c of cases) {
      expect(Object.keys(c.expected).length, c.name).toBe(6);
    }
  });

  it.each(cases.map((c) => [c.name, c] as const))('%s: every population count matches', (_name, c) => {
    const results = evaluateCms157(c.snapshot, MP_2025, terminology);
    const count = (key: keyof (typeof results)[number]) => results.filter((r) => r[key] === true).length;
    const actual = {
      InitialPopulation_1: count('initialPopulation1'),
      Denominator_1: count('denominator1'),
      Numerator_1: count('numerator1'),
      InitialPopulation_2: count('initialPopulation2'),
      Denominator_2: count('denominator2'),
      Numerator_2: count('numerator2'),
    };
    const expected = Object.fromEntries(Object.keys(actual).map((k) => [k, c.expected[k]]));
    expect(actual).toEqual(expected);
  });
});

describe("CMS157 numerators on derived cases (authors' bundles plus one pain score)", () => {
  const byName = new Map(loadMeasureCases().map((c) => [c.name, c]));
  const painScore = (effective: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
    resource: {
      resourceType: 'Observation',
      id: 'derived-pain',
      status: 'final',
      code: { coding: [{ system: 'http://loinc.org', code: '72514-3' }] },
      valueQuantity: { value: 6, unit: '{score}' },
      ...effective,
      ...extra,
    },
  });
  const evaluateWith = (name: string, extra: { resource: Record<string, unknown> }) => {
    const c = byName.get(name);
    if (!c) {
      throw new Error(`no case ${name}`);
    }
    const withSubject = { resource: { ...extra.resource, subject: { reference: `Patient/${c.patientId}` } } };
    const { snapshot } = buildSnapshot({ patientId: c.patientId, resources: [...c.resources, withSubject] });
    return evaluateCms157(snapshot, MP_2025, terminology);
  };

  it('numerator 1 when a final pain score with a value falls during the chemotherapy visit', () => {
    const results = evaluateWith(
      'IPPPassPop1-ChemoSameDayofEncAnd30DaysB4Enc',
      painScore({ effectiveDateTime: '2025-01-01T14:30:00.000Z' }),
    );
    expect(results.filter((r) => r.numerator1)).toHaveLength(1);
  });

  it.each([
    ['after the visit ended', { effectiveDateTime: '2025-01-01T15:30:00.000Z' }, {}],
    ['preliminary', { effectiveDateTime: '2025-01-01T14:30:00.000Z' }, { status: 'preliminary' }],
    ['without a value', { effectiveDateTime: '2025-01-01T14:30:00.000Z' }, { valueQuantity: undefined }],
  ])('no numerator 1 for a pain score %s', (_name, effective, extra) => {
    const results = evaluateWith('IPPPassPop1-ChemoSameDayofEncAnd30DaysB4Enc', painScore(effective, extra));
    expect(results.filter((r) => r.denominator1)).toHaveLength(1);
    expect(results.filter((r) => r.numerator1)).toHaveLength(0);
  });

  it.each([
    ['6 days before the 77427 visit', '2025-09-14T09:00:00.000Z', 1],
    ['on the 77427 visit day', '2025-09-20T09:00:00.000Z', 1],
    ['7 days before the 77427 visit', '2025-09-13T09:00:00.000Z', 0],
    ['the day after the 77427 visit', '2025-09-21T09:00:00.000Z', 0],
  ])('numerator 2 with a pain score %s: %i', (_name, when, expected) => {
    const results = evaluateWith('NUMERFailPop2-PainAssessPriorRadTx', painScore({ effectiveDateTime: when }));
    expect(results.filter((r) => r.numerator2)).toHaveLength(expected);
  });
});
