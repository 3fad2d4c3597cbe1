import type { Encounter, Resource } from 'fhir/r4.js';
import { describe, expect, it } from 'vitest';
import type { VisitKind } from '../../../src/facts/visit.js';
import { anEncounter, concept, CPT, SNOMED } from '../../../test-support/builders.js';
import { aChargeItem, factsOf } from '../../../test-support/facts.js';
import { aClaim, aCode } from '../../../test-support/inf-builders.js';

/*
 * Shapes corpus, visit kind and window (src/facts/visit.ts). The encounter is enc-1 on 2025-03-04 (09:00 -05:00,
 * open) unless a row says otherwise. Vendor shapes from tests/fixtures/many-shapes/README.md ("README").
 */

const EPIC_DEPT_TYPE = 'urn:oid:1.2.840.114350.1.13.0.1.7.10.698084.30';
const V3_ACT = 'http://terminology.hl7.org/CodeSystem/v3-ActCode';
const LOCAL_INFUSION_TYPE = [
  { coding: [{ system: EPIC_DEPT_TYPE, code: '5001', display: 'Oncology Infusion Visit' }] },
];

/** enc-1 with a local (Epic department) visit type, which says nothing about the kind. */
const localVisit = (overrides: Partial<Encounter> = {}): Encounter =>
  anEncounter({ type: LOCAL_INFUSION_TYPE, ...overrides });

/** A same-day Procedure with no encounter link (it joins enc-1 by its day, snapshot thisEncounter). */
const sameDayProcedure = (id: string, code: string): Resource => {
  const { encounter: _encounter, ...rest } = aCode(id, code);
  return rest;
};

interface KindRow {
  readonly name: string;
  readonly source: string;
  readonly encounter: Encounter;
  readonly resources: readonly Resource[];
  readonly kinds: readonly VisitKind[];
  readonly evidence: readonly string[];
  readonly fiveFractions?: boolean;
}

