import type { CodeableConcept, Medication, MedicationAdministration } from 'fhir/r4.js';
import { describe, expect, it } from 'vitest';
import type { RouteClass } from '../../../src/facts/administrations.js';
import { SNOMED } from '../../../test-support/builders.js';
import { administrationOf, anAdministrationWith, factsOf } from '../../../test-support/facts.js';

/*
 * Shapes corpus, administrations (src/facts/administrations.ts): route class, push technique, documented minutes
 * and rate, whatever the shape. Sources: tests/fixtures/many-shapes/README.md ("README") and the HL7 v3
 * RouteOfAdministration code system (http://terminology.hl7.org/CodeSystem/v3-RouteOfAdministration,
 * OID 2.16.840.1.113883.5.112).
 */

const V3 = 'http://terminology.hl7.org/CodeSystem/v3-RouteOfAdministration';
const V3_OID = 'urn:oid:2.16.840.1.113883.5.112';
const EPIC_ROUTE = 'urn:oid:1.2.840.114350.1.13.0.1.7.4.798268.7025';
const ORACLE_INFUSE_OVER_TIME = 'https://fhir-ehr.cerner.com/r4/StructureDefinition/infuse-over-time';

const withRoute = (route: CodeableConcept | undefined): MedicationAdministration =>
  anAdministrationWith({ dosage: { ...(route !== undefined ? { route } : {}) } });

const code = (system: string, value: string, display?: string): CodeableConcept => ({
  coding: [{ system, code: value, ...(display !== undefined ? { display } : {}) }],
});

describe('route class: every way a route is written', () => {
  it.each<{ name: string; source: string; route: CodeableConcept | undefined; expected: RouteClass }>([
    {
      name: 'SNOMED 47625008',
      source: 'FHIR R4 route-codes (Epic, README "idealized")',
      route: code(SNOMED, '47625008'),
      expected: 'intravenous',
    },
    {
      name: 'SNOMED 58100008',
      source: 'FHIR R4 route-codes',
      route: code(SNOMED, '58100008'),
      expected: 'intra-arterial',
    },
    { name: 'SNOMED 34206005', source: 'FHIR R4 route-codes', route: code(SNOMED, '34206005'), expected: 'injection' },
    { name: 'SNOMED 26643006', source: 'FHIR R4 route-codes', route: code(SNOMED, '26643006'), expected: 'oral' },
    {
      name: 'v3 IV (URI)',
      source: 'README "uscore" (QI-Core MedicationStatement example)',
      route: code(V3, 'IV', 'Infusion, intravenous'),
      expected: 'intravenous',
    },
    { name: 'v3 IV (OID)', source: 'C-CDA-derived data', route: code(V3_OID, 'IV'), expected: 'intravenous' },
    {
      name: 'v3 IVPUSH (URI)',
      source: 'HL7 v3 RouteOfAdministration',
      route: code(V3, 'IVPUSH'),
      expected: 'intravenous',
    },
    {
      name: 'v3 IVPUSH (OID)',
      source: 'HL7 v3 RouteOfAdministration',
      route: code(V3_OID, 'IVPUSH'),
      expected: 'intravenous',
    },
    {
      name: 'v3 IVINFUS (URI)',
      source: 'HL7 v3 RouteOfAdministration',
      route: code(V3, 'IVINFUS'),
      expected: 'intravenous',
    },
    {
      name: 'v3 IVINFUS (OID)',
      source: 'HL7 v3 RouteOfAdministration',
      route: code(V3_OID, 'IVINFUS'),
      expected: 'intravenous',
    },
    { name: 'v3 SQ (URI)', source: 'HL7 v3 RouteOfAdministration', route: code(V3, 'SQ'), expected: 'injection' },
    { name: 'v3 SQ (OID)', source: 'HL7 v3 RouteOfAdministration', route: code(V3_OID, 'SQ'), expected: 'injection' },
    { name: 'v3 PO (URI)', source: 'HL7 v3 RouteOfAdministration', route: code(V3, 'PO'), expected: 'oral' },
    { name: 'v3 PO (OID)', source: 'HL7 v3 RouteOfAdministration', route: code(V3_OID, 'PO'), expected: 'oral' },
    {
      name: 'v3 lower-case iv',
      source: 'interfaces that lower-case codes',
      route: code(V3, 'iv'),
      expected: 'intravenous',
    },
    { name: 'v3 IA (URI)', source: 'HL7 v3 RouteOfAdministration', route: code(V3, 'IA'), expected: 'intra-arterial' },
    {
      name: 'SNOMED with text "IV Piggyback"',
      source: 'README "cerner" (Oracle Health route)',
      route: { text: 'IV Piggyback', coding: [{ system: SNOMED, code: '47625008' }] },
      expected: 'intravenous',
    },
    {
      name: 'text "IV Piggyback"',
      source: 'order-entry text',
      route: { text: 'IV Piggyback' },
      expected: 'intravenous',
    },
    { name: 'text "IVPB"', source: 'order-entry text', route: { text: 'IVPB' }, expected: 'intravenous' },
    { name: 'text "Intravenous"', source: 'order-entry text', route: { text: 'Intravenous' }, expected: 'intravenous' },
    {
      name: 'Epic route list 11 "Intravenous" (display only names it)',
      source: 'README "epic" route row',
      route: code(EPIC_ROUTE, '11', 'Intravenous'),
      expected: 'intravenous',
    },
    { name: 'text "SubQ"', source: 'order-entry text', route: { text: 'SubQ' }, expected: 'injection' },
    {
      name: 'text "Subcutaneous"',
      source: 'Epic route list 18 display',
      route: code(EPIC_ROUTE, '18', 'Subcutaneous'),
      expected: 'injection',
    },
    { name: 'text "PO"', source: 'order-entry text', route: { text: 'PO' }, expected: 'oral' },
    {
      name: 'text "intra-arterial"',
      source: 'order-entry text',
      route: { text: 'Intra-arterial' },
      expected: 'intra-arterial',
    },
    {
      name: 'unknown local code, no words',
      source: 'local route list',
      route: code(EPIC_ROUTE, '99', 'Topical'),
      expected: 'other',
    },
    { name: 'unknown text', source: 'free text', route: { text: 'Inhalation' }, expected: 'other' },
    { name: 'no route at all', source: 'route omitted', route: undefined, expected: 'unknown' },
  ])('$name → $expected ($source)', ({ route, expected }) => {
    expect(administrationOf(withRoute(route)).route).toBe(expected);
  });
});

