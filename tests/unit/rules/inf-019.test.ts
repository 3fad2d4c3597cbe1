import { describe, expect, it } from 'vitest';
import { inf019BundledAccess } from '../../../src/rules/infusion/inf-019-bundled-access.js';
import { anEncounter } from '../../../test-support/builders.js';
import {
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
 * INF-019 (bundled access/supply services billed separately), rule in isolation. Per its header and oncology-rules.md
 * INF-019: fires when 36000, 36410 or 96523 is billed (Procedure or Claim line) with a drug administration code
 * (96360-96549, other than 96523 itself) on this encounter. Supply codes are not in the value set (not implementable
 * from the code lists).
 */

const rule = inf019BundledAccess;

const fires: readonly InfFiringCase[] = [
  {
    name: '36000 (IV start) with 96413',
    resources: [aCode('p-a', '36000'), aCode('p-1', '96413')],
    params: { code: '36000' },
    evidence: [procRef('p-a'), procRef('p-1')],
  },
  {
    name: '36410 (venipuncture) with 96365',
    resources: [aCode('p-a', '36410'), aCode('p-1', '96365')],
    params: { code: '36410' },
    evidence: [procRef('p-a'), procRef('p-1')],
  },
  {
    name: '96523 (port flush) with 96413',
    resources: [aCode('p-a', '96523'), aCode('p-1', '96413')],
    params: { code: '96523' },
    evidence: [procRef('p-a'), procRef('p-1')],
  },
  {
    name: '36000 and 36410 with 96409 and 96411',
    resources: [aCode('p-a', '36000'), aCode('p-b', '36410'), aCode('p-1', '96409'), aCode('p-2', '96411')],
    params: { code: '36000, 36410' },
    evidence: [procRef('p-a'), procRef('p-b'), procRef('p-1'), procRef('p-2')],
  },
  {
    name: 'all on the draft Claim',
    resources: [aClaim(['96413', '36000'])],
    params: { code: '36000' },
    evidence: [lineRef(2), lineRef(1)],
  },
  {
    name: 'boundary: 36000 with 96360 (bottom of the range)',
    resources: [aCode('p-a', '36000'), aCode('p-1', '96360')],
    params: { code: '36000' },
    evidence: [procRef('p-a'), procRef('p-1')],
  },
];

const silent: readonly InfCase[] = [
  { name: '36000 alone', resources: [aCode('p-a', '36000')] },
  { name: '96523 alone (INF-012 territory)', resources: [aCode('p-a', '96523')] },
  { name: '96523 twice', resources: [aCode('p-a', '96523'), aCode('p-b', '96523')] },
  { name: '36000 with an E/M only', resources: [aCode('p-a', '36000'), aCode('p-1', '99213')] },
  { name: '36000 with 96359 (not an administration code)', resources: [aCode('p-a', '36000'), aCode('p-1', '96359')] },
  { name: 'administration codes only', resources: [aCode('p-1', '96413'), aCode('p-2', '96415')] },
  {
    name: '36000 as a not-done Procedure',
    resources: [aCode('p-a', '36000', { status: 'not-done' }), aCode('p-1', '96413')],
  },
  {
    name: 'the administration code is not-done',
    resources: [aCode('p-a', '36000'), aCode('p-1', '96413', { status: 'not-done' })],
  },
  {
    name: '36000 on another encounter',
    resources: [aCode('p-a', '36000', { encounter: 'Encounter/enc-2' }), aCode('p-1', '96413')],
  },
  { name: 'port blood draw 36591 is not in the list', resources: [aCode('p-a', '36591'), aCode('p-1', '96413')] },
];

describe('INF-019 bundled access/supply services billed separately', () => {
  it.each(fires)('fires: $name', (row) => {
    expectFinding(rule, row);
  });

  it.each(silent)('does not fire: $name', ({ resources }) => {
    expect(run(rule, resources)).toEqual([]);
  });

  it('an administration code in Encounter.type does not count', () => {
    const encounter = anEncounter({ type: [concept(CPT, '96413')] });
    expect(run(rule, [aCode('p-a', '36000')], { encounter })).toEqual([]);
  });
});
