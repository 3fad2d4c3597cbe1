import type { ChargeItem, Claim, Resource } from 'fhir/r4.js';
import { describe, expect, it } from 'vitest';
import type { BilledCode } from '../../../src/facts/billed-codes.js';
import { anEncounter, concept, CPT, HCPCS } from '../../../test-support/builders.js';
import { aChargeItem, anAdministrationWith, factsOf } from '../../../test-support/facts.js';
import { aClaim, aCode, anAdministration, at, maRef } from '../../../test-support/inf-builders.js';

/*
 * Shapes corpus, billed codes (src/facts/billed-codes.ts): every CPT/HCPCS code of the encounter with its modifiers,
 * units and the administrations it bills. Vendor shapes from tests/fixtures/many-shapes/README.md ("README").
 */

type Seen = Pick<BilledCode, 'system' | 'code' | 'modifiers' | 'units' | 'reference' | 'source'>;
const seen = (c: BilledCode): Seen => ({
  system: c.system,
  code: c.code,
  modifiers: c.modifiers,
  units: c.units,
  reference: c.reference,
  source: c.source,
});

const claimWith = (fields: Partial<Claim>): Claim => ({ ...aClaim(['96413']), ...fields });
const chargeWith = (fields: Partial<ChargeItem>): ChargeItem => ({ ...aChargeItem('X'), ...fields });

