import { describe, expect, it } from 'vitest';
import { inf018EmWithAdministration } from '../../../src/rules/infusion/inf-018-em-with-administration.js';
import { anEncounter } from '../../../test-support/builders.js';
import {
  aClaim,
  aCode,
  concept,
  CPT,
  ENCOUNTER,
  expectFinding,
  type InfCase,
  type InfFiringCase,
  lineRef,
  procRef,
  run,
} from '../../../test-support/inf-builders.js';

/*
 * INF-018 (E/M on the same day as drug administration), rule in isolation. Per its header and oncology-rules.md
 * INF-018: (a, default, warning) 99211 with any 96360-96549 code, from Procedures or Claim lines; (b, modifier-25,
 * info) 99202-99215 on a draft Claim line without modifier 25 together with a drug administration code. (b) needs
 * modifiers: silent without a Claim. Visit codes in Encounter.type are not billing lines.
 */

const rule = inf018EmWithAdministration;

const fires: readonly InfFiringCase[] = [
  {
    name: '(a) 99211 and 96413 as Procedures',
    resources: [aCode('p-em', '99211'), aCode('p-1', '96413')],
    params: { code: '99211' },
    evidence: [procRef('p-em'), procRef('p-1')],
  },
  {
    name: '(a) 99211 and 96360 on the draft Claim',
    resources: [aClaim(['99211', '96360'])],
    params: { code: '99211' },
    evidence: [lineRef(1), lineRef(2)],
  },
  {
    name: '(a) 99211 with modifier 25 is still 99211',
    resources: [aClaim([{ code: '99211', modifiers: ['25'] }, '96372'])],
    params: { code: '99211' },
    evidence: [lineRef(1), lineRef(2)],
  },
  {
    name: '(a) boundary: 99211 with 96549 (top of the range)',
    resources: [aCode('p-em', '99211'), aCode('p-1', '96549')],
    params: { code: '99211' },
    evidence: [procRef('p-em'), procRef('p-1')],
  },
  {
    name: '(a) 99211 Procedure with a 96413 Claim line',
    resources: [aCode('p-em', '99211'), aClaim(['96413'])],
    params: { code: '99211' },
    evidence: [procRef('p-em'), lineRef(1)],
  },
  ...['99202', '99205', '99212', '99213', '99215'].map((code): InfFiringCase => ({
    name: `(b) ${code} on the Claim without 25, with 96413`,
    resources: [aClaim([code, '96413'])],
    variant: 'modifier-25',
    params: { code },
    evidence: [lineRef(1), lineRef(2)],
  })),
  {
    name: '(b) E/M line with a modifier that is not 25 (59)',
    resources: [aClaim([{ code: '99214', modifiers: ['59'] }, '96365', '96375'])],
    variant: 'modifier-25',
    params: { code: '99214' },
    evidence: [lineRef(1), lineRef(2), lineRef(3)],
  },
  {
    name: '(b) E/M on the Claim, the administration code as a Procedure',
    resources: [aClaim(['99213']), aCode('p-1', '96409')],
    variant: 'modifier-25',
    params: { code: '99213' },
    evidence: [lineRef(1), procRef('p-1')],
  },
];

const silent: readonly InfCase[] = [
  { name: '(b) 99213 with modifier 25', resources: [aClaim([{ code: '99213', modifiers: ['25'] }, '96413'])] },
  {
    name: '(b) 99213 with modifier 25 as bare text',
    resources: [aClaim([{ code: '99213', modifiers: ['25'], modifiersAsText: true }, '96413'])],
  },
  {
    name: '(b) no Claim: 99213 and 96413 as Procedures only',
    resources: [aCode('p-em', '99213'), aCode('p-1', '96413')],
  },
  {
    name: '(b) a Claim is sent but the E/M is only a Procedure',
    resources: [aCode('p-em', '99213'), aClaim(['96413'])],
  },
  { name: 'E/M without an administration code', resources: [aClaim(['99213', '36415'])] },
  { name: '99211 without an administration code', resources: [aCode('p-em', '99211'), aCode('p-1', '36415')] },
  { name: '99211 with 96359 (below the range)', resources: [aCode('p-em', '99211'), aCode('p-1', '96359')] },
  { name: '99211 with 96550 (above the range)', resources: [aCode('p-em', '99211'), aCode('p-1', '96550')] },
  { name: 'administration codes only', resources: [aClaim(['96413', '96415'])] },
  {
    name: '99211 as a not-done Procedure',
    resources: [aCode('p-em', '99211', { status: 'not-done' }), aCode('p-1', '96413')],
  },
  {
    name: '99211 on another encounter',
    resources: [aCode('p-em', '99211', { encounter: 'Encounter/enc-2' }), aCode('p-1', '96413')],
  },
  { name: '99201 is not in the E/M list', resources: [aClaim(['99201', '96413'])] },
];

describe('INF-018 E/M on the same day as drug administration', () => {
  it.each(fires)('fires: $name', (row) => {
    expectFinding(rule, row);
  });

  it.each(silent)('does not fire: $name', ({ resources }) => {
    expect(run(rule, resources)).toEqual([]);
  });

  it('visit codes in Encounter.type are not billing lines: 99211 there with 96413 is silent', () => {
    const encounter = anEncounter({ type: [concept(CPT, '99211')] });
    expect(run(rule, [aCode('p-1', '96413')], { encounter })).toEqual([]);
  });

  it('visit codes in Encounter.type are not billing lines: 99213 there with a 96413 Claim line is silent', () => {
    const encounter = anEncounter({ type: [concept(CPT, '99213')] });
    expect(run(rule, [aClaim(['96413'])], { encounter })).toEqual([]);
  });

  it('evidence names the Encounter only when it is billed, never for Encounter.type', () => {
    const encounter = anEncounter({ type: [concept(CPT, '99213')] });
    const [finding] = run(rule, [aClaim(['99212', '96413'])], { encounter });
    expect(finding?.evidence).not.toContain(ENCOUNTER);
    expect(finding?.params).toEqual({ code: '99212' });
  });
});
