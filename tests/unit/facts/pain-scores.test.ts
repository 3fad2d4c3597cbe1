import type { Observation } from 'fhir/r4.js';
import { describe, expect, it } from 'vitest';
import { lastIntensityScore, type PainScore } from '../../../src/facts/pain-scores.js';
import { factsOf } from '../../../test-support/facts.js';
import {
  aPainScore,
  at,
  aVisit,
  BPI_INTERFERENCE,
  concept,
  LOINC,
  PAIN_SEVERITY_CODED,
} from '../../../test-support/pain-builders.js';

/*
 * Shapes corpus, pain scores (src/facts/pain-scores.ts). The visit is pain-builders' aVisit() (2025-05-14,
 * 14:00-15:00Z); scores are LOINC 72514-3 unless a row says otherwise. Vendor shapes from
 * tests/fixtures/many-shapes/README.md ("README").
 */

const EVERYTHING = { low: Number.NEGATIVE_INFINITY, high: Number.POSITIVE_INFINITY };
const EPIC_FLOWSHEET = 'urn:oid:1.2.840.114350.1.13.0.1.7.2.707679';

/** aPainScore() with its value[x] replaced. */
const valued = (value: Partial<Observation>, overrides: Partial<Observation> = {}): Observation => {
  const { valueQuantity: _v, ...rest } = aPainScore(0, overrides);
  return { ...rest, ...value };
};

const scoresOf = (observations: readonly Observation[]): PainScore[] =>
  factsOf(observations, aVisit()).painScoresIn(EVERYTHING);

const onlyScore = (observation: Observation): PainScore => {
  const [score, ...rest] = scoresOf([observation]);
  expect(rest).toEqual([]);
  expect(score).toBeDefined();
  return score as PainScore;
};

describe('pain score value, however it is sent', () => {
  it.each<{
    name: string;
    source: string;
    observation: Observation;
    score: number | undefined;
    present: boolean | undefined;
    display: string | undefined;
  }>([
    {
      name: 'valueInteger 6',
      source: 'US Core; CMS157 test cases',
      observation: valued({ valueInteger: 6 }),
      score: 6,
      present: true,
      display: '6/10',
    },
    {
      name: 'valueInteger 0',
      source: 'US Core',
      observation: valued({ valueInteger: 0 }),
      score: 0,
      present: false,
      display: '0/10',
    },
    {
      name: 'valueInteger 10',
      source: 'US Core',
      observation: valued({ valueInteger: 10 }),
      score: 10,
      present: true,
      display: '10/10',
    },
    {
      name: "valueQuantity {value 6, unit '{score}'}",
      source: 'README "cerner"; Epic; Synthea',
      observation: valued({
        valueQuantity: { value: 6, unit: '{score}', system: 'http://unitsofmeasure.org', code: '{score}' },
      }),
      score: 6,
      present: true,
      display: '6/10',
    },
    {
      name: 'fractional valueQuantity 0.205 rounds to 0',
      source: 'README "synthea"',
      observation: valued({ valueQuantity: { value: 0.205, unit: '{score}' } }),
      score: 0,
      present: false,
      display: '0/10',
    },
    {
      name: 'valueQuantity 0.5 rounds to 1 (pain present)',
      source: 'README "synthea"',
      observation: valued({ valueQuantity: { value: 0.5 } }),
      score: 1,
      present: true,
      display: '1/10',
    },
    {
      name: 'valueCodeableConcept LOINC answer LA10138-8 "6"',
      source: 'README "uscore" (answer list LL2335-9 of 72514-3)',
      observation: valued({ valueCodeableConcept: { coding: [{ system: LOINC, code: 'LA10138-8', display: '6' }] } }),
      score: 6,
      present: true,
      display: '6/10',
    },
    {
      name: 'valueCodeableConcept "No pain" (Wong-Baker answer)',
      source: 'LOINC answer list LL2336-7',
      observation: valued({
        valueCodeableConcept: { coding: [{ system: LOINC, code: 'LA6111-4', display: 'No pain' }] },
      }),
      score: undefined,
      present: false,
      display: 'No pain',
    },
    {
      name: 'valueCodeableConcept text "Moderate"',
      source: '38208-5 coded severity',
      observation: valued({ valueCodeableConcept: { text: 'Moderate' } }, { code: PAIN_SEVERITY_CODED }),
      score: undefined,
      present: true,
      display: 'Moderate',
    },
    {
      name: 'valueString "6"',
      source: 'README "epic" (flowsheet row as string)',
      observation: valued({ valueString: '6' }),
      score: 6,
      present: true,
      display: '6/10',
    },
    {
      name: 'valueString "6/10"',
      source: 'Oracle Health / athenahealth flowsheets (pain-scores.ts header)',
      observation: valued({ valueString: '6/10' }),
      score: 6,
      present: true,
      display: '6/10',
    },
    {
      name: 'valueString "6 out of 10"',
      source: 'flowsheet text',
      observation: valued({ valueString: '6 out of 10' }),
      score: 6,
      present: true,
      display: '6/10',
    },
    {
      name: 'valueString "7 - severe"',
      source: 'flowsheet text',
      observation: valued({ valueString: '7 - severe' }),
      score: 7,
      present: true,
      display: '7/10',
    },
    {
      name: 'valueString "0 (none)"',
      source: 'flowsheet text',
      observation: valued({ valueString: '0 (none)' }),
      score: 0,
      present: false,
      display: '0/10',
    },
    {
      name: 'valueString "denies pain"',
      source: 'flowsheet text',
      observation: valued({ valueString: 'Denies pain' }),
      score: undefined,
      present: false,
      display: 'Denies pain',
    },
    {
      name: 'valueString "60 mg" (a leading number off the scale) is unreadable',
      source: 'not a score',
      observation: valued({ valueString: '60 mg' }),
      score: undefined,
      present: undefined,
      display: undefined,
    },
    {
      name: 'valueString "Mild"',
      source: 'flowsheet category text',
      observation: valued({ valueString: 'Mild' }),
      score: undefined,
      present: true,
      display: 'Mild',
    },
    {
      name: 'out of range 11 is unreadable',
      source: 'scale 0-10',
      observation: valued({ valueInteger: 11 }),
      score: undefined,
      present: undefined,
      display: undefined,
    },
    {
      name: 'negative -1 is unreadable',
      source: 'scale 0-10',
      observation: valued({ valueInteger: -1 }),
      score: undefined,
      present: undefined,
      display: undefined,
    },
    {
      name: 'valueString "11/10" is unreadable',
      source: 'scale 0-10',
      observation: valued({ valueString: '11/10' }),
      score: undefined,
      present: undefined,
      display: undefined,
    },
    {
      name: 'empty valueString',
      source: 'opened, nothing recorded',
      observation: valued({ valueString: '  ' }),
      score: undefined,
      present: undefined,
      display: undefined,
    },
    {
      name: 'no value',
      source: 'opened, nothing recorded',
      observation: valued({}),
      score: undefined,
      present: undefined,
      display: undefined,
    },
  ])('$name ($source)', ({ observation, score, present, display }) => {
    const read = onlyScore(observation);
    expect(read.score).toBe(score);
    expect(read.painPresent).toBe(present);
    expect(read.display).toBe(display);
    expect(read.intensity).toBe(true);
  });
});