describe('billed codes: every place a code is written', () => {
  it.each<{ name: string; source: string; resources: readonly Resource[]; expected: readonly Seen[] }>([
    {
      name: 'Procedure CPT',
      source: 'US Core Procedure; Epic charge as Procedure (README "epic")',
      resources: [aCode('p', '96413')],
      expected: [
        { system: CPT, code: '96413', modifiers: [], units: undefined, reference: 'Procedure/p', source: 'procedure' },
      ],
    },
    {
      name: 'Procedure CPT under the OID',
      source: 'C-CDA-derived data (urn:oid:2.16.840.1.113883.6.12)',
      resources: [aCode('p', '96413', { system: 'urn:oid:2.16.840.1.113883.6.12' })],
      expected: [
        { system: CPT, code: '96413', modifiers: [], units: undefined, reference: 'Procedure/p', source: 'procedure' },
      ],
    },
    {
      name: 'Claim lines with coded and text modifiers and units',
      source: 'README "claim837" (837P lines; modifiers as bare text)',
      resources: [
        aClaim([
          { code: '96413', modifiers: ['59'], quantity: 1 },
          { code: 'J9045', modifiers: [' jw '], modifiersAsText: true, quantity: 9 },
        ]),
      ],
      expected: [
        { system: CPT, code: '96413', modifiers: ['59'], units: 1, reference: 'Claim/claim-1#1', source: 'claim' },
        { system: HCPCS, code: 'J9045', modifiers: ['JW'], units: 9, reference: 'Claim/claim-1#2', source: 'claim' },
      ],
    },
    {
      name: 'code with appended modifier "0521F-8P"',
      source: 'README "pqrs-appended" (PQRS-era registry forms)',
      resources: [aCode('p', '0521F-8P')],
      expected: [
        {
          system: CPT,
          code: '0521F',
          modifiers: ['8P'],
          units: undefined,
          reference: 'Procedure/p',
          source: 'procedure',
        },
      ],
    },
    {
      name: 'code with appended modifier "0521F 8P" on a Claim line that has its own modifier',
      source: 'README "pqrs-appended"',
      resources: [aClaim([{ code: '0521F 8P', system: CPT, modifiers: ['GC'] }])],
      expected: [
        {
          system: CPT,
          code: '0521F',
          modifiers: ['GC', '8P'],
          units: undefined,
          reference: 'Claim/claim-1#1',
          source: 'claim',
        },
      ],
    },
    {
      name: 'lower-case appended modifier "1125f-1p"',
      source: 'README "pqrs-appended"',
      resources: [aCode('p', '1125f-1p')],
      expected: [
        {
          system: CPT,
          code: '1125F',
          modifiers: ['1P'],
          units: undefined,
          reference: 'Procedure/p',
          source: 'procedure',
        },
      ],
    },
    {
      name: 'Oracle ChargeItem: procedure-code and modifier-code extensions under per-tenant BillCodes systems',
      source: 'README "cerner" (fhir.cerner.com R4 ChargeItem)',
      resources: [aChargeItem('96413', { modifiers: ['25', ' 59 '], units: 1 })],
      expected: [
        {
          system: CPT,
          code: '96413',
          modifiers: ['25', '59'],
          units: 1,
          reference: 'ChargeItem/charge-96413',
          source: 'claim',
        },
      ],
    },
    {
      name: 'unknown systems are not codes',
      source: 'Epic local procedure ids (README "epic")',
      resources: [aCode('p', 'X1', { system: 'urn:oid:1.2.840.114350.1.13.0.1.7.2.696580' })],
      expected: [],
    },
  ])('$name ($source)', ({ resources, expected }) => {
    expect(factsOf(resources).codes.all.map(seen)).toEqual(expected);
  });

  it.each<{ name: string; resources: readonly Resource[]; code: string; modifiers: readonly string[] }>([
    {
      name: 'appended modifier without separator "0521F8P"',
      resources: [aCode('p', '0521F8P')],
      code: '0521F',
      modifiers: ['8P'],
    },
    {
      name: 'a plain five-character code is not split',
      resources: [aCode('p', '96413')],
      code: '96413',
      modifiers: [],
    },
    { name: 'a six-character code is not split', resources: [aCode('p', '964131')], code: '964131', modifiers: [] },
    {
      name: 'modifier coding wins over its text; a coding without code falls back to text; empty text is dropped',
      resources: [
        claimWith({
          item: [
            {
              sequence: 1,
              productOrService: concept(CPT, '96413'),
              modifier: [
                { coding: [{ code: '59' }], text: 'XS' },
                { coding: [{ system: 'urn:x' }], text: 'jw' },
                { text: '  ' },
                {},
              ],
            },
          ],
        }),
      ],
      code: '96413',
      modifiers: ['59', 'JW'],
    },
    {
      name: 'ChargeItem.code carrying a CPT code itself (no extension)',
      resources: [chargeWith({ extension: [], code: concept(CPT, '96413') })],
      code: '96413',
      modifiers: [],
    },
  ])('$name', ({ resources, code, modifiers }) => {
    const [first, ...rest] = factsOf(resources).codes.all;
    expect(rest).toEqual([]);
    expect(first?.code).toBe(code);
    expect(first?.modifiers).toEqual(modifiers);
  });

  it('malformed Oracle extensions are ignored, well-formed ones beside them read', () => {
    const charge = aChargeItem('96413', { modifiers: ['25'] });
    const malformed: ChargeItem = {
      ...charge,
      extension: [
        ...(charge.extension ?? []),
        { url: 'https://fhir-ehr.cerner.com/r4/StructureDefinition/modifier-code' },
        {
          url: 'https://fhir-ehr.cerner.com/r4/StructureDefinition/modifier-code',
          extension: [
            { url: 'priority', valueCodeableConcept: { coding: [{ code: 'GT' }] } },
            { url: 'code', valueCodeableConcept: { text: 'no coding' } },
            { url: 'code', valueCodeableConcept: { coding: [{ system: 'urn:x' }] } },
          ],
        },
        {
          url: 'https://fhir-ehr.cerner.com/r4/StructureDefinition/other',
          extension: [{ url: 'code', valueCodeableConcept: { coding: [{ code: '95' }] } }],
        },
      ],
    };
    const codes = factsOf([malformed]).codes.all;
    expect(codes.map((c) => [c.code, c.modifiers])).toEqual([['96413', ['25']]]);
  });

  it('Encounter.type codes are codes of the encounter', () => {
    const facts = factsOf([], anEncounter({ type: [concept(CPT, '99213')] }));
    expect(facts.codes.all.map(seen)).toEqual([
      {
        system: CPT,
        code: '99213',
        modifiers: [],
        units: undefined,
        reference: 'Encounter/enc-1',
        source: 'encounter-type',
      },
    ]);
  });

  it.each<{ name: string; resources: readonly Resource[] }>([
    { name: 'Procedure not-done', resources: [aCode('p', '96413', { status: 'not-done' })] },
    { name: 'Procedure in preparation', resources: [aCode('p', '96413', { status: 'preparation' })] },
    { name: 'cancelled Claim', resources: [aClaim(['96413'], { status: 'cancelled' })] },
    { name: 'ChargeItem aborted', resources: [aChargeItem('96413', { status: 'aborted' })] },
    { name: 'ChargeItem not-billable', resources: [aChargeItem('96413', { status: 'not-billable' })] },
  ])('$name is not billed', ({ resources }) => {
    expect(factsOf(resources).codes.all).toEqual([]);
  });

  it('in() and withCode() ask of the list; hasBillingLines only with Claim lines or ChargeItems', () => {
    const withProcedure = factsOf([aCode('p', '96413')]).codes;
    expect(withProcedure.in('chemotherapy-administration-code').map((c) => c.code)).toEqual(['96413']);
    expect(withProcedure.in('radiation-delivery')).toEqual([]);
    expect(withProcedure.withCode(CPT, '96413')).toHaveLength(1);
    expect(withProcedure.withCode(HCPCS, '96413')).toHaveLength(0);
    expect(withProcedure.withCode(CPT, '96415')).toHaveLength(0);
    expect(withProcedure.hasBillingLines).toBe(false);
    expect(factsOf([aClaim(['96413'])]).codes.hasBillingLines).toBe(true);
    expect(factsOf([aClaim([])]).codes.hasBillingLines).toBe(false);
    expect(factsOf([aChargeItem('96413')]).codes.hasBillingLines).toBe(true);
  });
});