const rows: readonly KindRow[] = [
  {
    name: 'E/M 99213 in Encounter.type (CPT)',
    source: 'CMS157 test data; US Core 6.1 Encounter example-1 (README "uscore")',
    encounter: anEncounter({ type: [concept(CPT, '99213', 'Office Visit')] }),
    resources: [],
    kinds: ['office-em'],
    evidence: ['Encounter/enc-1'],
  },
  {
    name: 'E/M under the CPT OID in Encounter.type',
    source: 'C-CDA-derived data (code-systems.json alias)',
    encounter: anEncounter({ type: [concept('urn:oid:2.16.840.1.113883.6.12', '99214')] }),
    resources: [],
    kinds: ['office-em'],
    evidence: ['Encounter/enc-1'],
  },
  {
    name: 'E/M 99214 only as a same-day Procedure, local visit type',
    source: 'README "epic" (level of service as Procedure.code CPT) and issue 13 s01',
    encounter: localVisit(),
    resources: [sameDayProcedure('em', '99214')],
    kinds: ['office-em'],
    evidence: ['Procedure/em'],
  },
  {
    name: 'E/M 99214 only as a draft Claim line',
    source: 'README "claim837"; athenahealth and charge-driven feeds',
    encounter: localVisit(),
    resources: [aClaim(['99214'])],
    kinds: ['office-em'],
    evidence: ['Claim/claim-1#1'],
  },
  {
    name: 'E/M 99214 only as an Oracle ChargeItem',
    source: 'README "cerner" (r4_examples_charge_item.rb)',
    encounter: localVisit(),
    resources: [aChargeItem('99214', { modifiers: ['25'] })],
    kinds: ['office-em'],
    evidence: ['ChargeItem/charge-99214'],
  },
  {
    name: 'Encounter.class VR with the E/M in type',
    source: 'README "uscore-telehealth" (v3 ActCode VR)',
    encounter: anEncounter({ class: { system: V3_ACT, code: 'VR' }, type: [concept(CPT, '99213')] }),
    resources: [],
    kinds: ['telehealth-em'],
    evidence: ['Encounter/enc-1'],
  },
  {
    name: 'Encounter.class VR with the E/M on a Claim line',
    source: 'US Core telehealth + claim line',
    encounter: localVisit({ class: { system: V3_ACT, code: 'VR' } }),
    resources: [aClaim(['99213'])],
    kinds: ['telehealth-em'],
    evidence: ['Claim/claim-1#1'],
  },
  {
    name: 'telehealth modifier 95 on the E/M Claim line',
    source: 'CMS telehealth modifiers (visit.ts header)',
    encounter: localVisit(),
    resources: [aClaim([{ code: '99213', modifiers: ['95'] }])],
    kinds: ['telehealth-em'],
    evidence: ['Claim/claim-1#1'],
  },
  {
    name: 'telehealth modifier GT as text on the E/M Claim line',
    source: 'README "claim837" (modifiers as bare text)',
    encounter: localVisit(),
    resources: [aClaim([{ code: '99213', modifiers: ['gt'], modifiersAsText: true }])],
    kinds: ['telehealth-em'],
    evidence: ['Claim/claim-1#1'],
  },
  {
    name: 'telehealth modifier 95 on an Oracle ChargeItem',
    source: 'README "cerner" (modifier-code extension)',
    encounter: localVisit(),
    resources: [aChargeItem('99213', { modifiers: ['95'] })],
    kinds: ['telehealth-em'],
    evidence: ['ChargeItem/charge-99213'],
  },
  {
    name: 'modifier 95 on a non-E/M line does not make the visit telehealth',
    source: 'CMS telehealth modifiers',
    encounter: localVisit(),
    resources: [aClaim(['99213', { code: '96413', modifiers: ['95'] }])],
    kinds: ['office-em'],
    evidence: ['Claim/claim-1#1'],
  },
  {
    name: 'SNOMED telehealth encounter type 448337001',
    source: 'CMS157 Audio Visual Telehealth Encounter value set',
    encounter: anEncounter({ type: [concept(SNOMED, '448337001')] }),
    resources: [],
    kinds: ['telehealth-em'],
    evidence: [],
  },
  {
    name: 'type text "Office Visit" (Epic department list 101)',
    source: 'README "epic" visit kind row (JUDGMENT: type words as last resort)',
    encounter: anEncounter({ type: [{ coding: [{ system: EPIC_DEPT_TYPE, code: '101', display: 'Office Visit' }] }] }),
    resources: [],
    kinds: ['office-em'],
    evidence: [],
  },
  {
    name: 'type text "Video Visit"',
    source: 'Epic on FHIR Encounter types (visit.ts header)',
    encounter: anEncounter({ type: [{ text: 'Video Visit' }] }),
    resources: [],
    kinds: ['telehealth-em'],
    evidence: [],
  },
  {
    name: 'type text "Office Visit" with class VR',
    source: 'Epic type words + US Core class',
    encounter: anEncounter({ class: { system: V3_ACT, code: 'VR' }, type: [{ text: 'Office Visit' }] }),
    resources: [],
    kinds: ['telehealth-em'],
    evidence: [],
  },
  {
    name: 'class VR alone is no E/M visit',
    source: 'US Core class without a visit code',
    encounter: localVisit({ class: { system: V3_ACT, code: 'VR' } }),
    resources: [],
    kinds: ['other'],
    evidence: [],
  },
  {
    name: 'RT management 77427 on a Claim line',
    source: 'CMS157 Radiation Treatment Management value set',
    encounter: localVisit(),
    resources: [aClaim(['77427'])],
    kinds: ['radiation-management'],
    evidence: ['Claim/claim-1#1'],
    fiveFractions: true,
  },
  {
    name: 'RT management 77427 in Encounter.type with an E/M Procedure',
    source: 'CMS157 test data',
    encounter: anEncounter({ type: [concept(CPT, '77427')] }),
    resources: [sameDayProcedure('em', '99213')],
    kinds: ['office-em', 'radiation-management'],
    evidence: ['Procedure/em', 'Encounter/enc-1'],
    fiveFractions: true,
  },
  {
    name: 'RT management 77431 is not five-fraction management',
    source: 'CMS157 Radiation Treatment Management value set',
    encounter: localVisit(),
    resources: [aCode('rt', '77431')],
    kinds: ['radiation-management'],
    evidence: ['Procedure/rt'],
    fiveFractions: false,
  },
  {
    name: 'infusion only: an administration code and no visit code',
    source: 'README "athena" (chemotherapy visible only as CPT 96413)',
    encounter: localVisit(),
    resources: [aCode('admin', '96413')],
    kinds: ['infusion-only'],
    evidence: [],
  },
  {
    name: 'other: local visit type and nothing billed',
    source: 'README "epic" (open visit, no charge yet)',
    encounter: localVisit(),
    resources: [],
    kinds: ['other'],
    evidence: [],
  },
  {
    name: 'other: Synthea "Encounter for problem"',
    source: 'README "synthea"',
    encounter: anEncounter({ type: [concept(SNOMED, '185347001', 'Encounter for problem')] }),
    resources: [],
    kinds: ['other'],
    evidence: [],
  },
  {
    name: 'an E/M on a cancelled Claim does not count',
    source: 'claim status',
    encounter: localVisit(),
    resources: [aClaim(['99213'], { status: 'cancelled' })],
    kinds: ['other'],
    evidence: [],
  },
  {
    name: 'an E/M Procedure not done does not count',
    source: 'Procedure status',
    encounter: localVisit(),
    resources: [aCode('em', '99213', { status: 'not-done' })],
    kinds: ['other'],
    evidence: [],
  },
];

