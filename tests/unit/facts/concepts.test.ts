import type { CodeableConcept } from 'fhir/r4.js';
import { describe, expect, it } from 'vitest';
import { allTextOf, codingsOf, textOf } from '../../../src/facts/concepts.js';

/*
 * Reading CodeableConcepts as real EHRs fill them (src/facts/concepts.ts): a local coding beside the standard one
 * (Epic, Oracle Health), only `text`, or only a coding's `display`, with blank strings where a field was left empty.
 */

const LOCAL = { system: 'urn:oid:1.2.840.114350.1.13.0.1.7.2.698288', code: '12345', display: 'CARBOPLATIN IV' };
const RX = { system: 'http://www.nlm.nih.gov/research/umls/rxnorm', code: '40048', display: 'carboplatin' };

describe('codingsOf', () => {
  it.each<[string, readonly (CodeableConcept | undefined)[] | undefined, number]>([
    ['no concepts', undefined, 0],
    ['an undefined concept and one without codings', [undefined, { text: 'x' }], 0],
    ['every coding of every concept, in order', [{ coding: [LOCAL, RX] }, { coding: [RX] }], 3],
  ])('%s', (_name, concepts, count) => {
    expect(codingsOf(concepts)).toHaveLength(count);
  });
});

describe('textOf: what a person would read', () => {
  it.each<[string, CodeableConcept | undefined, string | undefined]>([
    ['no concept', undefined, undefined],
    ['text first, trimmed', { text: '  Carboplatin IVPB ', coding: [RX] }, 'Carboplatin IVPB'],
    ['blank text: the first display', { text: '  ', coding: [LOCAL, RX] }, 'CARBOPLATIN IV'],
    ['no text, first coding without display: the next display', { coding: [{ code: 'x' }, RX] }, 'carboplatin'],
    ['nothing to read', { coding: [{ code: 'x', display: ' ' }] }, undefined],
  ])('%s', (_name, concept, expected) => {
    expect(textOf(concept)).toBe(expected);
  });
});

describe('allTextOf: every text for name-based fallbacks', () => {
  it('keeps texts and displays of every concept, as written, and drops blank or missing ones', () => {
    expect(
      allTextOf([undefined, { text: 'NS 250 mL', coding: [LOCAL, { code: 'y' }] }, { text: ' ', coding: [RX] }]),
    ).toEqual(['NS 250 mL', 'CARBOPLATIN IV', 'carboplatin']);
  });

  it('nothing for no concepts', () => {
    expect(allTextOf([])).toEqual([]);
    expect(allTextOf([undefined, {}])).toEqual([]);
  });
});
