import { defaultRuleSettings } from '../../../src/config/rule-settings.js';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Encounter, Medication, MedicationAdministration, Resource } from 'fhir/r4.js';
import { describe, expect, it } from 'vitest';
import { runRules } from '../../../src/rules/run-rules.js';
import { buildSnapshot } from '../../../src/fhir/snapshot.js';
import { inf001StopTimeMissing } from '../../../src/rules/infusion/inf-001-stop-time-missing.js';
import type { Finding } from '../../../src/rules/types.js';
import { Terminology } from '../../../src/terminology/terminology.js';
import { anEncounter, anInfusion, CARBOPLATIN, RXNORM, SNOMED } from '../../../test-support/builders.js';
import { externalFixtures, readJson } from '../../../test-support/fixtures.js';

/*
 * INF-001 (infusion stop time missing), rule in isolation: snapshots are built with the real buildSnapshot and the
 * real terminology files, then the rule is evaluated directly. Guards come from the rule's header comment and from
 * oncology-rules.md INF-001 ("Do NOT fire when").
 */

const terminology = new Terminology();

const HCPCS = 'http://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets';
const HCPCS_OID = 'urn:oid:2.16.840.1.113883.6.285';
const ATC = 'http://www.whocc.no/atc';
const NDC = 'http://hl7.org/fhir/sid/ndc';

/** The encounter anEncounter() makes is enc-1 for pat-1 on 2025-03-04 (-05:00, start only). */
const START = '2025-03-04T10:00:00-05:00';
const END = '2025-03-04T10:45:00-05:00';

/** An IV carboplatin administration of enc-1, completed, start with a time of day and no end. */
function openInfusion(overrides: Partial<MedicationAdministration> = {}): MedicationAdministration {
  return anInfusion({ effectivePeriod: { start: START }, ...overrides });
}

/** A copy of the resource without the named elements (the builders cannot leave an element out). */
function without<T extends object>(resource: T, ...keys: (keyof T)[]): T {
  const copy = structuredClone(resource);
  for (const key of keys) {
    // eslint-disable-next-line @typescript-eslint/no-dynamic-delete
    delete copy[key];
  }
  return copy;
}

function evaluate(resources: readonly Resource[], encounter: Encounter = anEncounter(), patientId = 'pat-1') {
  const { snapshot } = buildSnapshot({
    patientId,
    encounterId: encounter.id,
    resources: [encounter, ...resources].map((resource) => ({ resource })),
  });
  return runRules([inf001StopTimeMissing], snapshot, { terminology, settings: defaultRuleSettings }).findings;
}

const route = (code: string, display: string) => ({ coding: [{ system: SNOMED, code, display }] });
const drug = (system: string, code: string, display: string) => ({ coding: [{ system, code, display }] });

/** An open infusion whose drug is only on a contained Medication, referenced as `#<id>`. */
function withContainedMedication(medication: Medication): MedicationAdministration {
  return {
    ...without(openInfusion(), 'medicationCodeableConcept'),
    contained: [medication],
    medicationReference: { reference: `#${medication.id ?? ''}` },
  };
}

interface Case {
  readonly name: string;
  readonly resources: readonly MedicationAdministration[];
}

