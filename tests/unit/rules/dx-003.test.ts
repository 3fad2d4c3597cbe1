import { describe, expect, it } from 'vitest';
import { dx003WrongZ51 } from '../../../src/rules/diagnosis/dx-003-wrong-z51.js';
import {
  aDrugGiven,
  ALL_SOURCES,
  aProcedure,
  aRadiationDelivery,
  ATC,
  CARBOPLATIN,
  coded,
  concept,
  dxRef,
  type DxCase,
  type DxFiringCase,
  HCPCS,
  ICD10_OID,
  NIVOLUMAB,
  PACLITAXEL,
  PEMBROLIZUMAB,
  run,
  RXNORM,
} from '../../../test-support/dx-builders.js';

/*
 * DX-003 (wrong Z51 code for the therapy given), rule in isolation on hand-made resources around enc-1. Per the
 * rule's header: fires when Z51.11 is coded and every antineoplastic given today is an immunotherapy (value set
 * immunotherapy-drug), or Z51.12 is coded and none is; silent with mixed drugs, when both Z51.11 and Z51.12 are
 * coded, and when no antineoplastic administration is documented today (a chemo administration code alone is not a
 * drug to compare with). Not a sequencing rule: all three diagnosis sources.
 */

const suggests = (kind: 'immunotherapy' | 'chemotherapy') =>
  kind === 'immunotherapy' ? { kind: 'immunotherapy', code: 'Z51.12' } : { kind: 'chemotherapy', code: 'Z51.11' };

const fires: readonly DxFiringCase[] = [
  ...ALL_SOURCES.map((source): DxFiringCase => ({
    name: `${source}: Z51.11 coded, only nivolumab (RxNorm 1597876) given`,
    ...coded(source, ['C34.90', 'Z51.11'], { also: [aDrugGiven('ma-1', NIVOLUMAB)] }),
    params: suggests('immunotherapy'),
    evidence: [dxRef(source, 2), 'MedicationAdministration/ma-1'],
  })),
  {
    name: 'Z51.11 coded, only pembrolizumab by ATC L01FF02',
    ...coded('encounter', ['Z51.11', 'C34.90'], {
      also: [aDrugGiven('ma-1', concept(ATC, 'L01FF02', 'pembrolizumab'))],
    }),
    params: suggests('immunotherapy'),
    evidence: ['Condition/dx-1', 'MedicationAdministration/ma-1'],
  },
  {
    name: 'Z51.11 coded, nivolumab and ipilimumab (ATC L01FX04) given',
    ...coded('encounter', ['Z51.11', 'C43.9'], {
      also: [aDrugGiven('ma-1', NIVOLUMAB), aDrugGiven('ma-2', concept(ATC, 'L01FX04', 'ipilimumab'))],
    }),
    params: suggests('immunotherapy'),
    evidence: ['Condition/dx-1', 'MedicationAdministration/ma-1', 'MedicationAdministration/ma-2'],
  },
  {
    name: 'Z51.11 coded, pembrolizumab given alongside radiation delivery (radiation does not change the drug class)',
    ...coded('encounter', ['Z51.11', 'Z51.0', 'C34.90'], {
      also: [aDrugGiven('ma-1', PEMBROLIZUMAB), aRadiationDelivery('rt-1')],
    }),
    params: suggests('immunotherapy'),
    evidence: ['Condition/dx-1', 'MedicationAdministration/ma-1'],
  },
  ...ALL_SOURCES.map((source): DxFiringCase => ({
    name: `${source}: Z51.12 coded, only carboplatin given`,
    ...coded(source, ['Z51.12', 'C34.90'], { also: [aDrugGiven('ma-1', CARBOPLATIN)] }),
    params: suggests('chemotherapy'),
    evidence: [dxRef(source, 1), 'MedicationAdministration/ma-1'],
  })),
  {
    name: 'Z51.12 coded, carboplatin and paclitaxel given',
    ...coded('encounter', ['Z51.12', 'C34.90'], {
      also: [aDrugGiven('ma-1', CARBOPLATIN), aDrugGiven('ma-2', PACLITAXEL)],
    }),
    params: suggests('chemotherapy'),
    evidence: ['Condition/dx-1', 'MedicationAdministration/ma-1', 'MedicationAdministration/ma-2'],
  },
  {
    name: 'Z51.12 coded, carboplatin by HCPCS J9045 only',
    ...coded('encounter', ['Z51.12', 'C34.90'], {
      also: [aDrugGiven('ma-1', concept(HCPCS, 'J9045', 'Injection, carboplatin, 50 mg'))],
    }),
    params: suggests('chemotherapy'),
    evidence: ['Condition/dx-1', 'MedicationAdministration/ma-1'],
  },
  ...ALL_SOURCES.map((source): DxFiringCase => ({
    name: `${source}: Z5111 undotted with the OID alias, nivolumab given`,
    ...coded(source, ['Z5111', 'C3490'], { system: ICD10_OID, also: [aDrugGiven('ma-1', NIVOLUMAB)] }),
    params: suggests('immunotherapy'),
    evidence: [dxRef(source, 1), 'MedicationAdministration/ma-1'],
  })),
];

