import { describe, expect, it } from 'vitest';
import { dx012UnspecifiedSite } from '../../../src/rules/diagnosis/dx-012-unspecified-site.js';
import {
  aCondition,
  ALL_SOURCES,
  aProblem,
  coded,
  dxRef,
  type DxCase,
  type DxFiringCase,
  ICD10_OID,
  run,
} from '../../../test-support/dx-builders.js';

/*
 * DX-012 (unspecified malignancy code when a specific site is documented), rule in isolation on hand-made resources
 * around enc-1. Per the rule's header and oncology-rules.md DX-012: fires when C80.0 or C80.1 is on the encounter
 * while the problem list (problem-list-item or health-concern) holds an active, asserted primary malignancy with a
 * site (C00-C76, C7A, C81-C96). Silent when that entry is resolved/inactive, refuted, not a primary, or is only an
 * encounter diagnosis. Not a sequencing rule: all three diagnosis sources.
 */

/** The site-specific cancer on the problem list (not linked to the encounter). */
const breast = aProblem('pl-1', 'C50.911');

const fires: readonly DxFiringCase[] = [
  ...ALL_SOURCES.map((source): DxFiringCase => ({
    name: `${source}: C80.1 coded, active problem-list C50.911`,
    ...coded(source, ['Z51.11', 'C80.1'], { also: [breast] }),
    params: { code: 'C50.911' },
    evidence: [dxRef(source, 2), 'Condition/pl-1'],
  })),
  {
    name: 'C80.0 (disseminated) coded, active problem-list C50.911',
    ...coded('encounter', ['C80.0'], { also: [breast] }),
    params: { code: 'C50.911' },
    evidence: ['Condition/dx-1', 'Condition/pl-1'],
  },
  {
    name: 'the site-specific cancer is a US Core health-concern',
    ...coded('encounter', ['C80.1'], { also: [aProblem('pl-1', 'C34.90', { categories: ['health-concern'] })] }),
    params: { code: 'C34.90' },
    evidence: ['Condition/dx-1', 'Condition/pl-1'],
  },
  {
    name: 'the site-specific cancer is both a problem-list item and an encounter diagnosis',
    ...coded('encounter', ['C80.1'], {
      also: [aProblem('pl-1', 'C50.911', { categories: ['encounter-diagnosis', 'problem-list-item'] })],
    }),
    params: { code: 'C50.911' },
    evidence: ['Condition/dx-1', 'Condition/pl-1'],
  },
  {
    name: 'problem-list entry in recurrence',
    ...coded('encounter', ['C80.1'], { also: [aProblem('pl-1', 'C50.911', { clinicalStatus: 'recurrence' })] }),
    params: { code: 'C50.911' },
    evidence: ['Condition/dx-1', 'Condition/pl-1'],
  },
  {
    name: 'problem-list entry coded C50911 undotted with the OID alias: code named dotted',
    ...coded('encounter', ['C80.1'], { also: [aProblem('pl-1', 'C50911', { system: ICD10_OID })] }),
    params: { code: 'C50.911' },
    evidence: ['Condition/dx-1', 'Condition/pl-1'],
  },
  ...ALL_SOURCES.map((source): DxFiringCase => ({
    name: `${source}: C801 undotted with the OID alias on the encounter`,
    ...coded(source, ['C801'], { system: ICD10_OID, also: [breast] }),
    params: { code: 'C50.911' },
    evidence: [dxRef(source, 1), 'Condition/pl-1'],
  })),
  {
    name: 'problem-list lymphoma (C83.30, C81-C96 range)',
    ...coded('encounter', ['C80.1'], { also: [aProblem('pl-1', 'C83.30')] }),
    params: { code: 'C83.30' },
    evidence: ['Condition/dx-1', 'Condition/pl-1'],
  },
];

const silent: readonly DxCase[] = [
  {
    name: 'problem-list entry resolved (with abatement)',
    ...coded('encounter', ['C80.1'], {
      also: [aProblem('pl-1', 'C50.911', { clinicalStatus: 'resolved', abatementDateTime: '2024-11-01' })],
    }),
  },
  {
    name: 'problem-list entry inactive',
    ...coded('encounter', ['C80.1'], { also: [aProblem('pl-1', 'C50.911', { clinicalStatus: 'inactive' })] }),
  },
  {
    name: 'problem-list entry without clinicalStatus',
    ...coded('encounter', ['C80.1'], { also: [aProblem('pl-1', 'C50.911', { clinicalStatus: null })] }),
  },
  {
    name: 'problem-list entry refuted',
    ...coded('encounter', ['C80.1'], { also: [aProblem('pl-1', 'C50.911', { verificationStatus: 'refuted' })] }),
  },
  {
    name: 'problem-list entry entered in error',
    ...coded('encounter', ['C80.1'], {
      also: [aProblem('pl-1', 'C50.911', { verificationStatus: 'entered-in-error' })],
    }),
  },
  ...ALL_SOURCES.map((source): DxCase => ({
    name: `${source}: C50.911 only as an encounter diagnosis`,
    ...coded(source, ['C80.1'], { also: [aCondition('ed-1', 'C50.911', { linked: false })] }),
  })),
  {
    name: 'C50.911 without any category (as Synthea sends it) is not a problem-list entry',
    ...coded('encounter', ['C80.1'], { also: [aProblem('pl-1', 'C50.911', { categories: [] })] }),
  },
  {
    name: 'problem list holds only a secondary malignancy (C79.51)',
    ...coded('encounter', ['C80.1'], { also: [aProblem('pl-1', 'C79.51')] }),
  },
  {
    name: 'problem list holds only a history code (Z85.3)',
    ...coded('encounter', ['C80.1'], { also: [aProblem('pl-1', 'Z85.3')] }),
  },
  {
    name: 'problem list holds only C80.1 itself',
    ...coded('encounter', ['C80.1'], { also: [aProblem('pl-1', 'C80.1')] }),
  },
  {
    name: 'no C80 code on the encounter (C50.911 coded)',
    ...coded('encounter', ['C50.911'], { also: [breast] }),
  },
  {
    name: 'C80.2 (malignant neoplasm of transplanted organ) is not unspecified',
    ...coded('encounter', ['C80.2'], { also: [breast] }),
  },
];

describe('DX-012 unspecified malignancy code when a specific site is documented', () => {
  it.each(fires)('fires: $name', ({ resources, encounter, params, evidence }) => {
    expect(run(dx012UnspecifiedSite, resources, encounter)).toEqual([{ ruleId: 'DX-012', params, evidence }]);
  });

  it.each(silent)('does not fire: $name', ({ resources, encounter }) => {
    expect(run(dx012UnspecifiedSite, resources, encounter)).toEqual([]);
  });
});