describe('route class: every code of the HL7 v3 RouteOfAdministration table and the SNOMED route sets', () => {
  it.each<[string, RouteClass]>([
    ['IV', 'intravenous'],
    ['IVINJ', 'intravenous'],
    ['IVINJBOL', 'intravenous'],
    ['IVPUSH', 'intravenous'],
    ['IVINFUS', 'intravenous'],
    ['IVPB', 'intravenous'],
    ['IVDRIP', 'intravenous'],
    ['IVFLUSH', 'intravenous'],
    ['IA', 'intra-arterial'],
    ['IAINJ', 'intra-arterial'],
    ['IAINJP', 'intra-arterial'],
    ['IAINJSP', 'intra-arterial'],
    ['SQ', 'injection'],
    ['SUBCUTINFUS', 'injection'],
    ['IM', 'injection'],
    ['IMINJ', 'injection'],
    ['IDINJ', 'injection'],
    ['PO', 'oral'],
    ['NASINHL', 'other'],
  ])('v3 %s → %s', (value, expected) => {
    expect(administrationOf(withRoute(code(V3, value))).route).toBe(expected);
  });

  it.each<[string, RouteClass]>([
    ['47625008', 'intravenous'],
    ['255560000', 'intravenous'],
    ['58100008', 'intra-arterial'],
    ['34206005', 'injection'],
    ['263887005', 'injection'],
    ['78421000', 'injection'],
    ['26643006', 'oral'],
  ])('SNOMED %s → %s', (value, expected) => {
    expect(administrationOf(withRoute(code(SNOMED, value))).route).toBe(expected);
  });

  it.each<[string, RouteClass]>([
    ['IV', 'intravenous'],
    ['IVP', 'intravenous'],
    ['IV push', 'intravenous'],
    ['intravenously', 'intravenous'],
    ['Intravenous infusion', 'intravenous'],
    ['IA', 'intra-arterial'],
    ['intraarterial', 'intra-arterial'],
    ['SC', 'injection'],
    ['SQ', 'injection'],
    ['Sub-Q', 'injection'],
    ['subcut', 'injection'],
    ['subcutaneous', 'injection'],
    ['subcutaneously', 'injection'],
    ['IM', 'injection'],
    ['intramuscular', 'injection'],
    ['intramuscularly', 'injection'],
    ['oral', 'oral'],
    ['orally', 'oral'],
    ['by mouth', 'oral'],
    ['Ivermectin route', 'other'],
    ['Scalp', 'other'],
    ['Import', 'other'],
  ])('text "%s" → %s', (text, expected) => {
    expect(administrationOf(withRoute({ text })).route).toBe(expected);
  });

  it('a coding display is read when there is no text', () => {
    expect(
      administrationOf(withRoute({ coding: [{ system: 'urn:local', code: 'x', display: 'by mouth' }] })).route,
    ).toBe('oral');
  });
});

