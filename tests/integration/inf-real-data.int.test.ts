import { beforeAll, describe, expect, it } from 'vitest';
import { administrationCases } from '../../test-support/administration-cases.js';
import { runRules } from '../../src/rules/run-rules.js';
import { allRules } from '../../src/rules/index.js';
import { ruleContext } from '../../test-support/rules.js';
import { externalFixtures } from '../../test-support/fixtures.js';

/*
 * Every MedicationAdministration of the HL7 R4 core examples and the mCODE examples, each evaluated by every INF rule
 * around an encounter made to match it (its context id, patient and day). What must hold: nothing throws; nothing is
 * said about entered-in-error, in-progress or on-hold administrations; a date-only effectiveDateTime (mCODE) is never
 * called a missing *stop* time. What the service says instead: INF-002, "start time missing", because a date alone
 * documents neither time.
 */
const infRules = allRules.filter((r) => r.id.startsWith('INF-'));

interface Outcome {
  readonly id: string;
  readonly status: string;
  readonly dateOnly: boolean;
  readonly fired: readonly string[];
  readonly failed: readonly string[];
}

async function outcomes(folder: string): Promise<Outcome[]> {
  return (await administrationCases(`${externalFixtures}${folder}`)).map(({ administration, snapshot }) => {
    const result = runRules(infRules, snapshot, ruleContext());
    return {
      id: administration.id ?? '',
      status: administration.status,
      dateOnly: administration.effectiveDateTime !== undefined && !administration.effectiveDateTime.includes('T'),
      fired: result.findings.map((f) => f.ruleId),
      failed: result.failed,
    };
  });
}

describe('INF rules on the HL7 and mCODE MedicationAdministration examples', () => {
  let hl7: Outcome[];
  let mcode: Outcome[];
  beforeAll(async () => {
    hl7 = await outcomes('hl7-fhir-r4-core-examples-medadmin');
    mcode = await outcomes('hl7-mcode-ig-examples');
  });

  it('evaluates all 14 HL7 and 7 mCODE administrations without a rule error', () => {
    expect(hl7).toHaveLength(14);
    expect(mcode).toHaveLength(7);
    for (const o of [...hl7, ...mcode]) {
      expect(o.failed, o.id).toEqual([]);
    }
  });

  it('says nothing about entered-in-error, in-progress or on-hold administrations', () => {
    const silent = hl7.filter((o) => ['entered-in-error', 'in-progress', 'on-hold'].includes(o.status));
    expect(silent.map((o) => o.id).sort()).toEqual(['medadmin0301', 'medadmin0303', 'medadminexample03']);
    for (const o of silent) {
      expect(o.fired, o.id).toEqual([]);
    }
  });

  it('never calls a date-only administration a missing stop time; the IV antineoplastic ones get INF-002', () => {
    const dateOnly = mcode.filter((o) => o.dateOnly);
    expect(dateOnly).toHaveLength(7);
    for (const o of dateOnly) {
      expect(o.fired, o.id).not.toContain('INF-001');
    }
    // Six of the seven are IV antineoplastics (prednisone is not): each lacks both times.
    expect(dateOnly.filter((o) => o.fired.includes('INF-002'))).toHaveLength(6);
  });

  it('reads the HL7 Adcetris infusion (NDC in a contained Medication, 10 h documented) as needing 96413 + 9 x 96415', () => {
    const adcetris = hl7.find((o) => o.id === 'medadmin0305');
    expect(adcetris?.fired).toContain('INF-013');
    expect(adcetris?.fired).not.toContain('INF-001');
  });
});
