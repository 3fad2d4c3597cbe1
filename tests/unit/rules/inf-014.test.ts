import { describe, expect, it } from 'vitest';
import { inf014CodeWithoutAntineoplastic } from '../../../src/rules/infusion/inf-014-code-without-antineoplastic.js';
import {
  aChemo,
  aClaim,
  aCode,
  aHydration,
  anAdministration,
  aSupportive,
  BORTEZOMIB_ATC,
  expectFinding,
  HCPCS,
  type InfCase,
  type InfFiringCase,
  lineRef,
  maRef,
  procRef,
  run,
  VANCOMYCIN,
} from '../../../test-support/inf-builders.js';

/*
 * INF-014 (chemotherapy administration code without a qualifying drug), rule in isolation. Per its header and
 * oncology-rules.md INF-014: fires when a 96401-96549 / G0498 code is on the encounter, administrations are documented,
 * and every one of them is a known non-antineoplastic (hydration fluid or supportive drug). Silent when any
 * administered drug is unknown to the lists (the list may be incomplete for it), when an antineoplastic is among them,
 * or when none is documented.
 */

const rule = inf014CodeWithoutAntineoplastic;
const S = maRef('ma-s');
const H = maRef('ma-h');

const fires: readonly InfFiringCase[] = [
  {
    name: '96413 with ondansetron only',
    resources: [aSupportive('ma-s', 0, 20), aCode('p-1', '96413')],
    params: { code: '96413', drugs: 'ondansetron' },
    evidence: [procRef('p-1'), S],
  },
  {
    name: '96413 + 96415 with saline and ondansetron',
    resources: [aHydration('ma-h', 0, 60), aSupportive('ma-s', 60, 75), aCode('p-1', '96413'), aCode('p-2', '96415')],
    params: { code: '96413, 96415', drugs: 'Sodium Chloride 0.9% injectable solution, ondansetron' },
    evidence: [procRef('p-1'), procRef('p-2'), H, S],
  },
  {
    name: '96409 as a draft Claim line, saline only',
    resources: [aHydration('ma-h', 0, 60), aClaim(['96409'])],
    params: { code: '96409', drugs: 'Sodium Chloride 0.9% injectable solution' },
    evidence: [lineRef(1), H],
  },
  {
    name: 'G0498 (HCPCS) with ondansetron',
    resources: [aSupportive('ma-s', 0, 20), aCode('p-1', 'G0498', { system: HCPCS })],
    params: { code: 'G0498', drugs: 'ondansetron' },
    evidence: [procRef('p-1'), S],
  },
  {
    name: 'ondansetron, and a not-done antineoplastic (ignored)',
    resources: [aSupportive('ma-s', 0, 20), aChemo('ma-1', 20, 80, { status: 'not-done' }), aCode('p-1', '96413')],
    params: { code: '96413', drugs: 'ondansetron' },
    evidence: [procRef('p-1'), S],
  },
  {
    name: 'ondansetron, and an entered-in-error antineoplastic (ignored)',
    resources: [
      aSupportive('ma-s', 0, 20),
      aChemo('ma-1', 20, 80, { status: 'entered-in-error' }),
      aCode('p-1', '96413'),
    ],
    params: { code: '96413', drugs: 'ondansetron' },
    evidence: [procRef('p-1'), S],
  },
];

const silent: readonly InfCase[] = [
  { name: '96413 with carboplatin', resources: [aChemo('ma-1', 0, 60), aCode('p-1', '96413')] },
  {
    name: '96413 with ondansetron and carboplatin',
    resources: [aSupportive('ma-s', 0, 20), aChemo('ma-1', 20, 80), aCode('p-1', '96413')],
  },
  {
    name: '96401 with an SC antineoplastic by ATC (bortezomib)',
    resources: [anAdministration('ma-1', { drug: BORTEZOMIB_ATC, route: 'sc' }), aCode('p-1', '96401')],
  },
  {
    name: 'any drug unknown to the lists (vancomycin) next to ondansetron',
    resources: [aSupportive('ma-s', 0, 20), aChemo('ma-v', 20, 80, { drug: VANCOMYCIN }), aCode('p-1', '96413')],
  },
  {
    name: 'the only drug is unknown (vancomycin)',
    resources: [aChemo('ma-v', 0, 60, { drug: VANCOMYCIN }), aCode('p-1', '96413')],
  },
  {
    name: 'a drug with text only (uncoded) next to saline',
    resources: [
      aHydration('ma-h', 0, 60),
      { ...aChemo('ma-t', 0, 60), medicationCodeableConcept: { text: 'investigational agent XY-12' } },
      aCode('p-1', '96413'),
    ],
  },
  { name: 'no administrations documented', resources: [aCode('p-1', '96413')] },
  {
    name: 'the only documented drug is not-done',
    resources: [aSupportive('ma-s', 0, 20, { status: 'not-done' }), aCode('p-1', '96413')],
  },
  {
    name: 'no chemo administration code (96365 with ondansetron)',
    resources: [aSupportive('ma-s', 0, 20), aCode('p-1', '96365')],
  },
  { name: 'no codes at all', resources: [aSupportive('ma-s', 0, 20)] },
  {
    name: 'the chemo code is a not-done Procedure',
    resources: [aSupportive('ma-s', 0, 20), aCode('p-1', '96413', { status: 'not-done' })],
  },
];

describe('INF-014 chemotherapy administration code without a qualifying drug', () => {
  it.each(fires)('fires: $name', (row) => {
    expectFinding(rule, row);
  });

  it.each(silent)('does not fire: $name', ({ resources }) => {
    expect(run(rule, resources)).toEqual([]);
  });
});