describe('billed codes: links to the administrations they bill', () => {
  const link = (resources: readonly Resource[], reference = 'Procedure/p') => {
    const code = factsOf(resources).codes.all.find((c) => c.reference === reference);
    return { administrations: code?.administrations, link: code?.link };
  };

  it.each<{
    name: string;
    source: string;
    resources: readonly Resource[];
    administrations: readonly string[];
    how: 'reference' | 'time' | undefined;
  }>([
    {
      name: 'Procedure.partOf names the administration',
      source: 'FHIR R4 Procedure.partOf',
      resources: [anAdministration('ma-1', { start: 5 }), aCode('p', '96413', { partOf: [maRef('ma-1')] })],
      administrations: [maRef('ma-1')],
      how: 'reference',
    },
    {
      name: 'Procedure.reasonReference names the administration',
      source: 'mCODE examples (README "uscore")',
      resources: [anAdministration('ma-1', { start: 5 }), aCode('p', '96413', { reasonReference: [maRef('ma-1')] })],
      administrations: [maRef('ma-1')],
      how: 'reference',
    },
    {
      name: 'MedicationAdministration.partOf names the Procedure',
      source: 'FHIR R4 MedicationAdministration.partOf',
      resources: [anAdministration('ma-1', { start: 5, partOf: ['Procedure/p'] }), aCode('p', '96413')],
      administrations: [maRef('ma-1')],
      how: 'reference',
    },
    {
      name: 'unlinked, one administration starting at the performed time: one-to-one match',
      source: 'catalogue "one-to-one match" (INF-003)',
      resources: [
        anAdministration('ma-1', { start: 0 }),
        anAdministration('ma-2', { start: 60, end: 90 }),
        aCode('p', '96413', { performedAt: 0 }),
      ],
      administrations: [maRef('ma-1')],
      how: 'time',
    },
    {
      name: 'unlinked, starts one minute apart still match',
      source: 'TIME_MATCH_TOLERANCE 60 s',
      resources: [anAdministration('ma-1', { start: 1 }), aCode('p', '96413', { performedAt: 0 })],
      administrations: [maRef('ma-1')],
      how: 'time',
    },
    {
      name: 'unlinked, starts two minutes apart do not match',
      source: 'TIME_MATCH_TOLERANCE 60 s',
      resources: [anAdministration('ma-1', { start: 2 }), aCode('p', '96413', { performedAt: 0 })],
      administrations: [],
      how: undefined,
    },
    {
      name: 'unlinked, two administrations at the performed time: ambiguous, no link',
      source: 'catalogue "one-to-one match"',
      resources: [
        anAdministration('ma-1', { start: 0 }),
        anAdministration('ma-2', { start: 0 }),
        aCode('p', '96413', { performedAt: 0 }),
      ],
      administrations: [],
      how: undefined,
    },
    {
      name: 'unlinked, performed date only: no time to match',
      source: 'date-only performedDateTime',
      resources: [anAdministration('ma-1', { start: 0 }), aCode('p', '96413', { performedAt: null })],
      administrations: [],
      how: undefined,
    },
    {
      name: 'a reference wins over a time match',
      source: 'FHIR R4 Procedure.partOf',
      resources: [
        anAdministration('ma-1', { start: 0 }),
        anAdministration('ma-2', { start: 60, end: 90 }),
        aCode('p', '96413', { performedAt: 0, partOf: [maRef('ma-2')] }),
      ],
      administrations: [maRef('ma-2')],
      how: 'reference',
    },
  ])('$name ($source)', ({ resources, administrations, how }) => {
    expect(link(resources)).toEqual({ administrations, link: how });
  });

  it('performedPeriod.start is the performed time', () => {
    const { performedDateTime: _p, ...procedure } = aCode('p', '96413');
    const resources = [
      anAdministration('ma-1', { start: 0 }),
      { ...procedure, performedPeriod: { start: at(0), end: at(45) } },
    ];
    expect(link(resources)).toEqual({ administrations: [maRef('ma-1')], link: 'time' });
  });

  it('a ChargeItem bills the administrations its service names; Claim lines link nothing', () => {
    const resources = [
      anAdministration('ma-1'),
      aChargeItem('96413', { service: [maRef('ma-1'), 'Procedure/other'] }),
      aClaim(['96413']),
    ];
    expect(link(resources, 'ChargeItem/charge-96413')).toEqual({ administrations: [maRef('ma-1')], link: 'reference' });
    expect(link(resources, 'Claim/claim-1#1')).toEqual({ administrations: [], link: undefined });
    expect(link([aChargeItem('96413')], 'ChargeItem/charge-96413')).toEqual({ administrations: [], link: undefined });
  });

  it('an administration that is part of another Procedure is not linked to this one', () => {
    const resources = [
      anAdministration('ma-1', { start: 30, partOf: ['Procedure/other'] }),
      aCode('p', '96413', { performedAt: 0 }),
    ];
    expect(link(resources)).toEqual({ administrations: [], link: undefined });
  });

  it('a ChargeItem without service bills no administration, even with one in the encounter', () => {
    expect(link([anAdministration('ma-1'), aChargeItem('96413')], 'ChargeItem/charge-96413')).toEqual({
      administrations: [],
      link: undefined,
    });
  });

  it('ChargeItem modifier codes are trimmed and upper-cased, blank ones dropped', () => {
    const codes = factsOf([aChargeItem('99213', { modifiers: [' gt ', ' '] })]).codes.all;
    expect(codes.map((c) => c.modifiers)).toEqual([['GT']]);
  });

  it('an administration that did not happen is never linked', () => {
    const resources = [
      anAdministrationWith({ id: 'ma-x', status: 'not-done' }),
      aCode('p', '96413', { partOf: ['MedicationAdministration/ma-x'] }),
    ];
    expect(link(resources)).toEqual({ administrations: [], link: undefined });
  });
});
