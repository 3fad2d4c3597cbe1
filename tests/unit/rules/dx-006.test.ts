import { describe, expect, it } from 'vitest';
import { dx006G893Sequencing } from '../../../src/rules/diagnosis/dx-006-g893-sequencing.js';
import {
  aCondition,
  aDrugGiven,
  aProcedure,
  aRadiationDelivery,
  aRankedEncounter,
  coded,
  concept,
  dxRef,
  type DxCase,
  type DxFiringCase,
  ENCOUNTER,
  ICD10,
  ICD10_OID,
  RANKED_SOURCES,
  run,
  SNOMED,
  unique,
} from '../../../test-support/dx-builders.js';

/*
 * DX-006 (G89.3 sequencing), rule in isolation on hand-made resources around enc-1. Per the rule's header and
 * oncology-rules.md DX-006:
 *   (a) variant 'default': G89.3 ranked first at a cancer-treatment visit (a Z51 code, or antineoplastic therapy or
 *       RT delivery today);
 *   (b) variant 'pain-visit': Encounter.reasonCode is pain (pain-condition value set) and G89.3 is coded, not first.
 * Silent without ranks (a sequencing rule), and for (b) when the encounter's reason is not recorded.
 */

const painReason = { reasonCode: [concept(ICD10, 'G89.3', 'Neoplasm related pain')] };

const fires: readonly DxFiringCase[] = [
  ...RANKED_SOURCES.map((source): DxFiringCase => ({
    name: `${source}: G89.3 first, Z51.11 second (default)`,
    ...coded(source, ['G89.3', 'Z51.11', 'C50.911']),
    variant: 'default',
    params: {},
    evidence: unique([dxRef(source, 1), dxRef(source, 2)]),
  })),
  {
    name: 'G89.3 first, no Z51, carboplatin given today (default)',
    ...coded('encounter', ['G89.3', 'C50.911'], { also: [aDrugGiven('ma-1')] }),
    variant: 'default',
    params: {},
    evidence: ['Condition/dx-1', 'MedicationAdministration/ma-1'],
  },
  {
    name: 'G89.3 first, no Z51, radiation delivery 77412 today (default)',
    ...coded('encounter', ['G89.3', 'C79.51'], { also: [aRadiationDelivery('rt-1')] }),
    variant: 'default',
    params: {},
    evidence: ['Condition/dx-1', 'Procedure/rt-1'],
  },
  {
    name: 'G89.3 first, Z51.11 second, 96413 coded (default, evidence has both)',
    ...coded('encounter', ['G89.3', 'Z51.11', 'C50.911'], { also: [aProcedure('chemo-1', '96413')] }),
    variant: 'default',
    params: {},
    evidence: ['Condition/dx-1', 'Condition/dx-2', 'Procedure/chemo-1'],
  },
  ...RANKED_SOURCES.map((source): DxFiringCase => ({
    name: `${source}: G893 and Z5111 undotted with the OID alias (default)`,
    ...coded(source, ['G893', 'Z5111', 'C50911'], { system: ICD10_OID }),
    variant: 'default',
    params: {},
    evidence: unique([dxRef(source, 1), dxRef(source, 2)]),
  })),
  ...RANKED_SOURCES.map((source): DxFiringCase => ({
    name: `${source}: reasonCode G89.3 (pain visit), G89.3 ranked second ('pain-visit')`,
    ...coded(source, ['C50.911', 'G89.3'], { encounter: painReason }),
    variant: 'pain-visit',
    params: {},
    evidence: [ENCOUNTER, dxRef(source, 2)],
  })),
  {
    name: "reasonCode SNOMED 22253000 (Pain), G89.3 ranked third ('pain-visit')",
    ...coded('encounter', ['C50.911', 'Z51.11', 'G89.3'], {
      encounter: { reasonCode: [concept(SNOMED, '22253000', 'Pain')] },
    }),
    variant: 'pain-visit',
    params: {},
    evidence: [ENCOUNTER, 'Condition/dx-3'],
  },
  {
    name: "reasonCode G893 undotted with the OID alias ('pain-visit')",
    ...coded('encounter', ['C50.911', 'G89.3'], { encounter: { reasonCode: [concept(ICD10_OID, 'G893')] } }),
    variant: 'pain-visit',
    params: {},
    evidence: [ENCOUNTER, 'Condition/dx-2'],
  },
];

const silent: readonly DxCase[] = [
  {
    name: 'G89.3 first at a pain visit, no treatment and no Z51',
    ...coded('encounter', ['G89.3', 'C50.911'], { encounter: painReason }),
  },
  {
    name: 'G89.3 first, no reason recorded, no treatment and no Z51',
    ...coded('claim', ['G89.3', 'C50.911']),
  },
  {
    name: 'G89.3 ranked second, no reasonCode (reason unknown: suppress (b))',
    ...coded('encounter', ['C50.911', 'G89.3']),
  },
  {
    name: 'G89.3 ranked second, reasonCode is the cancer (not pain)',
    ...coded('encounter', ['C50.911', 'G89.3'], { encounter: { reasonCode: [concept(ICD10, 'C50.911')] } }),
  },
  {
    name: 'G89.3 ranked second after Z51.11 at a chemo visit, no reasonCode (right order)',
    ...coded('encounter', ['Z51.11', 'C50.911', 'G89.3'], { also: [aDrugGiven('ma-1')] }),
  },
  {
    name: 'linked: unranked G89.3 with Z51.11 and carboplatin',
    ...coded('linked', ['G89.3', 'Z51.11', 'C50.911'], { also: [aDrugGiven('ma-1')] }),
  },
  {
    name: 'linked: unranked G89.3 at a pain visit',
    ...coded('linked', ['C50.911', 'G89.3'], { encounter: painReason }),
  },
  {
    name: 'encounter: Encounter.diagnosis without rank, G89.3 listed first with Z51.11',
    resources: [aCondition('dx-1', 'G89.3'), aCondition('dx-2', 'Z51.11')],
    encounter: aRankedEncounter([
      [aCondition('dx-1', 'G89.3'), null],
      [aCondition('dx-2', 'Z51.11'), null],
    ]),
    refs: [],
  },
  {
    name: 'no G89.3 at a pain visit (C50.911 first, G89.29)',
    ...coded('encounter', ['C50.911', 'G89.29'], { encounter: painReason }),
  },
  {
    name: 'G89.29 first with Z51.11 (only G89.3 is sequenced here)',
    ...coded('encounter', ['G89.29', 'Z51.11', 'C50.911']),
  },
];

describe('DX-006 G89.3 sequencing', () => {
  it.each(fires)('fires: $name', ({ resources, encounter, variant, params, evidence }) => {
    expect(run(dx006G893Sequencing, resources, encounter)).toEqual([{ ruleId: 'DX-006', variant, params, evidence }]);
  });

  it.each(silent)('does not fire: $name', ({ resources, encounter }) => {
    expect(run(dx006G893Sequencing, resources, encounter)).toEqual([]);
  });
});
