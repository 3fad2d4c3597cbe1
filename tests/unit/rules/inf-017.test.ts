import { describe, expect, it } from 'vitest';
import { inf017WastageMismatch } from '../../../src/rules/infusion/inf-017-wastage-mismatch.js';
import type { RuleSettings } from '../../../src/config/rule-settings.js';
import {
  aChemo,
  aClaim,
  aCode,
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
 * INF-017 (JW modifier / wastage documentation), rule in isolation. Per its header and oncology-rules.md INF-017:
 * (a) discard documented (discarded-quantity extension > 0) but no JW line for the drug; (b) a JW line but no discarded
 * amount documented; (c) JW on a product in multiDoseDrugs; (e) JW and JZ for the same drug. Silent without a draft
 * Claim. (d) (JW units although the administered units fill the vial) needs vial sizes and is not implementable.
 */

const rule = inf017WastageMismatch;
const MA = maRef('ma-1');
const drugMaster: Partial<RuleSettings> = { singleDoseDrugs: ['J9045'], requireJzModifier: true };
const carbo = (discarded?: number) =>
  aChemo('ma-1', 0, 45, { drug: CARBOPLATIN_J9045, ...(discarded !== undefined ? { discarded } : {}) });
const given = { code: 'J9045', quantity: 9 };
const jw = { code: 'J9045', quantity: 1, modifiers: ['JW'] };
const jz = { code: 'J9045', quantity: 9, modifiers: ['JZ'] };

const fires: readonly InfFiringCase[] = [
  {
    name: '(a) 20 mg discarded, no JW line',
    resources: [carbo(20), aClaim(['96413', given])],
    params: { hcpcs: 'J9045', detail: 'discard documented but no JW line' },
    evidence: [lineRef(2), MA],
  },
  {
    name: '(a) 20 mg discarded, the drug line carries JZ only',
    resources: [carbo(20), aClaim([jz])],
    settings: drugMaster,
    params: { hcpcs: 'J9045', detail: 'discard documented but no JW line' },
    evidence: [lineRef(1), MA],
  },
  {
    name: '(b) JW line, no discard documented',
    resources: [carbo(), aClaim([given, jw])],
    params: { hcpcs: 'J9045', detail: 'JW billed but no discarded amount documented' },
    evidence: [lineRef(1), lineRef(2), MA],
  },
  {
    name: '(b) JW line, discard documented as 0',
    resources: [carbo(0), aClaim([given, jw])],
    params: { hcpcs: 'J9045', detail: 'JW billed but no discarded amount documented' },
    evidence: [lineRef(1), lineRef(2), MA],
  },
  {
    name: '(b) JW (as text) and no administration of the drug documented',
    resources: [aClaim([given, { ...jw, modifiersAsText: true }])],
    params: { hcpcs: 'J9045', detail: 'JW billed but no discarded amount documented' },
    evidence: [lineRef(1), lineRef(2)],
  },
  {
    name: '(c) JW on a multi-dose product (discard documented)',
    resources: [carbo(20), aClaim([given, jw])],
    settings: { multiDoseDrugs: ['J9045'] },
    params: { hcpcs: 'J9045', detail: 'JW on a multi-dose product' },
    evidence: [lineRef(1), lineRef(2), MA],
  },
  {
    name: '(c) JW on a multi-dose product (no discard documented): (c) named',
    resources: [carbo(), aClaim([given, jw])],
    settings: { multiDoseDrugs: ['J9045'] },
    params: { hcpcs: 'J9045', detail: 'JW on a multi-dose product' },
    evidence: [lineRef(1), lineRef(2), MA],
  },
  {
    name: '(e) JW and JZ for the same drug',
    resources: [carbo(20), aClaim([jz, jw])],
    settings: drugMaster,
    params: { hcpcs: 'J9045', detail: 'both JW and JZ billed' },
    evidence: [lineRef(1), lineRef(2), MA],
  },
  {
    name: '(e) JW and JZ on one line',
    resources: [carbo(20), aClaim([{ code: 'J9045', quantity: 9, modifiers: ['JW', 'JZ'] }])],
    params: { hcpcs: 'J9045', detail: 'both JW and JZ billed' },
    evidence: [lineRef(1), MA],
  },
  {
    name: '(b) no date cut-off: JW without discard before 2023-07-01 too',
    resources: [carbo(), aClaim([given, jw])],
    encounter: encounterOn('2023-06-30'),
    params: { hcpcs: 'J9045', detail: 'JW billed but no discarded amount documented' },
    evidence: [lineRef(1), lineRef(2), MA],
  },
];

const silent: readonly InfCase[] = [
  { name: 'discard documented and a JW line', resources: [carbo(20), aClaim([given, jw])], settings: drugMaster },
  { name: 'nothing discarded (0) and JZ', resources: [carbo(0), aClaim([jz])], settings: drugMaster },
  { name: 'no discard extension and JZ', resources: [carbo(), aClaim([jz])], settings: drugMaster },
  {
    name: 'no discard, no JW, no JZ (INF-016, not INF-017)',
    resources: [carbo(), aClaim([given])],
    settings: drugMaster,
  },
  { name: 'no Claim: discard documented', resources: [carbo(20)] },
  {
    name: 'no Claim: discard documented, drug only as a Procedure',
    resources: [carbo(20), aCode('p-1', 'J9045', { system: HCPCS })],
  },
  { name: 'Claim without the drug line', resources: [carbo(20), aClaim(['96413'])] },
  {
    name: 'cancelled Claim with JW and no discard',
    resources: [carbo(), aClaim([given, jw], { status: 'cancelled' })],
  },
  {
    name: 'the discarding administration is not-done',
    resources: [aChemo('ma-1', 0, 45, { drug: CARBOPLATIN_J9045, discarded: 20, status: 'not-done' }), aClaim([given])],
  },
];

describe('INF-017 JW modifier / wastage documentation', () => {
  it.each(fires)('fires: $name', (row) => {
    expectFinding(rule, row);
  });

  it.each(silent)('does not fire: $name', ({ resources, settings }) => {
    expect(run(rule, resources, settings !== undefined ? { settings } : {})).toEqual([]);
  });
});
