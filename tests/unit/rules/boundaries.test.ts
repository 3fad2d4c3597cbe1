import type { Encounter, MedicationRequest, Observation, Resource } from 'fhir/r4.js';
import { describe, expect, it } from 'vitest';
import { pain001ChemoPainNotQuantified } from '../../../src/rules/pain/pain-001-chemo-pain-not-quantified.js';
import { pain006CategoryIiConflict } from '../../../src/rules/pain/pain-006-category-ii-conflict.js';
import {
  aCancer,
  aChemo,
  aChemoAdministration,
  aChemoOrder,
  aCodedProcedure,
  aPainScore,
  at,
  aVisit,
  VISIT_DAY,
} from '../../../test-support/pain-builders.js';
import { evaluateRule } from '../../../test-support/rules.js';

/*
 * Boundaries and windows of the pain rules that the mutation run of issue 13 showed unpinned: the chemotherapy
 * look-back and look-ahead windows (CMS157 population 1 as knowable at signing, catalogue 1.3: chemotherapy 0-30
 * days on or before the visit day and another 0-30 days after; UTC day precision), the inclusive ends of
 * `during`/`overlaps` (src/fhir/intervals.ts), partial dates and offsets, finished and period-less encounters, and
 * PAIN-006's final-only score. The visit is pain-builders' aVisit(): enc-1, CPT 99213, 2025-05-14 14:00-15:00Z.
 */

const pain001 = (resources: readonly Resource[], encounter: Encounter = aVisit()) =>
  evaluateRule(pain001ChemoPainNotQuantified, resources, { encounter }).map((f) => f.variant ?? 'default');

/** A second chemo Procedure (chemo-2) `days` from the visit day. */
const anotherChemo = (days: number) => aChemo(days, { id: 'chemo-2' });

describe('PAIN-001: chemotherapy look-back and look-ahead windows', () => {
  it.each<{ name: string; resources: readonly Resource[]; variants: readonly string[] }>([
    { name: 'chemo on the visit day (day 0) only: likely', resources: [aChemo(0)], variants: ['likely'] },
    { name: 'chemo on day -30 (edge of the look-back): likely', resources: [aChemo(-30)], variants: ['likely'] },
    { name: 'chemo on day -31 (outside the look-back): silent', resources: [aChemo(-31)], variants: [] },
    { name: 'chemo on day +1 only (nothing before): silent', resources: [aChemo(1)], variants: [] },
    {
      name: 'chemo day -10 and day +30 (edge of the look-ahead): confirmed',
      resources: [aChemo(-10), anotherChemo(30)],
      variants: ['default'],
    },
    {
      name: 'chemo day -10 and day +31 (outside the look-ahead): likely',
      resources: [aChemo(-10), anotherChemo(31)],
      variants: ['likely'],
    },
    { name: 'chemo day 0 and day +30: confirmed', resources: [aChemo(0), anotherChemo(30)], variants: ['default'] },
    {
      name: 'chemo day -10 and day 0: the visit-day chemo is the one after',
      resources: [aChemo(-10), anotherChemo(0)],
      variants: ['default'],
    },
    {
      name: 'two chemo days before (-10, -5) and nothing after stays likely',
      resources: [aChemo(-10), anotherChemo(-5)],
      variants: ['likely'],
    },
    {
      name: 'two chemo events on the visit day only stays likely (same day is not "another")',
      resources: [aChemo(0), anotherChemo(0)],
      variants: ['likely'],
    },
    {
      name: 'chemo day -31 and day +10: nothing in the look-back, silent',
      resources: [aChemo(-31), anotherChemo(10)],
      variants: [],
    },
    {
      name: 'chemo day -10 and an active antineoplastic order: confirmed',
      resources: [aChemo(-10), aChemoOrder()],
      variants: ['default'],
    },
    {
      name: 'chemo day -10 and a completed antineoplastic order: likely',
      resources: [aChemo(-10), aChemoOrder({ status: 'completed' })],
      variants: ['likely'],
    },
    {
      name: 'chemo day -10 and a stopped antineoplastic order: likely',
      resources: [aChemo(-10), aChemoOrder({ status: 'stopped' })],
      variants: ['likely'],
    },
    {
      name: 'chemo day -10 and a cancelled antineoplastic order: likely',
      resources: [aChemo(-10), aChemoOrder({ status: 'cancelled' })],
      variants: ['likely'],
    },
    {
      name: 'antineoplastic administration day -30: likely',
      resources: [aChemoAdministration(-30)],
      variants: ['likely'],
    },
    { name: 'antineoplastic administration day -31: silent', resources: [aChemoAdministration(-31)], variants: [] },
    {
      name: 'antineoplastic administration not done day -10: silent',
      resources: [aChemoAdministration(-10, { status: 'not-done' })],
      variants: [],
    },
  ])('$name', ({ resources, variants }) => {
    expect(pain001([aCancer(), ...resources])).toEqual(variants);
  });
});