describe('visit kind: every place a record says what the visit is', () => {
  it.each(rows)('$name ($source)', (row) => {
    const visit = factsOf(row.resources, row.encounter).visit;
    expect([...visit.kinds].sort()).toEqual([...row.kinds].sort());
    expect([...visit.evidence].sort()).toEqual([...row.evidence].sort());
    const em = row.kinds.includes('office-em') || row.kinds.includes('telehealth-em');
    expect(visit.officeOrTelehealth).toBe(em);
    expect(visit.radiationManagement).toBe(row.kinds.includes('radiation-management'));
    expect(visit.fiveFractionManagement).toBe(row.fiveFractions ?? false);
  });
});

describe('visit kind: every telehealth modifier and type wording', () => {
  it.each(['95', 'GT', 'GQ', 'FQ', '93'])('modifier %s on the E/M line makes the visit telehealth', (modifier) => {
    const visit = factsOf([aClaim([{ code: '99213', modifiers: [modifier] }])], localVisit()).visit;
    expect([...visit.kinds]).toEqual(['telehealth-em']);
  });

  it.each(['25', 'GC'])('modifier %s on the E/M line leaves it an office visit', (modifier) => {
    const visit = factsOf([aClaim([{ code: '99213', modifiers: [modifier] }])], localVisit()).visit;
    expect([...visit.kinds]).toEqual(['office-em']);
  });

  it.each<[string, VisitKind]>([
    ['Office Visit', 'office-em'],
    ['Clinic Visit', 'office-em'],
    ['Oncology office visit - established', 'office-em'],
    ['Telehealth', 'telehealth-em'],
    ['Telemedicine', 'telehealth-em'],
    ['Video Visit', 'telehealth-em'],
    ['Virtual Visit', 'telehealth-em'],
    ['Telehealth office visit', 'telehealth-em'],
    ['Office', 'other'],
    ['Visit', 'other'],
    ['Postoffice visits', 'other'],
  ])('type text "%s" → %s', (text, kind) => {
    expect([...factsOf([], anEncounter({ type: [{ text }] })).visit.kinds]).toEqual([kind]);
  });

  it('type display (no text) is read too', () => {
    const encounter = anEncounter({
      type: [{ coding: [{ system: EPIC_DEPT_TYPE, code: '2', display: 'Telemedicine' }] }],
    });
    expect([...factsOf([], encounter).visit.kinds]).toEqual(['telehealth-em']);
  });

  it('the same E/M in type and on a Procedure is evidence twice, once per place', () => {
    const visit = factsOf([aCode('em', '99213')], anEncounter({ type: [concept(CPT, '99213')] })).visit;
    expect(visit.evidence).toEqual(['Procedure/em', 'Encounter/enc-1']);
  });
});

describe('visit status, reference and reasons', () => {
  it.each([
    ['in-progress', false],
    ['finished', false],
    ['cancelled', true],
    ['planned', false],
  ] as const)('status %s → void %s', (status, isVoid) => {
    const visit = factsOf([], anEncounter({ status })).visit;
    expect(visit.status).toBe(status);
    expect(visit.void).toBe(isVoid);
    expect(visit.reference).toBe('Encounter/enc-1');
    expect(visit.encounter?.id).toBe('enc-1');
  });

  it('reasonCode codings are the visit reasons', () => {
    const visit = factsOf([], anEncounter({ reasonCode: [concept(SNOMED, '363406005'), { text: 'x' }] })).visit;
    expect(visit.reasonCodings).toEqual([{ system: SNOMED, code: '363406005' }]);
  });
});

const ms = (instant: string): number => Date.parse(instant);

