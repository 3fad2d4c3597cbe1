import { describe, expect, it } from 'vitest';
import { dx011ChemoWithoutDiagnosis } from '../../../src/rules/diagnosis/dx-011-chemo-without-diagnosis.js';
import {
  aDrugGiven,
  ALL_SOURCES,
  aProblem,
  aProcedure,
  coded,
  type DxCase,
  type DxFiringCase,
  HCPCS,
  ICD10_OID,
  plain,
  ref,
  RITUXIMAB,
  run,
} from '../../../test-support/dx-builders.js';

/*
 * DX-011 (chemo administration billed with no supporting diagnosis), rule in isolation on hand-made resources around
 * enc-1. Per the rule's header and oncology-rules.md DX-011: fires when a chemotherapy administration code
 * (96401-96549, G0498) is on the encounter and there is no neoplasm code (C00-C96, D37-D49, D00-D09), no Z51.1- code
 * and no Condition named as the reason on this encounter's Procedures or MedicationAdministrations (chemo
 * administration codes also apply to non-cancer conditions). JUDGMENT in the header: silent while the encounter
 * carries no diagnosis at all (coding not yet done), so the firing cases below all carry some non-supporting code.
 * All three diagnosis sources.
 */

const chemo = aProcedure('chemo-1', '96413');
/** Rheumatoid arthritis, in the record but not on the encounter. */
const arthritis = aProblem('ra-1', 'M05.79');

const fires: readonly DxFiringCase[] = [
  ...ALL_SOURCES.map((source): DxFiringCase => ({
    name: `${source}: 96413 Procedure, only a pain code (G89.3) coded`,
    ...coded(source, ['G89.3'], { also: [chemo] }),
    params: { code: '96413' },
    evidence: ['Procedure/chemo-1'],
  })),
  {
    name: '96413 and 96415 Procedures, only a complication code (D70.1): both codes named',
    ...coded('encounter', ['D70.1'], { also: [chemo, aProcedure('chemo-2', '96415')] }),
    params: { code: '96413, 96415' },
    evidence: ['Procedure/chemo-1', 'Procedure/chemo-2'],
  },
  {
    name: 'HCPCS G0498 (pump started in office), only G89.3 coded',
    ...coded('encounter', ['G89.3'], { also: [aProcedure('pump-1', 'G0498', {}, HCPCS)] }),
    params: { code: 'G0498' },
    evidence: ['Procedure/pump-1'],
  },
  {
    name: 'claim: 96409 as a draft Claim line, the Claim lists only G89.3',
    ...coded('claim', ['G89.3'], { claimItems: ['96409'] }),
    params: { code: '96409' },
    evidence: ['Claim/claim-1#1'],
  },
  ...ALL_SOURCES.map((source): DxFiringCase => ({
    name: `${source}: only Z51.0 coded (not Z51.1-)`,
    ...coded(source, ['Z51.0'], { also: [chemo] }),
    params: { code: '96413' },
    evidence: ['Procedure/chemo-1'],
  })),
  {
    name: 'only a history code (Z85.3) and a pain code (G89.3)',
    ...coded('encounter', ['G89.3', 'Z85.3'], { also: [chemo] }),
    params: { code: '96413' },
    evidence: ['Procedure/chemo-1'],
  },
  {
    name: 'M05.79 coded on the encounter but named as reason by nothing (catalogue: reason link needed)',
    ...coded('encounter', ['M05.79'], { also: [chemo, aDrugGiven('ma-1', RITUXIMAB)] }),
    params: { code: '96413' },
    evidence: ['Procedure/chemo-1'],
  },
  {
    name: 'reasonReference to a Condition that is not in the record',
    ...coded('encounter', ['G89.3'], {
      also: [aProcedure('chemo-1', '96413', { reasonReference: [{ reference: 'Condition/missing' }] })],
    }),
    params: { code: '96413' },
    evidence: ['Procedure/chemo-1'],
  },
  {
    name: 'benign neoplasm D369 (undotted, OID alias) does not support chemo administration',
    ...coded('encounter', ['D369'], { system: ICD10_OID, also: [chemo] }),
    params: { code: '96413' },
    evidence: ['Procedure/chemo-1'],
  },
];

const silent: readonly DxCase[] = [
  ...ALL_SOURCES.map((source): DxCase => ({
    name: `${source}: C18.7 coded`,
    ...coded(source, ['C18.7'], { also: [chemo] }),
  })),
  ...ALL_SOURCES.map((source): DxCase => ({
    name: `${source}: Z51.11 coded`,
    ...coded(source, ['Z51.11'], { also: [chemo] }),
  })),
  { name: 'Z51.12 coded', ...coded('encounter', ['Z51.12'], { also: [chemo] }) },
  { name: 'uncertain-behaviour D47.1 coded', ...coded('encounter', ['D47.1'], { also: [chemo] }) },
  { name: 'in-situ D05.11 coded', ...coded('encounter', ['D05.11'], { also: [chemo] }) },
  { name: 'C187 undotted with the OID alias', ...coded('claim', ['C187'], { system: ICD10_OID, also: [chemo] }) },
  {
    name: 'claim: 96413 line and C18.7 on the same draft Claim',
    ...coded('claim', ['C18.7'], { claimItems: ['96413'] }),
  },
  {
    name: 'MedicationAdministration reasonReference to a non-cancer Condition (rituximab for M05.79)',
    ...coded('encounter', ['G89.3'], {
      also: [chemo, arthritis, aDrugGiven('ma-1', RITUXIMAB, { reasonReference: [ref(arthritis)] })],
    }),
  },
  {
    name: 'Procedure reasonReference to a non-cancer Condition (M05.79)',
    ...coded('encounter', ['G89.3'], {
      also: [arthritis, aProcedure('chemo-1', '96413', { reasonReference: [ref(arthritis)] })],
    }),
  },
  {
    name: 'no chemo administration code (96372 injection only)',
    ...coded('encounter', ['G89.3'], { also: [aProcedure('inj-1', '96372')] }),
  },
  {
    name: '96413 Procedure not done',
    ...coded('encounter', ['G89.3'], { also: [aProcedure('chemo-1', '96413', { status: 'not-done' })] }),
  },
  {
    name: '96413 Procedure of another encounter',
    ...coded('encounter', ['G89.3'], {
      also: [aProcedure('chemo-1', '96413', { encounter: { reference: 'Encounter/enc-2' } })],
    }),
  },
  { name: 'nothing billed', ...coded('encounter', ['G89.3']) },
  {
    name: '96413 Procedure and no diagnosis at all (header JUDGMENT: coding not yet done)',
    ...plain([chemo]),
  },
  {
    name: 'claim: 96409 line on a draft Claim without diagnosis, no other diagnosis',
    ...coded('claim', [], { claimItems: ['96409'] }),
  },
];

describe('DX-011 chemo administration billed with no supporting diagnosis', () => {
  it.each(fires)('fires: $name', ({ resources, encounter, params, evidence }) => {
    expect(run(dx011ChemoWithoutDiagnosis, resources, encounter)).toEqual([{ ruleId: 'DX-011', params, evidence }]);
  });

  it.each(silent)('does not fire: $name', ({ resources, encounter }) => {
    expect(run(dx011ChemoWithoutDiagnosis, resources, encounter)).toEqual([]);
  });
});
