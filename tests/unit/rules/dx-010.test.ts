import { describe, expect, it } from 'vitest';
import { dx010SecondaryWithoutPrimary } from '../../../src/rules/diagnosis/dx-010-secondary-without-primary.js';
import {
  aCondition,
  ALL_SOURCES,
  coded,
  dxRef,
  type DxCase,
  type DxFiringCase,
  ICD10_OID,
  run,
  unique,
} from '../../../test-support/dx-builders.js';

/*
 * DX-010 (secondary neoplasm without primary, history or unknown-primary code), rule in isolation on hand-made
 * resources around enc-1. Per the rule's header and oncology-rules.md DX-010: fires when C77-C79 (or C7B) is on the
 * encounter and no primary malignancy (C00-C76, C7A, C81-C96), no Z85 and no C80.1 is. Not a sequencing rule: all
 * three diagnosis sources.
 */

const fires: readonly DxFiringCase[] = [
  ...ALL_SOURCES.map((source): DxFiringCase => ({
    name: `${source}: C78.7 only`,
    ...coded(source, ['C78.7']),
    params: { code: 'C78.7' },
    evidence: [dxRef(source, 1)],
  })),
  ...ALL_SOURCES.map((source): DxFiringCase => ({
    name: `${source}: two secondaries (C78.7, C79.51) with Z51.11`,
    ...coded(source, ['Z51.11', 'C78.7', 'C79.51']),
    params: { code: 'C78.7, C79.51' },
    evidence: unique([dxRef(source, 2), dxRef(source, 3)]),
  })),
  {
    name: 'C77.3 (axillary lymph nodes) only',
    ...coded('encounter', ['C77.3']),
    params: { code: 'C77.3' },
    evidence: ['Condition/dx-1'],
  },
  {
    name: 'C7B.02 (secondary carcinoid of liver) only',
    ...coded('encounter', ['C7B.02']),
    params: { code: 'C7B.02' },
    evidence: ['Condition/dx-1'],
  },
  {
    name: 'C78.7 with an in-situ code (D05.11 is not a primary malignancy)',
    ...coded('encounter', ['C78.7', 'D05.11']),
    params: { code: 'C78.7' },
    evidence: ['Condition/dx-1'],
  },
  ...ALL_SOURCES.map((source): DxFiringCase => ({
    name: `${source}: C787 undotted with the OID alias`,
    ...coded(source, ['C787'], { system: ICD10_OID }),
    params: { code: 'C78.7' },
    evidence: [dxRef(source, 1)],
  })),
];

const silent: readonly DxCase[] = [
  ...ALL_SOURCES.map((source): DxCase => ({
    name: `${source}: C78.7 with primary C18.7`,
    ...coded(source, ['C78.7', 'C18.7']),
  })),
  { name: 'C78.7 with history Z85.038', ...coded('encounter', ['C78.7', 'Z85.038']) },
  { name: 'C78.7 with unknown primary C80.1', ...coded('encounter', ['C78.7', 'C80.1']) },
  { name: 'C7B.02 with primary neuroendocrine C7A.012', ...coded('encounter', ['C7B.02', 'C7A.012']) },
  { name: 'C79.51 with multiple myeloma C90.00 (C81-C96)', ...coded('claim', ['C79.51', 'C90.00']) },
  {
    name: 'C787 and C187 undotted with the OID alias',
    ...coded('linked', ['C787', 'C187'], { system: ICD10_OID }),
  },
  { name: 'C801 undotted next to C78.7', ...coded('claim', ['C78.7', 'C801']) },
  { name: 'no secondary (C18.7 only)', ...coded('encounter', ['C18.7']) },
  { name: 'no diagnoses at all', ...coded('linked', []) },
];

describe('DX-010 secondary neoplasm without primary, history or unknown-primary code', () => {
  it.each(fires)('fires: $name', ({ resources, encounter, params, evidence }) => {
    expect(run(dx010SecondaryWithoutPrimary, resources, encounter)).toEqual([{ ruleId: 'DX-010', params, evidence }]);
  });

  it.each(silent)('does not fire: $name', ({ resources, encounter }) => {
    expect(run(dx010SecondaryWithoutPrimary, resources, encounter)).toEqual([]);
  });

  it('does not count a refuted primary', () => {
    const secondary = aCondition('dx-1', 'C78.7');
    const refuted = aCondition('dx-2', 'C18.7', { verificationStatus: 'refuted' });
    expect(run(dx010SecondaryWithoutPrimary, [secondary, refuted])).toEqual([
      { ruleId: 'DX-010', params: { code: 'C78.7' }, evidence: ['Condition/dx-1'] },
    ]);
  });
});
