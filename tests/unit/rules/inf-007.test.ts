import type { Encounter } from 'fhir/r4.js';
import { describe, expect, it } from 'vitest';
import { inf007AddOnWithoutPrimary } from '../../../src/rules/infusion/inf-007-add-on-without-primary.js';
import { anEncounter } from '../../../test-support/builders.js';
import {
  aChemo,
  aClaim,
  aCode,
  concept,
  CPT,
  expectFinding,
  type InfCase,
  type InfFiringCase,
  lineRef,
  procRef,
  run,
} from '../../../test-support/inf-builders.js';

/*
 * INF-007 (add-on code without its primary code), rule in isolation. Per its header and oncology-rules.md INF-007:
 * 96411 needs 96409/96413; 96415 and 96417 need 96413; 96423 needs 96422; 96361, 96367 and 96375 need an initial
 * service (96360, 96365, 96369, 96374, 96409, 96413); 96366 needs 96365/96367. Procedures and draft Claim lines both
 * count; Encounter.type codes do not (they are not billing lines).
 */

const rule = inf007AddOnWithoutPrimary;
const chemo = aChemo('ma-1', 0, 125);
const INITIAL = '96360/96365/96369/96374/96409/96413';

const orphan = (code: string, primaries: string, others: readonly string[] = []): InfFiringCase => ({
  name: `${code} alone${others.length > 0 ? ` (with ${others.join(', ')})` : ''}`,
  resources: [chemo, aCode('p-add', code), ...others.map((c, i) => aCode(`p-other-${String(i)}`, c))],
  params: { code, primaries },
  evidence: [procRef('p-add')],
});

const fires: readonly InfFiringCase[] = [
  orphan('96411', '96409/96413'),
  orphan('96415', '96413'),
  orphan('96417', '96413'),
  orphan('96423', '96422'),
  orphan('96361', INITIAL),
  orphan('96366', '96365/96367', ['96360']),
  orphan('96367', INITIAL),
  orphan('96375', INITIAL),
  orphan('96415', '96413', ['96409']),
  orphan('96417', '96413', ['96409']),
  orphan('96423', '96422', ['96413']),
  orphan('96366', '96365/96367', ['96413']),
  {
    name: '96415 and 96417 both without 96413: both named, primaries of the first',
    resources: [chemo, aCode('p-1', '96415'), aCode('p-2', '96417')],
    params: { code: '96415, 96417', primaries: '96413' },
    evidence: [procRef('p-1'), procRef('p-2')],
  },
  {
    name: 'draft Claim line 96415 without 96413',
    resources: [chemo, aClaim([{ code: '96415', quantity: 1 }])],
    params: { code: '96415', primaries: '96413' },
    evidence: [lineRef(1)],
  },
  {
    name: 'the primary 96413 is a not-done Procedure',
    resources: [chemo, aCode('p-base', '96413', { status: 'not-done' }), aCode('p-add', '96415')],
    params: { code: '96415', primaries: '96413' },
    evidence: [procRef('p-add')],
  },
  {
    name: 'the primary 96413 is on another encounter',
    resources: [chemo, aCode('p-base', '96413', { encounter: 'Encounter/enc-2' }), aCode('p-add', '96415')],
    params: { code: '96415', primaries: '96413' },
    evidence: [procRef('p-add')],
  },
  {
    name: '96366 with 96367, but 96367 itself has no initial service',
    resources: [chemo, aCode('p-1', '96366'), aCode('p-2', '96367')],
    params: { code: '96367', primaries: INITIAL },
    evidence: [procRef('p-2')],
  },
];

/** enc-1 with 96413 written in Encounter.type (as the CMS157 data puts visit codes there). */
const encounterTyped: Encounter = anEncounter({ type: [concept(CPT, '96413')] });

const silent: readonly InfCase[] = [
  { name: '96411 with 96409', resources: [chemo, aCode('p-1', '96409'), aCode('p-2', '96411')] },
  { name: '96411 with 96413', resources: [chemo, aCode('p-1', '96413'), aCode('p-2', '96411')] },
  { name: '96415 with 96413', resources: [chemo, aCode('p-1', '96413'), aCode('p-2', '96415')] },
  { name: '96417 with 96413', resources: [chemo, aCode('p-1', '96413'), aCode('p-2', '96417')] },
  { name: '96423 with 96422', resources: [chemo, aCode('p-1', '96422'), aCode('p-2', '96423')] },
  ...['96360', '96365', '96369', '96374', '96409', '96413'].flatMap((initial) =>
    ['96361', '96367', '96375'].map((addOn): InfCase => ({
      name: `${addOn} with ${initial}`,
      resources: [chemo, aCode('p-1', initial), aCode('p-2', addOn)],
    })),
  ),
  { name: '96366 with 96365', resources: [chemo, aCode('p-1', '96365'), aCode('p-2', '96366')] },
  {
    name: '96366 with 96367 with 96374',
    resources: [chemo, aCode('p-1', '96374'), aCode('p-2', '96367'), aCode('p-3', '96366')],
  },
  {
    name: 'primary on the Claim, add-on as a Procedure',
    resources: [chemo, aClaim(['96413']), aCode('p-2', '96415')],
  },
  {
    name: 'primary and add-on on the Claim',
    resources: [chemo, aClaim(['96413', { code: '96415', quantity: 2 }, '96417'])],
  },
  { name: 'primary codes only', resources: [chemo, aCode('p-1', '96413'), aCode('p-2', '96360')] },
  { name: 'no codes', resources: [chemo] },
  {
    name: 'the orphan add-on is a not-done Procedure',
    resources: [chemo, aCode('p-1', '96415', { status: 'not-done' })],
  },
];

describe('INF-007 add-on code without its primary code', () => {
  it.each(fires)('fires: $name', (row) => {
    expectFinding(rule, row);
  });

  it.each(silent)('does not fire: $name', ({ resources }) => {
    expect(run(rule, resources)).toEqual([]);
  });

  it('a primary written only in Encounter.type does not count', () => {
    const finding = expectFinding(rule, {
      name: 'Encounter.type 96413, Procedure 96415',
      resources: [chemo, aCode('p-add', '96415')],
      encounter: encounterTyped,
      params: { code: '96415', primaries: '96413' },
      evidence: [procRef('p-add')],
    });
    expect(finding.ruleId).toBe('INF-007');
  });

  it('an add-on written only in Encounter.type is not an orphan', () => {
    const encounter = anEncounter({ type: [concept(CPT, '96415')] });
    expect(run(rule, [chemo], { encounter })).toEqual([]);
  });
});