describe('visit window', () => {
  it.each<{ name: string; period: Encounter['period']; low: string; high: string; day: string; startDay: string }>([
    {
      name: 'open, -05:00: until local midnight',
      period: { start: '2025-03-04T09:00:00-05:00' },
      low: '2025-03-04T14:00:00.000Z',
      high: '2025-03-05T04:59:59.999Z',
      day: '2025-03-04',
      startDay: '2025-03-04',
    },
    {
      name: 'open, +05:30 (non-whole-hour, positive): local midnight is 18:30 UTC',
      period: { start: '2025-03-04T09:00:00+05:30' },
      low: '2025-03-04T03:30:00.000Z',
      high: '2025-03-04T18:29:59.999Z',
      day: '2025-03-04',
      startDay: '2025-03-04',
    },
    {
      name: 'open, -03:30 (non-whole-hour, negative), late evening: the UTC day is the next one',
      period: { start: '2025-03-04T21:00:00-03:30' },
      low: '2025-03-05T00:30:00.000Z',
      high: '2025-03-05T03:29:59.999Z',
      day: '2025-03-05',
      startDay: '2025-03-05',
    },
    {
      name: 'open, UTC',
      period: { start: '2025-03-04T09:00:00Z' },
      low: '2025-03-04T09:00:00.000Z',
      high: '2025-03-04T23:59:59.999Z',
      day: '2025-03-04',
      startDay: '2025-03-04',
    },
    {
      name: 'open, date only (README "epic" ambulatory period): the whole day',
      period: { start: '2025-03-04' },
      low: '2025-03-04T00:00:00.000Z',
      high: '2025-03-04T23:59:59.999Z',
      day: '2025-03-04',
      startDay: '2025-03-04',
    },
    {
      name: 'closed: the period as recorded, the end day counts',
      period: { start: '2025-03-04T22:00:00-05:00', end: '2025-03-04T23:30:00-05:00' },
      low: '2025-03-05T03:00:00.000Z',
      high: '2025-03-05T04:30:00.000Z',
      day: '2025-03-05',
      startDay: '2025-03-05',
    },
    {
      name: 'closed over UTC midnight: day is the end day, startDay the start day',
      period: { start: '2025-03-04T23:00:00Z', end: '2025-03-05T01:00:00Z' },
      low: '2025-03-04T23:00:00.000Z',
      high: '2025-03-05T01:00:00.000Z',
      day: '2025-03-05',
      startDay: '2025-03-04',
    },
    {
      name: 'partial dates: year-month start and end cover the whole months',
      period: { start: '2025-03', end: '2025-04' },
      low: '2025-03-01T00:00:00.000Z',
      high: '2025-04-30T23:59:59.999Z',
      day: '2025-04-30',
      startDay: '2025-03-01',
    },
    {
      name: 'partial dates: a year start and end cover the year',
      period: { start: '2025', end: '2025' },
      low: '2025-01-01T00:00:00.000Z',
      high: '2025-12-31T23:59:59.999Z',
      day: '2025-12-31',
      startDay: '2025-01-01',
    },
  ])('$name', ({ period, low, high, day, startDay }) => {
    const visit = factsOf([], anEncounter({ ...(period !== undefined ? { period } : {}) })).visit;
    expect(visit.interval).toEqual({ low: ms(low), high: ms(high) });
    expect(visit.day).toBe(Math.floor(ms(`${day}T00:00:00Z`) / 86_400_000));
    expect(visit.startDay).toBe(Math.floor(ms(`${startDay}T00:00:00Z`) / 86_400_000));
  });

  it('an open period keeps its open end in `period`', () => {
    const visit = factsOf([], anEncounter({ period: { start: '2025-03-04T09:00:00-05:00' } })).visit;
    expect(visit.period).toEqual({ low: ms('2025-03-04T14:00:00Z'), high: Number.POSITIVE_INFINITY });
  });

  it.each([
    ['a year-month start with no end (no local date to end on)', { start: '2025-03' }],
    ['an end with no start', { end: '2025-03-04T10:00:00-05:00' }],
  ])('no visit window for %s', (_name, period) => {
    const visit = factsOf([], anEncounter({ period })).visit;
    expect(visit.interval).toBeUndefined();
  });

  it('an encounter without a period has no window and no day, but a kind', () => {
    const { period: _period, ...encounter } = anEncounter({ type: [concept(CPT, '99213')] });
    const visit = factsOf([], encounter).visit;
    expect(visit.interval).toBeUndefined();
    expect(visit.period).toBeUndefined();
    expect(visit.day).toBeUndefined();
    expect(visit.startDay).toBeUndefined();
    expect([...visit.kinds]).toEqual(['office-em']);
  });

  it('an end-only period has a day (the end day) but no start day', () => {
    const visit = factsOf([], anEncounter({ period: { end: '2025-03-04T10:00:00Z' } })).visit;
    expect(visit.startDay).toBeUndefined();
    expect(visit.day).toBe(Math.floor(ms('2025-03-04T00:00:00Z') / 86_400_000));
  });
});