describe('PAIN-001: chemotherapy days are UTC days, partial dates cover their span', () => {
  const chemoAt = (performedDateTime: string) => aChemo(0, { performedDateTime });
  it.each<{ name: string; performed: string; fires: boolean }>([
    { name: '-05:00 evening that is day -30 in UTC', performed: '2025-04-13T22:00:00-05:00', fires: true },
    { name: '-05:00 evening that is still day -31 in UTC', performed: '2025-04-13T18:00:00-05:00', fires: false },
    {
      name: '+05:30 early morning of local day -30 is UTC day -31',
      performed: '2025-04-14T02:00:00+05:30',
      fires: false,
    },
    { name: '+05:30 morning of local day -30 is UTC day -30', performed: '2025-04-14T06:00:00+05:30', fires: true },
    {
      name: '-03:30 late evening of local day -31 is UTC day -30',
      performed: '2025-04-13T21:00:00-03:30',
      fires: true,
    },
    { name: 'year-month 2025-05 starts on day -13: counts', performed: '2025-05', fires: true },
    { name: 'year-month 2025-04 starts on day -43: does not count', performed: '2025-04', fires: false },
    { name: 'year 2025 starts on January 1: does not count', performed: '2025', fires: false },
    { name: 'date only, day -30', performed: '2025-04-14', fires: true },
  ])('$name', ({ performed, fires }) => {
    expect(pain001([aCancer(), chemoAt(performed)])).toHaveLength(fires ? 1 : 0);
  });
});

describe('PAIN-001: inclusive ends of during and overlaps', () => {
  const scoreAt = (time: string): Observation => aPainScore(6, { effectiveDateTime: time });
  it.each<{ name: string; score: Observation; fires: boolean }>([
    {
      name: 'a score exactly at the visit start counts (during, low end inclusive)',
      score: scoreAt(`${VISIT_DAY}T14:00:00Z`),
      fires: false,
    },
    {
      name: 'a score exactly at the visit end counts (during, high end inclusive)',
      score: scoreAt(`${VISIT_DAY}T15:00:00Z`),
      fires: false,
    },
    {
      name: 'a score one second before the visit does not count',
      score: scoreAt(`${VISIT_DAY}T13:59:59Z`),
      fires: true,
    },
    {
      name: 'a score one second after the finished visit does not count',
      score: scoreAt(`${VISIT_DAY}T15:00:01Z`),
      fires: true,
    },
    {
      name: 'a score later the same day, after the visit finished, does not count',
      score: scoreAt(`${VISIT_DAY}T20:00:00Z`),
      fires: true,
    },
  ])('$name', ({ score, fires }) => {
    expect(pain001([aCancer(), aChemo(-10), score])).toHaveLength(fires ? 1 : 0);
  });

  it('an open visit lasts until the end of its local day: a score later the same day counts', () => {
    const open = aVisit({ status: 'in-progress', period: { start: `${VISIT_DAY}T10:00:00-04:00` } });
    expect(
      pain001([aCancer(), aChemo(-10), aPainScore(6, { effectiveDateTime: `${VISIT_DAY}T23:30:00-04:00` })], open),
    ).toEqual([]);
    expect(
      pain001([aCancer(), aChemo(-10), aPainScore(6, { effectiveDateTime: '2025-05-15T00:30:00-04:00' })], open),
    ).toEqual(['likely']);
  });

  it.each<{ name: string; cancer: Partial<Parameters<typeof aCancer>[0]>; fires: boolean }>([
    {
      name: 'onset exactly at the visit end: prevalent (overlaps, inclusive)',
      cancer: { onsetDateTime: `${VISIT_DAY}T15:00:00Z` },
      fires: true,
    },
    {
      name: 'onset one second after the visit: not prevalent',
      cancer: { onsetDateTime: `${VISIT_DAY}T15:00:01Z` },
      fires: false,
    },
    {
      name: 'abatement exactly at the visit start: prevalent',
      cancer: { abatementDateTime: `${VISIT_DAY}T14:00:00Z` },
      fires: true,
    },
    {
      name: 'abatement one second before the visit: not prevalent',
      cancer: { abatementDateTime: `${VISIT_DAY}T13:59:59Z` },
      fires: false,
    },
  ])('cancer $name', ({ cancer, fires }) => {
    expect(pain001([aCancer(cancer), aChemo(-10)])).toHaveLength(fires ? 1 : 0);
  });
});