describe('pain score text', () => {
  it.each<[string, number | undefined, boolean | undefined]>([
    ['None', undefined, false],
    ['no pain', undefined, false],
    ['No hurt', undefined, false],
    ['Pain free', undefined, false],
    ['Denies pain', undefined, false],
    ['denies', undefined, false],
    ['Nonexistent', undefined, true],
    ['Severe', undefined, true],
    ['  Severe  ', undefined, true],
    ['6: moderate', 6, true],
    ['6(moderate)', 6, true],
    ['6/ 10', 6, true],
    ['6 /10', 6, true],
    ['6 out of 10', 6, true],
    ['6.4', 6, true],
    ['6.5/10', 7, true],
    ['06', 6, true],
    ['0', 0, false],
    ['10', 10, true],
    ['6x', undefined, true],
    ['100', undefined, true],
    ['  7  ', 7, true],
  ])('valueString "%s" → score %s, pain present %s', (text, score, present) => {
    const read = onlyScore(valued({ valueString: text }));
    expect(read.score).toBe(score);
    expect(read.painPresent).toBe(present);
    // What the card quotes: the score on its scale, else the words as written, trimmed.
    expect(read.display).toBe(score !== undefined ? `${String(score)}/10` : text.trim());
  });

  it('a CodeableConcept answer reads its text before its displays, and skips empty ones', () => {
    const read = onlyScore(
      valued({
        valueCodeableConcept: {
          text: ' ',
          coding: [
            { system: LOINC, code: 'x' },
            { system: LOINC, code: 'LA10139-6', display: '7' },
          ],
        },
      }),
    );
    expect(read.score).toBe(7);
    const withText = onlyScore(
      valued({ valueCodeableConcept: { text: '3', coding: [{ system: LOINC, code: 'LA10139-6', display: '7' }] } }),
    );
    expect(withText.score).toBe(3);
    const empty = onlyScore(valued({ valueCodeableConcept: { coding: [{ system: LOINC, code: 'x' }] } }));
    expect(empty).toMatchObject({ score: undefined, painPresent: undefined, display: undefined });
  });

  it('valueQuantity wins over valueString; a quantity without a value falls through to the string', () => {
    expect(onlyScore(valued({ valueQuantity: { value: 2 }, valueString: '8' })).score).toBe(2);
    expect(onlyScore(valued({ valueQuantity: { unit: '{score}' }, valueString: '8' })).score).toBe(8);
  });
});

