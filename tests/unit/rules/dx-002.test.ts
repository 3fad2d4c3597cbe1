import { describe, expect, it } from 'vitest';
import { dx002Z51WithoutNeoplasm } from '../../../src/rules/diagnosis/dx-002-z51-without-neoplasm.js';
import {
  aCondition,
  aDrugGiven,
  ALL_SOURCES,
  coded,
  dxRef,
  type DxCase,
  type DxFiringCase,
  ICD10_OID,
  ref,
  RITUXIMAB,
  run,
  unique,
} from '../../../test-support/dx-builders.js';

/*
 * DX-002 (Z51.x without a neoplasm code), rule in isolation on hand-made resources around enc-1. Guards from the
 * rule's header comment and oncology-rules.md DX-002: silent when no Z51 is coded, or when a malignant (C00-C96),
 * uncertain-behaviour (D37-D49) or in-situ (D00-D09) code is on the encounter; and, from "Do NOT fire when", when the
 * chemotherapy was given for a non-neoplastic condition (then Z51.1- is not used at all: DX-003's territory).
 * Not a sequencing rule: all three diagnosis sources, ranked or not.
 */

const fires: readonly DxFiringCase[] = [
  ...ALL_SOURCES.map((source): DxFiringCase => ({
    name: `${source}: Z51.11 and no neoplasm code`,
    ...coded(source, ['Z51.11']),
    params: { code: 'Z51.11' },
    evidence: [dxRef(source, 1)],
  })),
  {
    name: 'Z51.0 with only a pain code (G89.3)',
    ...coded('encounter', ['G89.3', 'Z51.0']),
    params: { code: 'Z51.0' },
    evidence: ['Condition/dx-2'],
  },
  ...ALL_SOURCES.map((source): DxFiringCase => ({
    name: `${source}: Z51.11 and Z51.12 with a complication code only (D70.1)`,
    ...coded(source, ['D70.1', 'Z51.11', 'Z51.12']),
    params: { code: 'Z51.11, Z51.12' },
    evidence: unique([dxRef(source, 2), dxRef(source, 3)]),
  })),
  {
    name: 'Z51.11 with a personal-history code only (Z85.3 is not the neoplasm being treated)',
    ...coded('encounter', ['Z51.11', 'Z85.3']),
    params: { code: 'Z51.11' },
    evidence: ['Condition/dx-1'],
  },
  ...ALL_SOURCES.map((source): DxFiringCase => ({
    name: `${source}: Z51.12 undotted with the ICD-10-CM OID alias`,
    ...coded(source, ['Z5112'], { system: ICD10_OID }),
    params: { code: 'Z51.12' },
    evidence: [dxRef(source, 1)],
  })),
];

const silent: readonly DxCase[] = [
  ...ALL_SOURCES.map((source): DxCase => ({
    name: `${source}: Z51.11 with C50.911`,
    ...coded(source, ['Z51.11', 'C50.911']),
  })),
  { name: 'Z51.11 with uncertain-behaviour D47.1', ...coded('encounter', ['Z51.11', 'D47.1']) },
  { name: 'Z51.11 with in-situ D05.11 (being treated)', ...coded('encounter', ['Z51.11', 'D05.11']) },
  { name: 'Z51.0 with a secondary malignancy C79.51', ...coded('encounter', ['Z51.0', 'C79.51']) },
  { name: 'Z51.11 with a remission code C91.01', ...coded('claim', ['Z51.11', 'C91.01']) },
  {
    name: 'Z51.11 with the neoplasm written undotted and with the OID alias (C50911)',
    ...coded('linked', ['Z5111', 'C50911'], { system: ICD10_OID }),
  },
  { name: 'no Z51 coded (C50.911 only)', ...coded('encounter', ['C50.911']) },
  { name: 'no Z51 coded (G89.3 only)', ...coded('encounter', ['G89.3']) },
  { name: 'no diagnoses at all', ...coded('linked', []) },
];

describe('DX-002 Z51.x without a neoplasm code', () => {
  it.each(fires)('fires: $name', ({ resources, encounter, params, evidence }) => {
    expect(run(dx002Z51WithoutNeoplasm, resources, encounter)).toEqual([{ ruleId: 'DX-002', params, evidence }]);
  });

  it.each(silent)('does not fire: $name', ({ resources, encounter }) => {
    expect(run(dx002Z51WithoutNeoplasm, resources, encounter)).toEqual([]);
  });

  it('ignores a refuted neoplasm Condition (so the Z51 stands alone)', () => {
    const z51 = aCondition('dx-1', 'Z51.11');
    const refuted = aCondition('dx-2', 'C50.911', { verificationStatus: 'refuted' });
    expect(run(dx002Z51WithoutNeoplasm, [z51, refuted])).toEqual([
      { ruleId: 'DX-002', params: { code: 'Z51.11' }, evidence: ['Condition/dx-1'] },
    ]);
  });

  /*
   * DEFECT (src/rules/diagnosis/dx-002-z51-without-neoplasm.ts line 19): oncology-rules.md DX-002 "Do NOT fire when:
   * chemo given for a non-neoplastic condition - then Z51.1- is not used at all". Rituximab is given for rheumatoid
   * arthritis (reasonReference to the M05.79 Condition) and the encounter carries Z51.11 and M05.79: the card asks
   * the coder to add "the neoplasm being treated", which does not exist. The rule has no such guard.
   */
  it('does not fire when the drug was given for a non-neoplastic condition (rituximab for M05.79)', () => {
    const arthritis = aCondition('dx-2', 'M05.79');
    const { resources, encounter } = coded('encounter', ['Z51.11', 'M05.79'], {
      also: [aDrugGiven('ma-1', RITUXIMAB, { reasonReference: [ref(arthritis)] })],
    });
    expect(run(dx002Z51WithoutNeoplasm, resources, encounter)).toEqual([]);
  });
});
