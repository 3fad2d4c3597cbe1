import { describe, expect, it } from 'vitest';
import { inf016JzMissing } from '../../../src/rules/infusion/inf-016-jz-missing.js';
import { defaultRuleSettings, type RuleSettings } from '../../../src/config/rule-settings.js';
import { anEncounter } from '../../../test-support/builders.js';
import {
  aChemo,
  aClaim,
  aCode,
  CARBOPLATIN,
  CARBOPLATIN_J9045,
  encounterOn,
  expectFinding,
  HCPCS,
  type InfCase,
  type InfFiringCase,
  lineRef,
  maRef,
  run,
} from '../../../test-support/inf-builders.js';

/*
 * INF-016 (JZ modifier missing, nothing discarded), rule in isolation. Per its header and oncology-rules.md INF-016:
 * fires when the site requires JZ (requireJzModifier), the date of service (Encounter.period.start) is on or after
 * 2023-07-01, a draft Claim line bills an HCPCS drug listed in singleDoseDrugs, no discard is documented (the
 * discarded-quantity extension absent or 0) and the drug has neither a JW nor a JZ line. Silent without a Claim, with
 * an empty drug master, for multi-dose products, before 2023-07-01, or when JZ is not required.
 */

const rule = inf016JzMissing;
const MA = maRef('ma-1');
const medicare: Partial<RuleSettings> = { requireJzModifier: true, singleDoseDrugs: ['J9045'] };
/** Carboplatin coded with HCPCS J9045, 0 to 45 min, in enc-1 (visit 2025-03-04). */
const carbo = (discarded?: number) =>
  aChemo('ma-1', 0, 45, { drug: CARBOPLATIN_J9045, ...(discarded !== undefined ? { discarded } : {}) });

const fires: readonly InfFiringCase[] = [
  {
    name: 'J9045 line without JW/JZ, no discard documented',
    resources: [carbo(), aClaim(['96413', { code: 'J9045', quantity: 9 }])],
    settings: medicare,
    params: { hcpcs: 'J9045' },
    evidence: [lineRef(2), MA],
  },
  {
    name: 'discarded amount documented as 0 (nothing discarded)',
    resources: [carbo(0), aClaim([{ code: 'J9045', quantity: 9 }])],
    settings: medicare,
    params: { hcpcs: 'J9045' },
    evidence: [lineRef(1), MA],
  },
  {
    name: 'boundary: date of service 2023-07-01',
    resources: [carbo(), aClaim([{ code: 'J9045', quantity: 9 }])],
    encounter: encounterOn('2023-07-01'),
    settings: medicare,
    params: { hcpcs: 'J9045' },
    evidence: [lineRef(1), MA],
  },
  {
    name: 'administration coded by RxNorm only: the Claim line alone is evidence',
    resources: [aChemo('ma-1', 0, 45, { drug: CARBOPLATIN }), aClaim([{ code: 'J9045', quantity: 9 }])],
    settings: medicare,
    params: { hcpcs: 'J9045' },
    evidence: [lineRef(1)],
  },
  {
    name: 'a modifier other than JW/JZ on the line (JG) does not count',
    resources: [carbo(), aClaim([{ code: 'J9045', quantity: 9, modifiers: ['JG'] }])],
    settings: medicare,
    params: { hcpcs: 'J9045' },
    evidence: [lineRef(1), MA],
  },
  {
    name: 'the drug on a contained Medication (HCPCS J9045 there)',
    resources: [
      aChemo('ma-1', 0, 45, { drug: CARBOPLATIN_J9045, contained: { lot: 'L1', expiry: '2026-01-01' } }),
      aClaim([{ code: 'J9045', quantity: 9 }]),
    ],
    settings: medicare,
    params: { hcpcs: 'J9045' },
    evidence: [lineRef(1), MA],
  },
  {
    name: 'second single-dose drug of the list is the one without JZ',
    resources: [
      carbo(),
      aClaim([
        { code: 'J9045', quantity: 9, modifiers: ['JZ'] },
        { code: 'J9267', quantity: 175 },
      ]),
    ],
    settings: { requireJzModifier: true, singleDoseDrugs: ['J9045', 'J9267'] },
    params: { hcpcs: 'J9267' },
    evidence: [lineRef(2)],
  },
];