const mustFire: readonly Case[] = [
  { name: 'completed, effectivePeriod start with a time, no end', resources: [openInfusion()] },
  { name: 'stopped, no end', resources: [openInfusion({ status: 'stopped' })] },
  {
    name: 'completed, effectivePeriod.end is an empty string',
    resources: [openInfusion({ effectivePeriod: { start: START, end: '' } })],
  },
  {
    name: 'effectiveDateTime with a time of day and no period',
    resources: [{ ...without(openInfusion(), 'effectivePeriod'), effectiveDateTime: START }],
  },
  {
    name: 'antineoplastic by RxNorm ingredient (carboplatin 40048)',
    resources: [openInfusion({ medicationCodeableConcept: CARBOPLATIN })],
  },
  {
    name: 'antineoplastic by HCPCS J9045, canonical system',
    resources: [openInfusion({ medicationCodeableConcept: drug(HCPCS, 'J9045', 'Injection, carboplatin, 50 mg') })],
  },
  {
    name: 'antineoplastic by HCPCS J9045, OID alias urn:oid:2.16.840.1.113883.6.285',
    resources: [openInfusion({ medicationCodeableConcept: drug(HCPCS_OID, 'J9045', 'Injection, carboplatin, 50 mg') })],
  },
  {
    name: 'antineoplastic by ATC L01XA02',
    resources: [openInfusion({ medicationCodeableConcept: drug(ATC, 'L01XA02', 'carboplatin') })],
  },
  {
    name: "antineoplastic by NDC on a contained Medication (medicationReference '#med1')",
    resources: [
      withContainedMedication({ resourceType: 'Medication', id: 'med1', code: drug(NDC, '51144-050-01', 'Adcetris') }),
    ],
  },
  {
    name: 'antineoplastic by NDC written without hyphens, 11-digit 5-4-2 form (51144005001)',
    resources: [openInfusion({ medicationCodeableConcept: drug(NDC, '51144005001', 'Adcetris') })],
  },
  {
    name: 'intra-arterial route (SNOMED 58100008)',
    resources: [openInfusion({ dosage: { route: route('58100008', 'Intra-arterial route') } })],
  },
  {
    name: 'IV route as SNOMED 255560000 (the HL7 examples spelling)',
    resources: [openInfusion({ dosage: { route: route('255560000', 'Intravenous') } })],
  },
  {
    name: 'context as an absolute URL to the encounter',
    resources: [openInfusion({ context: { reference: 'https://ehr.example.org/fhir/Encounter/enc-1' } })],
  },
  {
    name: "no context, started on the encounter's day",
    resources: [without(openInfusion(), 'context')],
  },
];

const mustNotFire: readonly Case[] = [
  {
    name: 'control: completed with start and end',
    resources: [openInfusion({ effectivePeriod: { start: START, end: END } })],
  },
  { name: 'in-progress (pump still running: INF-010)', resources: [openInfusion({ status: 'in-progress' })] },
  { name: 'not-done', resources: [openInfusion({ status: 'not-done' })] },
  { name: 'entered-in-error', resources: [openInfusion({ status: 'entered-in-error' })] },
  { name: 'on-hold', resources: [openInfusion({ status: 'on-hold' })] },
  { name: 'unknown status', resources: [openInfusion({ status: 'unknown' })] },
  {
    name: "date-only effectiveDateTime (no time at all: INF-002's finding)",
    resources: [{ ...without(openInfusion(), 'effectivePeriod'), effectiveDateTime: '2025-03-04' }],
  },
  {
    name: 'date-only effectivePeriod.start and no end (INF-002)',
    resources: [openInfusion({ effectivePeriod: { start: '2025-03-04' } })],
  },
  { name: 'no effective[x] at all (INF-002)', resources: [without(openInfusion(), 'effectivePeriod')] },
  {
    name: 'documented push (dosage.method SNOMED 420620005)',
    resources: [
      openInfusion({
        dosage: {
          route: route('47625008', 'Intravenous route'),
          method: route('420620005', 'Push - dosing instruction imperative'),
        },
      }),
    ],
  },
  {
    name: 'subcutaneous route (SNOMED 34206005)',
    resources: [openInfusion({ dosage: { route: route('34206005', 'Subcutaneous route') } })],
  },
  {
    name: 'oral route (SNOMED 26643006)',
    resources: [openInfusion({ dosage: { route: route('26643006', 'Oral route') } })],
  },
  { name: 'no route documented', resources: [openInfusion({ dosage: { dose: { value: 450, unit: 'mg' } } })] },
  {
    name: 'non-antineoplastic: vancomycin (RxNorm 11124)',
    resources: [openInfusion({ medicationCodeableConcept: drug(RXNORM, '11124', 'vancomycin') })],
  },
  {
    name: 'non-antineoplastic: vancomycin by NDC on a contained Medication (HL7 medadmin0301 code)',
    resources: [
      withContainedMedication({
        resourceType: 'Medication',
        id: 'med1',
        code: drug(NDC, '0069-2587-10', 'Vancomycin'),
      }),
    ],
  },
  {
    name: 'non-chemotherapy HCPCS J-code (J1100 dexamethasone)',
    resources: [openInfusion({ medicationCodeableConcept: drug(HCPCS, 'J1100', 'Injection, dexamethasone') })],
  },
  {
    name: 'administration of another encounter',
    resources: [openInfusion({ context: { reference: 'Encounter/enc-2' } })],
  },
  {
    name: "no context, started on another day than the encounter's",
    resources: [{ ...without(openInfusion(), 'context'), effectivePeriod: { start: '2025-03-05T10:00:00-05:00' } }],
  },
  {
    name: "another patient's administration (same encounter reference)",
    resources: [openInfusion({ subject: { reference: 'Patient/pat-2' } })],
  },
];

