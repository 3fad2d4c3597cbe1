import { describe, expect, it } from 'vitest';
import { Terminology } from '../../src/terminology/terminology.js';

const terminology = new Terminology();
const HCPCS = 'http://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets';

describe('Terminology', () => {
  it.each([
    ['RxNorm ingredient', { system: 'http://www.nlm.nih.gov/research/umls/rxnorm', code: '40048' }, true],
    ['RxNorm by OID', { system: 'urn:oid:2.16.840.1.113883.6.88', code: '40048' }, true],
    ['HCPCS J-code by pattern', { system: HCPCS, code: 'J9045' }, true],
    ['HCPCS J-code, lower case', { system: HCPCS, code: 'j9045' }, true],
    ['HCPCS non-chemo J-code', { system: HCPCS, code: 'J1100' }, false],
    ['ATC L01 subclass', { system: 'http://www.whocc.no/atc', code: 'L01XA02' }, true],
    ['ATC L03 (not antineoplastic)', { system: 'http://www.whocc.no/atc', code: 'L03AA13' }, false],
    ['NDC 5-3-2 hyphenated', { system: 'http://hl7.org/fhir/sid/ndc', code: '51144-050-01' }, true],
    ['NDC 11-digit billing form', { system: 'http://hl7.org/fhir/sid/ndc', code: '51144005001' }, true],
    ['unknown system', { system: 'http://example.org/drugs', code: '40048' }, false],
    ['no system', { code: '40048' }, false],
    ['vancomycin', { system: 'http://hl7.org/fhir/sid/ndc', code: '0069-2587-10' }, false],
  ])('antineoplastic-drug: %s', (_name, coding, expected) => {
    expect(terminology.has('antineoplastic-drug', coding)).toBe(expected);
  });

  it('maps aliases to canonical URIs', () => {
    expect(terminology.canonical('urn:oid:2.16.840.1.113883.6.90')).toBe('http://hl7.org/fhir/sid/icd-10-cm');
    expect(terminology.canonical('urn:oid:2.16.840.1.113883.6.12')).toBe('http://www.ama-assn.org/go/cpt');
    expect(terminology.canonical('http://example.org')).toBeUndefined();
  });

  it('finds the first matching coding of a concept', () => {
    const codings = [
      { system: 'http://snomed.info/sct', code: '26643006' },
      { system: 'http://snomed.info/sct', code: '47625008' },
    ];
    expect(terminology.match('route-intravascular', codings)?.code).toBe('47625008');
    expect(terminology.match('route-intravascular', undefined)).toBeUndefined();
  });

  it('names each value set with its source and grounding', () => {
    const info = terminology.info('antineoplastic-drug');
    expect(info?.grounding).toBe('JUDGMENT');
    expect(info?.source).toMatch(/HCPCS/);
  });
});
