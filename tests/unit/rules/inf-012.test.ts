import { describe, expect, it } from 'vitest';
import { inf012PortFlushWithOtherServices } from '../../../src/rules/infusion/inf-012-port-flush-with-other-services.js';
import { anEncounter } from '../../../test-support/builders.js';
import {
  aChemo,
  aClaim,
  aCode,
  concept,
  CPT,
  expectFinding,
  HCPCS,
  type InfCase,
  type InfFiringCase,
  lineRef,
  procRef,
  run,
} from '../../../test-support/inf-builders.js';

/*
 * INF-012 (port irrigation 96523 billed with other services), rule in isolation. Per its header and oncology-rules.md
 * INF-012: fires when 96523 and any other billed CPT/HCPCS code (Procedure or draft Claim line) are on this encounter.
 * Silent when 96523 is the only service; Encounter.type codes are not billed services; other encounters are not seen.
 */

const rule = inf012PortFlushWithOtherServices;
const flush = aCode('p-f', '96523');

const fires: readonly InfFiringCase[] = [
  {
    name: '96523 with a chemo administration code',
    resources: [aChemo('ma-1', 0, 45), flush, aCode('p-1', '96413')],
    params: { others: '96413' },
    evidence: [procRef('p-f'), procRef('p-1')],
  },
  {
    name: '96523 with an E/M visit on the draft Claim',
    resources: [aClaim(['96523', '99213'])],
    params: { others: '99213' },
    evidence: [lineRef(1), lineRef(2)],
  },
  {
    name: '96523 with a port blood draw (36591)',
    resources: [flush, aCode('p-1', '36591')],
    params: { others: '36591' },
    evidence: [procRef('p-f'), procRef('p-1')],
  },
  {
    name: '96523 with an HCPCS drug line (J9045)',
    resources: [flush, aClaim([{ code: 'J9045', quantity: 9 }])],
    params: { others: 'J9045' },
    evidence: [procRef('p-f'), lineRef(1)],
  },
  {
    name: '96523 with an HCPCS Procedure (G0498)',
    resources: [flush, aCode('p-1', 'G0498', { system: HCPCS })],
    params: { others: 'G0498' },
    evidence: [procRef('p-f'), procRef('p-1')],
  },
  {
    name: 'several others, each named once',
    resources: [flush, aCode('p-1', '96413'), aCode('p-2', '96415'), aCode('p-3', '96415')],
    params: { others: '96413, 96415' },
    evidence: [procRef('p-f'), procRef('p-1'), procRef('p-2'), procRef('p-3')],
  },
];

const silent: readonly InfCase[] = [
  { name: '96523 alone (Procedure)', resources: [flush] },
  { name: '96523 alone (Claim line)', resources: [aClaim(['96523'])] },
  { name: '96523 twice, nothing else', resources: [flush, aCode('p-f2', '96523')] },
  { name: '96523 and a documented (unbilled) administration', resources: [flush, aChemo('ma-1', 0, 5)] },
  { name: 'other services without 96523', resources: [aCode('p-1', '96413'), aCode('p-2', '99213')] },
  { name: '96523 with a not-done Procedure', resources: [flush, aCode('p-1', '96413', { status: 'not-done' })] },
  {
    name: '96523 not-done, with 96413',
    resources: [aCode('p-f', '96523', { status: 'not-done' }), aCode('p-1', '96413')],
  },
  {
    name: '96523 with a service of another encounter',
    resources: [flush, aCode('p-1', '99213', { encounter: 'Encounter/enc-2' })],
  },
  { name: '96523 with a cancelled Claim line', resources: [flush, aClaim(['99213'], { status: 'cancelled' })] },
  {
    name: '96523 with a code of an unknown system',
    resources: [flush, aCode('p-1', '12345', { system: 'http://example.org/local-codes' })],
  },
];

describe('INF-012 port irrigation billed with other services', () => {
  it.each(fires)('fires: $name', (row) => {
    expectFinding(rule, row);
  });

  it.each(silent)('does not fire: $name', ({ resources }) => {
    expect(run(rule, resources)).toEqual([]);
  });

  it('a visit code in Encounter.type is not a billed service', () => {
    const encounter = anEncounter({ type: [concept(CPT, '99213')] });
    expect(run(rule, [flush], { encounter })).toEqual([]);
  });
});
