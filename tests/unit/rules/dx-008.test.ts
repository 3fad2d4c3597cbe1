import { describe, expect, it } from 'vitest';
import { dx008SitePainWithG893 } from '../../../src/rules/diagnosis/dx-008-site-pain-with-g893.js';
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
 * DX-008 (site-of-pain code added to G89.3), rule in isolation on hand-made resources around enc-1. Per the rule's
 * header and oncology-rules.md DX-008: fires when G89.3 and a site-specific pain code (R10.-, R07.-, M54.5-, M25.5-)
 * are both on the encounter; R52 (pain, unspecified) and G89 codes are not site codes. The catalogue's guard "site
 * pain documented as unrelated to the neoplasm" lives in free text (header: not implementable; override reason).
 * Not a sequencing rule: all three diagnosis sources.
 */

const fires: readonly DxFiringCase[] = [
  ...ALL_SOURCES.map((source): DxFiringCase => ({
    name: `${source}: G89.3 and M54.50 (low back pain)`,
    ...coded(source, ['C79.51', 'G89.3', 'M54.50']),
    params: { code: 'M54.50' },
    evidence: unique([dxRef(source, 2), dxRef(source, 3)]),
  })),
  ...[
    ['R10.9', 'abdominal pain'],
    ['R07.9', 'chest pain'],
    ['M25.511', 'pain in right shoulder'],
    ['R10.11', 'right upper quadrant pain'],
  ].map(([code = '', what = '']): DxFiringCase => ({
    name: `G89.3 and ${code} (${what})`,
    ...coded('encounter', ['G89.3', code]),
    params: { code },
    evidence: ['Condition/dx-1', 'Condition/dx-2'],
  })),
  {
    name: 'G89.3 with two site codes (R10.11, M54.50): both named in listed order',
    ...coded('encounter', ['R10.11', 'G89.3', 'M54.50']),
    params: { code: 'R10.11, M54.50' },
    evidence: ['Condition/dx-2', 'Condition/dx-1', 'Condition/dx-3'],
  },
  ...ALL_SOURCES.map((source): DxFiringCase => ({
    name: `${source}: G893 and M5450 undotted with the OID alias`,
    ...coded(source, ['G893', 'M5450'], { system: ICD10_OID }),
    params: { code: 'M54.50' },
    evidence: unique([dxRef(source, 1), dxRef(source, 2)]),
  })),
];

const silent: readonly DxCase[] = [
  ...ALL_SOURCES.map((source): DxCase => ({ name: `${source}: G89.3 and R52`, ...coded(source, ['G89.3', 'R52']) })),
  { name: 'G89.3 and G89.4 (not a site code)', ...coded('encounter', ['G89.3', 'G89.4']) },
  { name: 'M54.50 without G89.3', ...coded('encounter', ['C79.51', 'M54.50']) },
  { name: 'M54.50 with G89.29 (not G89.3)', ...coded('encounter', ['G89.29', 'M54.50']) },
  { name: 'G89.3 alone', ...coded('claim', ['G89.3', 'C79.51']) },
];

describe('DX-008 site-of-pain code added to G89.3', () => {
  it.each(fires)('fires: $name', ({ resources, encounter, params, evidence }) => {
    expect(run(dx008SitePainWithG893, resources, encounter)).toEqual([{ ruleId: 'DX-008', params, evidence }]);
  });

  it.each(silent)('does not fire: $name', ({ resources, encounter }) => {
    expect(run(dx008SitePainWithG893, resources, encounter)).toEqual([]);
  });
});