const silent: readonly InfCase[] = [
  {
    name: 'JZ on the drug line',
    resources: [carbo(), aClaim([{ code: 'J9045', quantity: 9, modifiers: ['JZ'] }])],
    settings: medicare,
  },
  {
    name: 'JZ written as bare text',
    resources: [carbo(), aClaim([{ code: 'J9045', quantity: 9, modifiers: ['JZ'], modifiersAsText: true }])],
    settings: medicare,
  },
  {
    name: 'JW line present (INF-017 judges it)',
    resources: [
      carbo(),
      aClaim([
        { code: 'J9045', quantity: 9 },
        { code: 'J9045', quantity: 1, modifiers: ['JW'] },
      ]),
    ],
    settings: medicare,
  },
  {
    name: 'discard documented (20 mg): JW expected, not JZ (INF-017)',
    resources: [carbo(20), aClaim([{ code: 'J9045', quantity: 9 }])],
    settings: medicare,
  },
  {
    name: 'boundary: date of service 2023-06-30',
    resources: [carbo(), aClaim([{ code: 'J9045', quantity: 9 }])],
    encounter: encounterOn('2023-06-30'),
    settings: medicare,
  },
  {
    name: 'requireJzModifier false (the default)',
    resources: [carbo(), aClaim([{ code: 'J9045', quantity: 9 }])],
    settings: { singleDoseDrugs: ['J9045'] },
  },
  {
    name: 'drug master empty (the default)',
    resources: [carbo(), aClaim([{ code: 'J9045', quantity: 9 }])],
    settings: { requireJzModifier: true },
  },
  {
    name: 'multi-dose product (listed in multiDoseDrugs, not single-dose)',
    resources: [carbo(), aClaim([{ code: 'J9045', quantity: 9 }])],
    settings: { requireJzModifier: true, singleDoseDrugs: ['J9267'], multiDoseDrugs: ['J9045'] },
  },
  {
    name: 'drug not in the single-dose list (packaged / not separately payable)',
    resources: [carbo(), aClaim([{ code: 'J9045', quantity: 9 }])],
    settings: { requireJzModifier: true, singleDoseDrugs: ['J9267'] },
  },
  {
    name: 'no Claim: the drug only as a Procedure (modifiers cannot be seen)',
    resources: [carbo(), aCode('p-1', 'J9045', { system: HCPCS })],
    settings: medicare,
  },
  { name: 'no Claim at all', resources: [carbo()], settings: medicare },
  {
    name: 'Claim without the drug line (administration codes only)',
    resources: [carbo(), aClaim(['96413'])],
    settings: medicare,
  },
  {
    name: 'cancelled Claim',
    resources: [carbo(), aClaim([{ code: 'J9045', quantity: 9 }], { status: 'cancelled' })],
    settings: medicare,
  },
  {
    name: 'encounter without a period (date of service unknown)',
    resources: [carbo(), aClaim([{ code: 'J9045', quantity: 9 }])],
    encounter: anEncounter({ period: {} }),
    settings: medicare,
  },
];

describe('INF-016 JZ modifier missing', () => {
  it('is silent with the default settings (no JZ requirement, empty drug master)', () => {
    expect(defaultRuleSettings.requireJzModifier).toBe(false);
    expect(defaultRuleSettings.singleDoseDrugs).toEqual([]);
    expect(run(rule, [carbo(), aClaim([{ code: 'J9045', quantity: 9 }])])).toEqual([]);
  });

  it.each(fires)('fires: $name', (row) => {
    expectFinding(rule, row);
  });

  it.each(silent)('does not fire: $name', ({ resources, encounter, settings }) => {
    expect(
      run(rule, resources, {
        ...(encounter !== undefined ? { encounter } : {}),
        ...(settings !== undefined ? { settings } : {}),
      }),
    ).toEqual([]);
  });
});