describe('push technique', () => {
  const IV = code(SNOMED, '47625008');
  it.each<{ name: string; source: string; dosage: MedicationAdministration['dosage']; push: boolean }>([
    {
      name: 'method SNOMED 420620005 (Push)',
      source: 'FHIR R4 administration-method-codes',
      dosage: { route: IV, method: code(SNOMED, '420620005') },
      push: true,
    },
    {
      name: 'method text "IV push"',
      source: 'order-entry text',
      dosage: { route: IV, method: { text: 'IV push' } },
      push: true,
    },
    {
      name: 'method display "Bolus"',
      source: 'order-entry text',
      dosage: { route: IV, method: { coding: [{ system: 'urn:local', code: 'B', display: 'Bolus' }] } },
      push: true,
    },
    {
      name: 'route v3 IVPUSH',
      source: 'HL7 v3 RouteOfAdministration',
      dosage: { route: code(V3, 'IVPUSH') },
      push: true,
    },
    {
      name: 'route v3 IVPUSH under the OID',
      source: 'HL7 v3 RouteOfAdministration',
      dosage: { route: code(V3_OID, 'IVPUSH') },
      push: true,
    },
    {
      name: 'route v3 IVINFUS',
      source: 'HL7 v3 RouteOfAdministration',
      dosage: { route: code(V3, 'IVINFUS') },
      push: false,
    },
    {
      name: 'route text "IV push" without method is not a documented push',
      source: 'route text',
      dosage: { route: { text: 'IV push' } },
      push: false,
    },
    {
      name: 'IVPUSH under an unknown system',
      source: 'local route list',
      dosage: { route: code('urn:local', 'IVPUSH') },
      push: false,
    },
    {
      name: 'method "Infuse"',
      source: 'order-entry text',
      dosage: { route: IV, method: { text: 'Infuse over 45 minutes' } },
      push: false,
    },
  ])('$name → documented push $push ($source)', ({ dosage, push }) => {
    const fact = administrationOf(anAdministrationWith({ ...(dosage !== undefined ? { dosage } : {}) }));
    expect(fact.documentedPush).toBe(push);
    // The default administration lasts 45 minutes: only a documented push is a push.
    expect(fact.push).toBe(push);
  });

  it.each([
    [15, true],
    [16, false],
  ])('an undocumented IV administration of %i minutes is a push: %s (CPT push definition)', (minutes, push) => {
    const fact = administrationOf(
      anAdministrationWith({
        effectivePeriod: { start: '2025-03-04T10:00:00-05:00', end: `2025-03-04T10:${String(minutes)}:00-05:00` },
      }),
    );
    expect(fact.minutes).toBe(minutes);
    expect(fact.documentedPush).toBe(false);
    expect(fact.push).toBe(push);
  });
});