describe('INF-001 infusion stop time missing', () => {
  it.each(mustFire)('fires: $name', ({ resources }) => {
    const findings = evaluate(resources);
    expect(findings).toHaveLength(1);
    const finding = findings[0] as Finding;
    expect(finding.ruleId).toBe('INF-001');
    expect(finding.evidence).toEqual(['MedicationAdministration/ma-1']);
    expect(finding.params.start).toBe(START);
    expect(finding.params.drug).not.toBe('');
  });

  it.each(mustNotFire)('does not fire: $name', ({ resources }) => {
    expect(evaluate(resources)).toEqual([]);
  });

  it('names the drug from the coding display and the start time in its params', () => {
    const [finding] = evaluate([openInfusion({ id: 'ma-carbo' })]);
    expect(finding).toEqual({
      ruleId: 'INF-001',
      params: { drug: 'carboplatin', start: START },
      evidence: ['MedicationAdministration/ma-carbo'],
    });
  });

  it('gives ONE finding for two infusions lacking stop times, with both in evidence and both drugs named', () => {
    const carboplatin = openInfusion({ id: 'ma-carbo' });
    const paclitaxel = openInfusion({
      id: 'ma-pacli',
      medicationCodeableConcept: drug(RXNORM, '56946', 'paclitaxel'),
      effectivePeriod: { start: '2025-03-04T11:00:00-05:00' },
    });
    const complete = openInfusion({ id: 'ma-done', effectivePeriod: { start: START, end: END } });
    const findings = evaluate([carboplatin, complete, paclitaxel]);
    expect(findings).toHaveLength(1);
    expect(findings[0]?.evidence).toEqual(['MedicationAdministration/ma-carbo', 'MedicationAdministration/ma-pacli']);
    expect(findings[0]?.params.drug).toBe('carboplatin and paclitaxel');
    expect(findings[0]?.params.start).toBe(START);
  });

  it("ignores another patient's administration next to this patient's own", () => {
    const mine = openInfusion({ id: 'ma-mine' });
    const theirs = openInfusion({ id: 'ma-theirs', subject: { reference: 'Patient/pat-2' } });
    const findings = evaluate([theirs, mine]);
    expect(findings.map((f) => f.evidence)).toEqual([['MedicationAdministration/ma-mine']]);
  });
});

/*
 * Real data nobody on this project wrote. Each administration gets its own snapshot with an encounter made to match
 * it: same id as its `context` (or a made-up one when it has none), same patient, and a period starting on the
 * administration's day, so that it belongs to the encounter either by reference or by the same-day fallback.
 */
type RealDataDir = 'hl7-fhir-r4-core-examples-medadmin' | 'hl7-mcode-ig-examples';

function realAdministrations(dir: RealDataDir): { file: string; administration: MedicationAdministration }[] {
  const folder = join(externalFixtures, dir);
  return readdirSync(folder)
    .filter((f) => f.startsWith('MedicationAdministration-') && f.endsWith('.json'))
    .sort()
    .map((file) => ({ file, administration: readJson<MedicationAdministration>(join(folder, file)) }));
}

