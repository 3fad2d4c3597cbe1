import type { CodeableConcept, Resource } from 'fhir/r4.js';
import { describe, expect, it } from 'vitest';
import { inf004AdditionalHourUnits } from '../../../src/rules/infusion/inf-004-additional-hour-units.js';
import { inf008SequentialChemoCount } from '../../../src/rules/infusion/inf-008-sequential-chemo-count.js';
import { inf010ProlongedPump } from '../../../src/rules/infusion/inf-010-prolonged-pump.js';
import { inf013MissingAdministrationCode } from '../../../src/rules/infusion/inf-013-missing-administration-code.js';
import {
  aChemo,
  aClaim,
  aCode,
  aHydration,
  anAdministration,
  aSupportive,
  CPT,
  FLUOROURACIL,
  HCPCS,
  maRef,
  PACLITAXEL,
  run,
} from '../../../test-support/inf-builders.js';

/*
 * Infusion rule cases the mutation run of issue 13 showed unpinned: INF-004 with chemotherapy mixed with hydration,
 * antiemetics and pushes (only the family's own administrations count toward its add-on hours); INF-010 (b) with a
 * drug J-code on the claim (only 96416/96425/G0498 bill the pump); the same drug pushed twice (one initial push, no
 * 96411: an additional push is for a different drug, oncology-rules 0.4 / AAPC [S13b]). Times are minutes after
 * T0 = 2025-03-04T10:00-05:00 (inf-builders).
 */

const DOXORUBICIN: CodeableConcept = {
  coding: [{ system: 'http://www.nlm.nih.gov/research/umls/rxnorm', code: '3639', display: 'doxorubicin' }],
};

const params = (rule: Parameters<typeof run>[0], resources: readonly Resource[]) =>
  run(rule, resources).map((f) => f.params);

describe('INF-004: each add-on family counts only its own administrations', () => {
  it.each<{ name: string; resources: readonly Resource[]; expected: readonly Record<string, string>[] }>([
    {
      name: 'chemo 60 min + hydration 200 min, 96413 only: hydration is not a 96415 member, silent',
      resources: [aChemo('c', 0, 60), aHydration('h', 0, 200), aCode('p', '96413')],
      expected: [],
    },
    {
      name: 'chemo 60 min + ondansetron infusion 200 min, 96413 only: antiemetic is not a 96415 member, silent',
      resources: [aChemo('c', 0, 60), aSupportive('s', 60, 260), aCode('p', '96413')],
      expected: [],
    },
    {
      name: 'chemo 150 min + a documented chemo push without end, 96413 only: the push is no member, 96415 × 1 expected',
      resources: [
        aChemo('c', 0, 150),
        anAdministration('push', { drug: FLUOROURACIL, start: 160, end: null, push: true }),
        aCode('p', '96413'),
      ],
      expected: [{ drug: 'carboplatin', minutes: '150', expected: '1', addOnCode: '96415', billed: '0' }],
    },
    {
      name: 'chemo 150 min + hydration 200 min + antiemetic push, 96413 + 96415: matches, silent',
      resources: [
        aChemo('c', 0, 150),
        aHydration('h', 0, 200),
        aSupportive('s', 0, 5, { push: true }),
        aCode('p', '96413'),
        aCode('q', '96415'),
      ],
      expected: [],
    },
    {
      name: 'hydration 150 min with chemo 200 min, 96360 only: chemo is no hydration member, 96361 × 1 expected',
      resources: [aHydration('h', 0, 150), aChemo('c', 0, 200), aCode('p', '96360')],
      expected: [
        {
          drug: 'Sodium Chloride 0.9% injectable solution',
          minutes: '150',
          expected: '1',
          addOnCode: '96361',
          billed: '0',
        },
      ],
    },
    {
      name: 'ondansetron infusion 150 min and a hydration 200 min, 96365 only: 96366 × 1 expected',
      resources: [aSupportive('s', 0, 150), aHydration('h', 0, 200), aCode('p', '96365')],
      expected: [{ drug: 'ondansetron', minutes: '150', expected: '1', addOnCode: '96366', billed: '0' }],
    },
    {
      name: 'chemo 91 min (one minute past 90): 96415 × 1 expected',
      resources: [aChemo('c', 0, 91), aCode('p', '96413')],
      expected: [{ drug: 'carboplatin', minutes: '91', expected: '1', addOnCode: '96415', billed: '0' }],
    },
    {
      name: 'chemo exactly 90 min: no add-on hour',
      resources: [aChemo('c', 0, 90), aCode('p', '96413')],
      expected: [],
    },
  ])('$name', ({ resources, expected }) => {
    expect(params(inf004AdditionalHourUnits, resources)).toEqual(expected);
  });
});

describe('INF-010 (b): a drug J-code on the claim does not bill the pump', () => {
  const pumped = () =>
    anAdministration('pump', { drug: FLUOROURACIL, start: 0, end: null, status: 'in-progress', device: true });

  it.each<{ name: string; lines: readonly (string | { code: string; system?: string })[]; fires: boolean }>([
    {
      name: '96413 and J9190 (fluorouracil) billed: fires',
      lines: ['96413', { code: 'J9190', system: HCPCS }],
      fires: true,
    },
    { name: '96413 and G0498 billed: silent', lines: ['96413', { code: 'G0498', system: HCPCS }], fires: false },
    { name: '96416 billed: silent', lines: ['96416'], fires: false },
    { name: '96413 and 96521 (refill visit): silent', lines: ['96413', '96521'], fires: false },
    {
      name: 'G0498 under CPT is not the HCPCS code: fires',
      lines: ['96413', { code: 'G0498', system: CPT }],
      fires: true,
    },
  ])('$name', ({ lines, fires }) => {
    const findings = params(inf010ProlongedPump, [pumped(), aClaim(lines)]);
    expect(findings).toEqual(fires ? [{ code: '96416', drug: 'fluorouracil' }] : []);
  });
});

describe('pushes: the same drug pushed twice is one initial push, no 96411', () => {
  const push = (id: string, start: number, drug = DOXORUBICIN) =>
    anAdministration(id, { drug, start, end: start + 5, push: true, rate: false });

  it('INF-013 derives 96409 × 1 for two pushes of the same drug', () => {
    const [finding] = run(inf013MissingAdministrationCode, [push('p1', 0), push('p2', 60)]);
    expect(finding?.params.codes).toBe('96409 × 1');
    expect(finding?.evidence).toEqual([maRef('p1'), maRef('p2')]);
  });

  it('INF-013 derives 96409 × 1, 96411 × 1 for pushes of two different drugs', () => {
    const [finding] = run(inf013MissingAdministrationCode, [push('p1', 0), push('p2', 60, FLUOROURACIL)]);
    expect(finding?.params.codes).toBe('96409 × 1, 96411 × 1');
  });

  it('INF-013 derives one 96411 per different drug, however often each is pushed', () => {
    const [finding] = run(inf013MissingAdministrationCode, [
      push('p1', 0),
      push('p2', 30, FLUOROURACIL),
      push('p3', 60, FLUOROURACIL),
      push('p4', 90, PACLITAXEL),
    ]);
    expect(finding?.params.codes).toBe('96409 × 1, 96411 × 2');
  });

  it('INF-008: the same drug infused twice is no sequential infusion', () => {
    const resources = [aChemo('c1', 0, 45), aChemo('c2', 60, 100), aCode('p', '96413'), aCode('q', '96417')];
    expect(params(inf008SequentialChemoCount, resources)).toEqual([{ expected: '0', billed: '1', note: '' }]);
  });
});
