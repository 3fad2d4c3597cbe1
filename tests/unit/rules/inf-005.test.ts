import { describe, expect, it } from 'vitest';
import { inf005TwoInitialCodes } from '../../../src/rules/infusion/inf-005-two-initial-codes.js';
import {
  aChemo,
  aClaim,
  aHydration,
  aCode,
  expectFinding,
  type InfCase,
  type InfFiringCase,
  lineRef,
  run,
} from '../../../test-support/inf-builders.js';

/*
 * INF-005 (more than one initial administration code in one encounter), rule in isolation. Per its header and
 * oncology-rules.md INF-005: fires when two or more of 96360, 96365, 96369, 96374, 96409, 96413 are on this
 * encounter's draft Claim and more than one of them lacks 59/XE/XS/XP/XU. Modifiers live on Claim lines only: without
 * a Claim the rule is silent (never guesses a modifier from its absence). A second same-day encounter is a separate
 * Encounter and is not counted.
 */

const rule = inf005TwoInitialCodes;
const chemo = aChemo('ma-1', 0, 45);
/** Two administrations documented at two different IV sites: what a distinct-site modifier claims. */
const twoSites = [aChemo('ma-1', 0, 45, { site: 'left forearm' }), aHydration('ma-2', 0, 60, { site: 'right hand' })];

const fires: readonly InfFiringCase[] = [
  {
    name: '96413 and 96360, no modifiers',
    resources: [chemo, aClaim(['96413', '96360'])],
    params: { codes: '96413, 96360' },
    evidence: [lineRef(1), lineRef(2)],
  },
  {
    name: '96413 and 96365, no modifiers, among other lines',
    resources: [chemo, aClaim(['99213', '96413', '96415', '96365'])],
    params: { codes: '96413, 96365' },
    evidence: [lineRef(2), lineRef(4)],
  },
  {
    name: '96409 and 96374',
    resources: [chemo, aClaim(['96409', '96374'])],
    params: { codes: '96409, 96374' },
    evidence: [lineRef(1), lineRef(2)],
  },
  {
    name: '96369 and 96413',
    resources: [chemo, aClaim(['96369', '96413'])],
    params: { codes: '96369, 96413' },
    evidence: [lineRef(1), lineRef(2)],
  },
  {
    name: 'the same initial code twice (96413 on two lines)',
    resources: [chemo, aClaim(['96413', '96413'])],
    params: { codes: '96413' },
    evidence: [lineRef(1), lineRef(2)],
  },
  {
    name: 'three initial codes, only one with 59: two still without',
    resources: [chemo, aClaim(['96413', { code: '96365', modifiers: ['59'] }, '96360'])],
    params: { codes: '96413, 96365, 96360' },
    evidence: [lineRef(1), lineRef(2), lineRef(3)],
  },
  {
    name: 'a modifier that is not a distinct-service one (25) does not count',
    resources: [chemo, aClaim(['96413', { code: '96360', modifiers: ['25'] }])],
    params: { codes: '96413, 96360' },
    evidence: [lineRef(1), lineRef(2)],
  },
  ...['59', 'XS'].map((modifier): InfFiringCase => ({
    name: `second initial code carries ${modifier} but only one IV site is documented`,
    resources: [
      aChemo('ma-1', 0, 45, { site: 'left forearm' }),
      aHydration('ma-2', 0, 60, { site: 'Left forearm' }),
      aClaim(['96413', { code: '96365', modifiers: [modifier] }]),
    ],
    params: { codes: '96413, 96365' },
    evidence: [lineRef(1), lineRef(2)],
  })),
  {
    name: 'second initial code carries XU and no site is documented',
    resources: [chemo, aClaim(['96413', { code: '96365', modifiers: ['XU'] }])],
    params: { codes: '96413, 96365' },
    evidence: [lineRef(1), lineRef(2)],
  },
  {
    name: 'two Claims of this encounter, one initial code each',
    resources: [chemo, aClaim(['96413'], { id: 'claim-1' }), aClaim(['96360'], { id: 'claim-2' })],
    params: { codes: '96413, 96360' },
    evidence: [lineRef(1, 'claim-1'), lineRef(1, 'claim-2')],
  },
];

const silent: readonly InfCase[] = [
  { name: 'one initial code', resources: [chemo, aClaim(['96413', '96415', '96417'])] },
  ...['59', 'XE', 'XS', 'XP', 'XU'].map((modifier): InfCase => ({
    name: `second initial code carries ${modifier}, two sites documented`,
    resources: [...twoSites, aClaim(['96413', { code: '96365', modifiers: [modifier] }])],
  })),
  {
    name: 'distinct-service modifier written as bare text ({"text":"XS"})',
    resources: [...twoSites, aClaim(['96413', { code: '96365', modifiers: ['XS'], modifiersAsText: true }])],
  },
  {
    name: 'distinct-service modifier in lower case (xu)',
    resources: [...twoSites, aClaim(['96413', { code: '96365', modifiers: ['xu'] }])],
  },
  {
    name: 'both initial codes carry a distinct-service modifier',
    resources: [
      ...twoSites,
      aClaim([
        { code: '96413', modifiers: ['59'] },
        { code: '96365', modifiers: ['XS'] },
      ]),
    ],
  },
  {
    name: 'no Claim: two initial codes as Procedures only (modifiers cannot be seen)',
    resources: [chemo, aCode('p-1', '96413'), aCode('p-2', '96360')],
  },
  {
    name: 'Claim with one initial code; the other only as a Procedure',
    resources: [chemo, aClaim(['96413']), aCode('p-2', '96360')],
  },
  {
    name: 'the second initial code is on the Claim of another (same-day) encounter',
    resources: [
      chemo,
      aClaim(['96413'], { id: 'claim-1' }),
      aClaim(['96360'], { id: 'claim-2', encounter: 'Encounter/enc-2' }),
    ],
  },
  {
    name: 'cancelled Claim with two initial codes',
    resources: [chemo, aClaim(['96413', '96360'], { status: 'cancelled' })],
  },
  {
    name: 'entered-in-error Claim with two initial codes',
    resources: [chemo, aClaim(['96413', '96360'], { status: 'entered-in-error' })],
  },
  { name: 'Claim without lines', resources: [chemo, aClaim([])] },
];

describe('INF-005 two initial administration codes on one encounter', () => {
  it.each(fires)('fires: $name', (row) => {
    expectFinding(rule, row);
  });

  it.each(silent)('does not fire: $name', ({ resources }) => {
    expect(run(rule, resources)).toEqual([]);
  });
});