describe('instrument and status', () => {
  it('the instrument is known from LOINC even when a local flowsheet code comes first (README "epic")', () => {
    const score = onlyScore(
      valued(
        { valueString: '6' },
        {
          code: {
            coding: [
              { system: EPIC_FLOWSHEET, code: '1570000' },
              { system: LOINC, code: '72514-3' },
            ],
          },
        },
      ),
    );
    expect(score.intensity).toBe(true);
    expect(score.score).toBe(6);
  });

  it('77565-0 (BPI interference) is a pain assessment but never an intensity, its value never read', () => {
    const score = onlyScore(valued({ valueInteger: 8 }, { code: BPI_INTERFERENCE }));
    expect(score).toMatchObject({ intensity: false, score: undefined, painPresent: undefined, display: undefined });
    expect(lastIntensityScore([score])).toBeUndefined();
  });

  it('observations that are no pain assessment are not scores', () => {
    expect(scoresOf([valued({ valueInteger: 6 }, { code: concept(LOINC, '8867-4') })])).toEqual([]);
  });

  it('an observation with no time is not a score', () => {
    const { effectiveDateTime: _e, ...untimed } = valued({ valueInteger: 6 });
    expect(scoresOf([untimed])).toEqual([]);
  });

  it.each([
    ['final', true],
    ['amended', true],
    ['corrected', true],
    ['preliminary', true],
    ['registered', true],
    ['cancelled', false],
  ] as const)('status %s is kept: %s', (status, kept) => {
    expect(scoresOf([valued({ valueInteger: 6 }, { status })])).toHaveLength(kept ? 1 : 0);
  });

  it('entered-in-error scores never reach the facts', () => {
    expect(scoresOf([valued({ valueInteger: 6 }, { status: 'entered-in-error' })])).toEqual([]);
  });

  it('effectivePeriod and effectiveInstant give the time', () => {
    const { effectiveDateTime: _e, ...base } = valued({ valueInteger: 6 });
    const byPeriod = onlyScore({ ...base, effectivePeriod: { start: at(0, '14:05'), end: at(0, '14:06') } });
    expect(byPeriod.time).toEqual({ low: Date.parse(at(0, '14:05')), high: Date.parse(at(0, '14:06')) });
    const byInstant = onlyScore({ ...base, effectiveInstant: at(0, '14:07') });
    expect(byInstant.time.low).toBe(Date.parse(at(0, '14:07')));
  });
});

describe('order: the last score decides', () => {
  const scoreAt = (id: string, time: string, value: number, status: Observation['status'] = 'final'): Observation =>
    valued({ valueInteger: value }, { id, effectiveDateTime: at(0, time), status });

  it('unordered input is sorted oldest first; lastIntensityScore picks the last', () => {
    const scores = scoresOf([scoreAt('b', '14:30', 0), scoreAt('c', '14:50', 7), scoreAt('a', '14:10', 4)]);
    expect(scores.map((s) => s.reference)).toEqual(['Observation/a', 'Observation/b', 'Observation/c']);
    expect(lastIntensityScore(scores)?.reference).toBe('Observation/c');
  });

  it('the last readable intensity score decides: an unreadable or interference score after it does not', () => {
    const unreadable = valued({ valueString: '' }, { id: 'u', effectiveDateTime: at(0, '14:40') });
    const bpi = valued({ valueInteger: 9 }, { id: 'bpi', code: BPI_INTERFERENCE, effectiveDateTime: at(0, '14:45') });
    const scores = scoresOf([bpi, unreadable, scoreAt('a', '14:10', 4)]);
    expect(lastIntensityScore(scores)?.reference).toBe('Observation/a');
  });

  it('preliminary scores count, but not when final-only is asked (PAIN-006)', () => {
    const scores = scoresOf([scoreAt('pre', '14:30', 0, 'preliminary'), scoreAt('fin', '14:10', 6)]);
    expect(lastIntensityScore(scores)?.reference).toBe('Observation/pre');
    expect(lastIntensityScore(scores, { finalOnly: true })?.reference).toBe('Observation/fin');
    expect(lastIntensityScore([scores[1] as PainScore], { finalOnly: true })).toBeUndefined();
  });

  it.each(['amended', 'corrected'] as const)('an %s score is final for PAIN-006', (status) => {
    const scores = scoresOf([scoreAt('x', '14:30', 3, status)]);
    expect(lastIntensityScore(scores, { finalOnly: true })?.reference).toBe('Observation/x');
  });

  it('painScoresIn keeps the scores inside the window, ends included', () => {
    const facts = factsOf(
      [scoreAt('start', '14:00', 1), scoreAt('end', '15:00', 2), scoreAt('after', '15:01', 3)],
      aVisit(),
    );
    const window = { low: Date.parse(at(0, '14:00')), high: Date.parse(at(0, '15:00')) };
    expect(facts.painScoresIn(window).map((s) => s.reference)).toEqual(['Observation/start', 'Observation/end']);
  });
});