describe('documented times and minutes', () => {
  const start = '2025-03-04T10:00:00-05:00';
  const oracle = (value: number, unit: { code?: string; unit?: string }): MedicationAdministration =>
    anAdministrationWith(
      {
        effectiveDateTime: start,
        extension: [{ url: ORACLE_INFUSE_OVER_TIME, valueQuantity: { value, ...unit } }],
      },
      ['effectivePeriod'],
    );

  it.each<{
    name: string;
    source: string;
    administration: MedicationAdministration;
    minutes: number | undefined;
    end: string | undefined;
  }>([
    {
      name: 'effectivePeriod start and end',
      source: 'US Core / README "idealized"',
      administration: anAdministrationWith({ effectivePeriod: { start, end: '2025-03-04T10:45:00-05:00' } }),
      minutes: 45,
      end: '2025-03-04T10:45:00-05:00',
    },
    {
      name: 'effectivePeriod in UTC',
      source: 'README "epic" (UTC Z)',
      administration: anAdministrationWith({
        effectivePeriod: { start: '2025-03-04T15:00:00Z', end: '2025-03-04T16:30:00Z' },
      }),
      minutes: 90,
      end: '2025-03-04T16:30:00Z',
    },
    {
      name: 'effectiveDateTime + infuse-over-time 45 min',
      source: 'README "cerner" (fhir.cerner.com MedicationAdministration custom extensions)',
      administration: oracle(45, { code: 'min', unit: 'minutes' }),
      minutes: 45,
      end: '2025-03-04T15:45:00.000Z',
    },
    {
      name: 'effectiveDateTime + infuse-over-time 1.5 h',
      source: 'README "cerner"',
      administration: oracle(1.5, { code: 'h', unit: 'hours' }),
      minutes: 90,
      end: '2025-03-04T16:30:00.000Z',
    },
    {
      name: 'effectiveDateTime + infuse-over-time with unit "minutes" only',
      source: 'README "cerner" (unit without UCUM code)',
      administration: oracle(30, { unit: 'minutes' }),
      minutes: 30,
      end: '2025-03-04T15:30:00.000Z',
    },
    {
      name: 'infuse-over-time in seconds',
      source: 'UCUM s',
      administration: oracle(600, { code: 's' }),
      minutes: 10,
      end: '2025-03-04T15:10:00.000Z',
    },
    {
      name: 'infuse-over-time of zero is no duration',
      source: 'README "cerner"',
      administration: oracle(0, { code: 'min' }),
      minutes: undefined,
      end: undefined,
    },
    {
      name: 'infuse-over-time in an unknown unit',
      source: 'README "cerner"',
      administration: oracle(2, { code: 'd' }),
      minutes: undefined,
      end: undefined,
    },
    {
      name: 'effectiveDateTime only: no end',
      source: 'a single time',
      administration: anAdministrationWith({ effectiveDateTime: start }, ['effectivePeriod']),
      minutes: undefined,
      end: undefined,
    },
    {
      name: 'infuse-over-time on a date-only start gives no end',
      source: 'partial date',
      administration: anAdministrationWith(
        {
          effectiveDateTime: '2025-03-04',
          extension: [{ url: ORACLE_INFUSE_OVER_TIME, valueQuantity: { value: 45, code: 'min' } }],
        },
        ['effectivePeriod'],
      ),
      minutes: undefined,
      end: undefined,
    },
    {
      name: 'effectivePeriod without end ignores infuse-over-time',
      source: 'a running infusion',
      administration: anAdministrationWith({
        effectivePeriod: { start },
        extension: [{ url: ORACLE_INFUSE_OVER_TIME, valueQuantity: { value: 45, code: 'min' } }],
      }),
      minutes: undefined,
      end: undefined,
    },
  ])('$name → $minutes min ($source)', ({ administration, minutes, end }) => {
    const fact = administrationOf(administration);
    expect(fact.minutes).toBe(minutes);
    expect(fact.end).toBe(end);
    expect(fact.startMs).toBe(fact.start?.includes('T') === true ? Date.parse(fact.start) : undefined);
  });

  it('start and end epoch ms only when each carries a time of day', () => {
    const fact = administrationOf(
      anAdministrationWith({ effectivePeriod: { start: '2025-03-04', end: '2025-03-04T10:45:00-05:00' } }),
    );
    expect(fact.startMs).toBeUndefined();
    expect(fact.endMs).toBe(Date.parse('2025-03-04T15:45:00Z'));
    expect(fact.minutes).toBeUndefined();
  });
});