describe('PAIN-001: encounters without a usable period', () => {
  it('an encounter without a period is never a chemotherapy visit', () => {
    const { period: _p, ...noPeriod } = aVisit();
    expect(pain001([aCancer(), aChemo(0)], noPeriod)).toEqual([]);
  });

  it('a finished encounter with chemo later the same day: the chemo day is still day 0', () => {
    const finished = aVisit({ status: 'finished' });
    expect(pain001([aCancer(), aChemo(0, { performedDateTime: `${VISIT_DAY}T22:00:00Z` })], finished)).toEqual([
      'likely',
    ]);
  });

  it('a cancelled encounter is not a visit', () => {
    expect(pain001([aCancer(), aChemo(-10)], aVisit({ status: 'cancelled' }))).toEqual([]);
  });
});

describe('PAIN-006: the last FINAL score decides (a preliminary one does not)', () => {
  const score = (id: string, time: string, value: number, status: Observation['status']): Observation =>
    aPainScore(value, { id, status, effectiveDateTime: `${VISIT_DAY}T${time}:00Z` });
  const pain006 = (resources: readonly Resource[]) =>
    evaluateRule(pain006CategoryIiConflict, [aCancer(), aChemo(-10), ...resources], { encounter: aVisit() });

  it('1126F with a final 0 and a later preliminary 6: no conflict', () => {
    expect(
      pain006([aCodedProcedure('1126F'), score('fin', '14:10', 0, 'final'), score('pre', '14:40', 6, 'preliminary')]),
    ).toEqual([]);
  });

  it('1126F with a final 6 and a later preliminary 0: conflict on the final score', () => {
    const findings = pain006([
      aCodedProcedure('1126F'),
      score('fin', '14:10', 6, 'final'),
      score('pre', '14:40', 0, 'preliminary'),
    ]);
    expect(findings).toHaveLength(1);
    expect(findings[0]?.evidence).toContain('Observation/fin');
    expect(findings[0]?.evidence).not.toContain('Observation/pre');
  });

  it('1125F with only a preliminary 0: no conflict (nothing final to contradict)', () => {
    expect(pain006([aCodedProcedure('1125F'), score('pre', '14:40', 0, 'preliminary')])).toEqual([]);
  });

  it('unordered scores: the later final one decides', () => {
    const findings = pain006([
      aCodedProcedure('1125F'),
      score('late', '14:50', 0, 'final'),
      score('early', '14:10', 7, 'final'),
    ]);
    expect(findings).toHaveLength(1);
    expect(findings[0]?.evidence).toContain('Observation/late');
  });

  it('0521F-8P with a cancelled analgesic order: no plan evidence, no conflict', () => {
    const order: MedicationRequest = {
      resourceType: 'MedicationRequest',
      id: 'rx-1',
      status: 'cancelled',
      intent: 'order',
      medicationCodeableConcept: { coding: [{ system: 'http://www.nlm.nih.gov/research/umls/rxnorm', code: '7804' }] },
      subject: { reference: 'Patient/pat-1' },
      encounter: { reference: 'Encounter/enc-1' },
      authoredOn: at(0, '14:40'),
    };
    expect(pain006([aCodedProcedure('0521F-8P'), order])).toEqual([]);
    const active: MedicationRequest = { ...order, status: 'active' };
    expect(pain006([aCodedProcedure('0521F-8P'), active])).toHaveLength(1);
  });
});
