import type { Resource } from 'fhir/r4.js';
import { describe, expect, it } from 'vitest';
import { pain007CategoryIiModifiers } from '../../../src/rules/pain/pain-007-category-ii-modifiers.js';
import {
  aCodedProcedure,
  aDraftClaim,
  aPainScore,
  at,
  concept,
  CPT,
  ENCOUNTER,
  onChemo,
  onlyFinding,
  run,
} from '../../../test-support/pain-builders.js';

/*
 * PAIN-007 (wrong modifiers on Category II pain codes), rule in isolation around enc-1 (2025-05-14). From the rule's
 * header comment and oncology-rules.md PAIN-007: 0521F, 1125F or 1126F carrying any modifier other than 8P fires
 * (25, 59, XE..., RT/LT, and 1P/2P/3P, which these measures do not define); modifiers come from draft Claim lines or a
 * code written with its modifier ("0521F-59"); without billing data the rule has nothing to read and stays silent.
 */

const evaluate = (resources: readonly Resource[]) => run(pain007CategoryIiModifiers, resources);

interface FiringCase {
  readonly name: string;
  readonly resources: readonly Resource[];
  readonly modifier: string;
  readonly code: string;
  readonly evidence: readonly string[];
}

const fires: readonly FiringCase[] = [
  {
    name: 'draft Claim line 0521F with modifier 25',
    resources: [
      aDraftClaim([
        { code: '99213', modifiers: ['25'] },
        { code: '0521F', modifiers: ['25'] },
      ]),
    ],
    modifier: '25',
    code: '0521F',
    evidence: ['Claim/claim-1#2'],
  },
  {
    name: 'draft Claim line 1126F with modifier XE',
    resources: [aDraftClaim([{ code: '1126F', modifiers: ['XE'] }])],
    modifier: 'XE',
    code: '1126F',
    evidence: ['Claim/claim-1#1'],
  },
  {
    name: 'draft Claim line 1125F with modifier 1P (no exclusions exist for #143)',
    resources: [aDraftClaim([{ code: '1125F', modifiers: ['1P'] }])],
    modifier: '1P',
    code: '1125F',
    evidence: ['Claim/claim-1#1'],
  },
  {
    name: 'draft Claim line 0521F with modifier 2P',
    resources: [aDraftClaim([{ code: '0521F', modifiers: ['2P'] }])],
    modifier: '2P',
    code: '0521F',
    evidence: ['Claim/claim-1#1'],
  },
  {
    name: 'draft Claim line 1125F with modifier RT',
    resources: [aDraftClaim([{ code: '1125F', modifiers: ['RT'] }])],
    modifier: 'RT',
    code: '1125F',
    evidence: ['Claim/claim-1#1'],
  },
  {
    name: 'draft Claim line 0521F with 8P and 59: 59 is still wrong',
    resources: [aDraftClaim([{ code: '0521F', modifiers: ['8P', '59'] }])],
    modifier: '59',
    code: '0521F',
    evidence: ['Claim/claim-1#1'],
  },
  {
    name: 'modifier sent only as text (no coding)',
    resources: [
      aDraftClaim([{ code: '0521F' }], {
        item: [{ sequence: 1, productOrService: concept(CPT, '0521F'), modifier: [{ text: '76' }] }],
        billablePeriod: { start: at(0, '14:00') },
      }),
    ],
    modifier: '76',
    code: '0521F',
    evidence: ['Claim/claim-1#1'],
  },
  {
    name: "code written '0521F-59' on a Procedure",
    resources: [aCodedProcedure('0521F-59')],
    modifier: '59',
    code: '0521F',
    evidence: ['Procedure/cat2-0521F-59'],
  },
  {
    name: "code written '1125F 25' (space) on a Procedure",
    resources: [aCodedProcedure('1125F 25', { id: 'cat2-1125F-25' })],
    modifier: '25',
    code: '1125F',
    evidence: ['Procedure/cat2-1125F-25'],
  },
  {
    name: 'two wrong lines (0521F-25, 1125F-XS): both modifiers named, first code named',
    resources: [
      aDraftClaim([
        { code: '0521F', modifiers: ['25'] },
        { code: '1125F', modifiers: ['XS'] },
      ]),
    ],
    modifier: '25, XS',
    code: '0521F',
    evidence: ['Claim/claim-1#1', 'Claim/claim-1#2'],
  },
];

const silent: readonly { name: string; resources: readonly Resource[] }[] = [
  { name: 'draft Claim line 0521F with 8P', resources: [aDraftClaim([{ code: '0521F', modifiers: ['8P'] }])] },
  { name: 'draft Claim line 1125F with 8P', resources: [aDraftClaim([{ code: '1125F', modifiers: ['8P'] }])] },
  { name: "8P written in lower case ('8p')", resources: [aDraftClaim([{ code: '0521F', modifiers: ['8p'] }])] },
  { name: "code written '0521F-8P' on a Procedure", resources: [aCodedProcedure('0521F-8P')] },
  {
    name: 'draft Claim lines 0521F, 1125F without modifiers',
    resources: [aDraftClaim([{ code: '99213' }, { code: '1125F' }, { code: '0521F' }])],
  },
  {
    name: 'no Claim, plain Procedures 0521F and 1125F (and a pain score)',
    resources: [...onChemo(), aPainScore(6), aCodedProcedure('0521F'), aCodedProcedure('1125F')],
  },
  {
    name: 'modifier 25 on the E/M line and 59 on the chemo line, not on Category II codes',
    resources: [
      aDraftClaim([{ code: '99213', modifiers: ['25'] }, { code: '96413', modifiers: ['59'] }, { code: '1125F' }]),
    ],
  },
  {
    name: 'other Category II code (3016F) with modifier 25',
    resources: [aDraftClaim([{ code: '3016F', modifiers: ['25'] }])],
  },
  {
    name: 'cancelled Claim with 0521F-25',
    resources: [aDraftClaim([{ code: '0521F', modifiers: ['25'] }], { status: 'cancelled' })],
  },
  {
    name: 'Claim of another encounter with 0521F-25',
    resources: [
      aDraftClaim([{ code: '0521F', modifiers: ['25'] }], {
        item: [
          {
            sequence: 1,
            productOrService: concept(CPT, '0521F'),
            modifier: [concept(CPT, '25')],
            encounter: [{ reference: 'Encounter/enc-0' }],
            servicedDate: '2025-04-24',
          },
        ],
        created: '2025-04-24T15:00:00Z',
      }),
    ],
  },
  {
    name: "Procedure '0521F-59' not-done",
    resources: [aCodedProcedure('0521F-59', { status: 'not-done' })],
  },
];

describe('PAIN-007 wrong modifiers on Category II pain codes', () => {
  it.each(fires)('fires: $name', ({ resources, modifier, code, evidence }) => {
    const finding = onlyFinding(evaluate(resources));
    expect(finding).toEqual({ ruleId: 'PAIN-007', params: { modifier, code }, evidence });
  });

  it.each(silent)('does not fire: $name', ({ resources }) => {
    expect(evaluate(resources)).toEqual([]);
  });

  it('reads the Claim of this encounter by its item.encounter link', () => {
    const claim = aDraftClaim([{ code: '0521F', modifiers: ['25'] }]);
    expect(claim.item?.[0]?.encounter).toEqual([{ reference: ENCOUNTER }]);
    expect(onlyFinding(evaluate([claim])).params.modifier).toBe('25');
  });
});