describe('rate, dose, device, site, batch, partOf', () => {
  it.each<{
    name: string;
    source: string;
    dosage: MedicationAdministration['dosage'];
    rate: { value: number; unit?: string } | undefined;
  }>([
    {
      name: 'rateQuantity',
      source: 'README "idealized" / README "cerner" (milliliter per hour)',
      dosage: { rateQuantity: { value: 125, unit: 'mL/h' } },
      rate: { value: 125, unit: 'mL/h' },
    },
    {
      name: 'rateRatio 250 mL per 2 h',
      source: 'README "uscore" (dosage.rateRatio)',
      dosage: { rateRatio: { numerator: { value: 250, unit: 'mL' }, denominator: { value: 2, unit: 'h' } } },
      rate: { value: 125, unit: 'mL/h' },
    },
    {
      name: 'rateRatio without units',
      source: 'README "uscore"',
      dosage: { rateRatio: { numerator: { value: 100 }, denominator: { value: 1 } } },
      rate: { value: 100 },
    },
    {
      name: 'rateRatio numerator unit but no denominator unit',
      source: 'README "uscore"',
      dosage: { rateRatio: { numerator: { value: 100, unit: 'mL' }, denominator: { value: 1 } } },
      rate: { value: 100, unit: 'mL/' },
    },
    {
      name: 'rateRatio with a zero denominator',
      source: 'malformed',
      dosage: { rateRatio: { numerator: { value: 250, unit: 'mL' }, denominator: { value: 0, unit: 'h' } } },
      rate: undefined,
    },
    {
      name: 'rateRatio without a numerator value',
      source: 'malformed',
      dosage: { rateRatio: { numerator: { unit: 'mL' }, denominator: { value: 1, unit: 'h' } } },
      rate: undefined,
    },
    { name: 'no rate', source: 'pushes', dosage: {}, rate: undefined },
  ])('$name ($source)', ({ dosage, rate }) => {
    const fact = administrationOf(anAdministrationWith({ ...(dosage !== undefined ? { dosage } : {}) }));
    expect(fact.rate).toEqual(rate);
  });

  it('dose, device, site text or code, batch of the referenced Medication, partOf references', () => {
    const medication: Medication = {
      resourceType: 'Medication',
      id: 'm',
      code: { coding: [{ system: 'http://www.nlm.nih.gov/research/umls/rxnorm', code: '40048' }] },
      batch: { lotNumber: 'L123', expirationDate: '2026-01-01' },
    };
    const fact = administrationOf(
      anAdministrationWith(
        {
          contained: [medication],
          medicationReference: { reference: '#m' },
          device: [{ reference: 'Device/pump-1' }],
          partOf: [{ reference: 'Procedure/p-1' }, {}],
          dosage: {
            dose: { value: 450, unit: 'mg' },
            site: {
              coding: [
                { system: SNOMED, display: 'no code' },
                { system: SNOMED, code: '368208006' },
              ],
            },
          },
        },
        ['medicationCodeableConcept'],
      ),
    );
    expect(fact.dose).toEqual({ value: 450, unit: 'mg' });
    expect(fact.hasDevice).toBe(true);
    expect(fact.site).toBe('368208006');
    expect(fact.batch).toEqual({ lotNumber: 'L123', expirationDate: '2026-01-01' });
    expect(fact.partOf).toEqual(['Procedure/p-1', '']);
    expect(fact.reference).toBe('MedicationAdministration/ma-1');
  });

  it('site text wins over its code; no device means no pump', () => {
    const fact = administrationOf(
      anAdministrationWith({
        dosage: { site: { text: 'Left port', coding: [{ system: SNOMED, code: '368208006' }] } },
      }),
    );
    expect(fact.site).toBe('Left port');
    expect(fact.hasDevice).toBe(false);
    expect(fact.batch).toBeUndefined();
  });
});

describe('which administrations the encounter has', () => {
  it.each([
    ['completed', true],
    ['stopped', true],
    ['in-progress', true],
    ['not-done', false],
    ['on-hold', false],
    ['unknown', false],
  ] as const)('status %s counts as happened: %s', (status, counted) => {
    expect(factsOf([anAdministrationWith({ status })]).administrations).toHaveLength(counted ? 1 : 0);
  });

  it('are sorted by start, those without a timed start last (input unordered)', () => {
    const late = anAdministrationWith({ id: 'late', effectivePeriod: { start: '2025-03-04T12:00:00-05:00' } });
    const untimed = anAdministrationWith({ id: 'untimed', effectiveDateTime: '2025-03-04' }, ['effectivePeriod']);
    const early = anAdministrationWith({ id: 'early', effectivePeriod: { start: '2025-03-04T09:30:00-05:00' } });
    const facts = factsOf([untimed, late, early]);
    expect(facts.administrations.map((a) => a.reference)).toEqual([
      'MedicationAdministration/early',
      'MedicationAdministration/late',
      'MedicationAdministration/untimed',
    ]);
    expect(facts.antineoplasticsGiven).toHaveLength(3);
  });
});
