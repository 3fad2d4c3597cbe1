import { describe, expect, it } from 'vitest';
import { dx007G893WithG892 } from '../../../src/rules/diagnosis/dx-007-g893-with-g892.js';
import {
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
 * DX-007 (G89.3 together with G89.2x), rule in isolation on hand-made resources around enc-1. Per the rule's header
 * and oncology-rules.md DX-007: G89.2 (chronic pain NEC) Excludes1 neoplasm-related pain, so it fires when G89.3 and
 * any G89.2- code are both on the encounter. Other G89 codes (G89.4 chronic pain syndrome, G89.1- acute) and R52 are
 * not excluded. Not a sequencing rule: all three diagnosis sources.
 */

const fires: readonly DxFiringCase[] = [
  ...ALL_SOURCES.map((source): DxFiringCase => ({
    name: `${source}: G89.3 and G89.29`,
    ...coded(source, ['C50.911', 'G89.3', 'G89.29']),
    params: { code: 'G89.29' },
    evidence: unique([dxRef(source, 2), dxRef(source, 3)]),
  })),
  ...['G89.21', 'G89.22', 'G89.28'].map((code): DxFiringCase => ({
    name: `G89.3 and ${code}`,
    ...coded('encounter', [code, 'G89.3']),
    params: { code },
    evidence: ['Condition/dx-2', 'Condition/dx-1'],
  })),
  {
    name: 'G89.3 with two G89.2 codes (G89.29, G89.28): both named',
    ...coded('encounter', ['G89.3', 'G89.29', 'G89.28']),
    params: { code: 'G89.29, G89.28' },
    evidence: ['Condition/dx-1', 'Condition/dx-2', 'Condition/dx-3'],
  },
  ...ALL_SOURCES.map((source): DxFiringCase => ({
    name: `${source}: G893 and G8929 undotted with the OID alias`,
    ...coded(source, ['G893', 'G8929'], { system: ICD10_OID }),
    params: { code: 'G89.29' },
    evidence: unique([dxRef(source, 1), dxRef(source, 2)]),
  })),
];

const silent: readonly DxCase[] = [
  ...ALL_SOURCES.map((source): DxCase => ({
    name: `${source}: G89.3 and G89.4`,
    ...coded(source, ['G89.3', 'G89.4']),
  })),
  { name: 'G89.3 and G89.18 (acute postprocedural pain)', ...coded('encounter', ['G89.3', 'G89.18']) },
  { name: 'G89.3 and R52', ...coded('encounter', ['G89.3', 'R52']) },
  { name: 'G89.29 without G89.3', ...coded('encounter', ['C50.911', 'G89.29']) },
  { name: 'G89.3 alone', ...coded('linked', ['C50.911', 'G89.3']) },
];

describe('DX-007 G89.3 together with G89.2x', () => {
  it.each(fires)('fires: $name', ({ resources, encounter, params, evidence }) => {
    expect(run(dx007G893WithG892, resources, encounter)).toEqual([{ ruleId: 'DX-007', params, evidence }]);
  });

  it.each(silent)('does not fire: $name', ({ resources, encounter }) => {
    expect(run(dx007G893WithG892, resources, encounter)).toEqual([]);
  });
});