const silent: readonly DxCase[] = [
  {
    name: 'Z51.11 with carboplatin (right code)',
    ...coded('encounter', ['Z51.11', 'C34.90'], { also: [aDrugGiven('ma-1')] }),
  },
  {
    name: 'Z51.12 with nivolumab (right code)',
    ...coded('encounter', ['Z51.12', 'C34.90'], { also: [aDrugGiven('ma-1', NIVOLUMAB)] }),
  },
  ...(['Z51.11', 'Z51.12'] as const).map((z51): DxCase => ({
    name: `${z51} with mixed drugs (carboplatin + pembrolizumab)`,
    ...coded('encounter', [z51, 'C34.90'], {
      also: [aDrugGiven('ma-1', CARBOPLATIN), aDrugGiven('ma-2', PEMBROLIZUMAB)],
    }),
  })),
  {
    name: 'both Z51.11 and Z51.12 coded, only nivolumab given',
    ...coded('claim', ['Z51.12', 'Z51.11', 'C34.90'], { also: [aDrugGiven('ma-1', NIVOLUMAB)] }),
  },
  {
    name: 'no drug documented: Z51.12 with only a 96413 chemo administration code',
    ...coded('encounter', ['Z51.12', 'C34.90'], { also: [aProcedure('chemo-1', '96413')] }),
  },
  {
    name: 'no drug documented: Z51.11 with radiation delivery only',
    ...coded('encounter', ['Z51.11', 'C34.90'], { also: [aRadiationDelivery('rt-1')] }),
  },
  {
    name: 'no drug documented at all',
    ...coded('encounter', ['Z51.12', 'C34.90']),
  },
  {
    name: 'nivolumab not given (status not-done)',
    ...coded('encounter', ['Z51.11', 'C34.90'], {
      also: [aDrugGiven('ma-1', NIVOLUMAB, { status: 'not-done' })],
    }),
  },
  {
    name: 'nivolumab given in another encounter',
    ...coded('encounter', ['Z51.11', 'C34.90'], {
      also: [aDrugGiven('ma-1', NIVOLUMAB, { context: { reference: 'Encounter/enc-2' } })],
    }),
  },
  {
    name: 'no Z51 coded, nivolumab given',
    ...coded('encounter', ['C34.90'], { also: [aDrugGiven('ma-1', NIVOLUMAB)] }),
  },
  {
    name: 'Z51.0 only, carboplatin given (DX-003 compares Z51.11/Z51.12 only)',
    ...coded('encounter', ['Z51.0', 'C34.90'], { also: [aDrugGiven('ma-1')] }),
  },
];

describe('DX-003 wrong Z51 code for the therapy given', () => {
  it.each(fires)('fires: $name', ({ resources, encounter, params, evidence }) => {
    expect(run(dx003WrongZ51, resources, encounter)).toEqual([{ ruleId: 'DX-003', params, evidence }]);
  });

  it.each(silent)('does not fire: $name', ({ resources, encounter }) => {
    expect(run(dx003WrongZ51, resources, encounter)).toEqual([]);
  });

  /*
   * DEFECT (terminology/medication-administration.json, value set antineoplastic-drug): atezolizumab (RxNorm
   * 1792776), durvalumab (1919503) and ipilimumab (1094833) are in immunotherapy-drug (oncology-coding.json) but not
   * in antineoplastic-drug, so an administration coded by RxNorm alone is not "an antineoplastic given today" and
   * the wrong Z51.11 goes unflagged.
   */
  it('fires for Z51.11 when only atezolizumab (RxNorm 1792776, in immunotherapy-drug) was given', () => {
    const { resources, encounter } = coded('encounter', ['Z51.11', 'C34.90'], {
      also: [aDrugGiven('ma-1', concept(RXNORM, '1792776', 'atezolizumab'))],
    });
    expect(run(dx003WrongZ51, resources, encounter)).toEqual([
      {
        ruleId: 'DX-003',
        params: { kind: 'immunotherapy', code: 'Z51.12' },
        evidence: ['Condition/dx-1', 'MedicationAdministration/ma-1'],
      },
    ]);
  });

  /*
   * DEFECT (terminology/oncology-coding.json, value set immunotherapy-drug): it has ATC and RxNorm but no HCPCS
   * J-codes, while antineoplastic-drug takes every J9xxx. Nivolumab billed as HCPCS J9299 is therefore an
   * antineoplastic but "not an immunotherapy", and a correct Z51.12 draws a card telling the coder to use Z51.11.
   */
  it('does not fire for Z51.12 when only nivolumab coded as HCPCS J9299 was given', () => {
    const { resources, encounter } = coded('encounter', ['Z51.12', 'C34.90'], {
      also: [aDrugGiven('ma-1', concept(HCPCS, 'J9299', 'Injection, nivolumab, 1 mg'))],
    });
    expect(run(dx003WrongZ51, resources, encounter)).toEqual([]);
  });
});