function matchingEncounter(administration: MedicationAdministration): Encounter {
  const start = administration.effectivePeriod?.start ?? administration.effectiveDateTime ?? '';
  const id = /^Encounter\/(.+)$/.exec(administration.context?.reference ?? '')?.[1] ?? 'enc-made-up';
  return anEncounter({ id, subject: administration.subject, period: { start: start.slice(0, 10) } });
}

function evaluateReal(administration: MedicationAdministration) {
  const patientId = /^Patient\/(.+)$/.exec(administration.subject.reference ?? '')?.[1] ?? '';
  const encounter = matchingEncounter(administration);
  const { snapshot } = buildSnapshot({
    patientId,
    encounterId: encounter.id,
    resources: [encounter, administration].map((resource) => ({ resource })),
  });
  return {
    snapshot,
    findings: runRules([inf001StopTimeMissing], snapshot, { terminology, settings: defaultRuleSettings }).findings,
  };
}

describe('INF-001 on real MedicationAdministration examples', () => {
  /*
   * HL7 R4 core examples (medadmin0301..0313, medadminexample03): every one has an effectivePeriod.end except
   * medadmin0301, which is in-progress (a running infusion); medadmin0303 is entered-in-error and medadminexample03
   * is on-hold. So none is a completed/stopped administration without a stop time.
   */
  const hl7 = realAdministrations('hl7-fhir-r4-core-examples-medadmin');
  it('reads the 14 HL7 examples', () => {
    expect(hl7).toHaveLength(14);
    for (const { administration } of hl7) {
      expect(
        administration.effectivePeriod?.end !== undefined ||
          ['in-progress', 'entered-in-error', 'on-hold'].includes(administration.status),
      ).toBe(true);
    }
  });

  it.each(hl7)('HL7 $file: never throws, never fires', ({ administration }) => {
    const { snapshot, findings } = evaluateReal(administration);
    expect(findings).toEqual([]);
    // Not vacuous: the administration is part of the encounter (the snapshot drops only entered-in-error ones).
    expect(snapshot.thisEncounter.medicationAdministrations.map((a) => a.id)).toEqual(
      administration.status === 'entered-in-error' ? [] : [administration.id],
    );
  });

  it('would fire on HL7 medadmin0305 (Adcetris, IV, NDC on a contained Medication) if its end were missing', () => {
    const adcetris = hl7.find(({ file }) => file === 'MedicationAdministration-medadmin0305.json')!.administration;
    const open = { ...adcetris, effectivePeriod: { start: adcetris.effectivePeriod!.start! } };
    expect(evaluateReal(open).findings.map((f) => f.evidence)).toEqual([['MedicationAdministration/medadmin0305']]);
  });

  /*
   * mCODE STU4 examples: all completed, IV and (but for prednisone) antineoplastic, but every one has a date-only
   * effectiveDateTime ("2018-04-22"), so no time of day is documented: that is INF-002's finding, not INF-001's.
   * They have no context either, so they join the encounter through the same-day fallback.
   */
  const mcode = realAdministrations('hl7-mcode-ig-examples');
  it('reads the 7 mCODE examples, all with a date-only effectiveDateTime', () => {
    expect(mcode).toHaveLength(7);
    for (const { administration } of mcode) {
      expect(administration.effectiveDateTime).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(administration.effectivePeriod).toBeUndefined();
    }
  });

  it.each(mcode)('mCODE $file: never throws, never fires', ({ administration }) => {
    const { snapshot, findings } = evaluateReal(administration);
    expect(findings).toEqual([]);
    expect(snapshot.thisEncounter.medicationAdministrations.map((a) => a.id)).toEqual([administration.id]);
  });

  it('would fire on the six mCODE antineoplastic administrations if their effectiveDateTime carried a time', () => {
    const fired = mcode
      .map(({ administration }) => ({
        ...administration,
        effectiveDateTime: `${administration.effectiveDateTime ?? ''}T09:30:00Z`,
      }))
      .filter((administration) => evaluateReal(administration).findings.length > 0)
      .map((administration) => administration.id);
    expect(fired).toHaveLength(6);
    expect(fired).not.toContain('cancer-related-medication-admin-prednisone-brian-l');
  });
});
