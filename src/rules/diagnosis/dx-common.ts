import type { PatientSnapshot } from '../../fhir/snapshot.js';
import type { Terminology, ValueSetId } from '../../terminology/terminology.js';
import { SYSTEM } from '../../terminology/systems.js';
import { codesIn, encounterCodes } from '../billing.js';
import { conditionIcd10, encounterDiagnoses, type EncounterDiagnosis } from '../diagnoses.js';
import { antineoplasticsGivenToday } from '../treatment.js';
import { drugCodings } from '../medication.js';

/*
 * What the DX rules ask of an encounter. Official source for all of them: ICD-10-CM Official Guidelines for Coding
 * and Reporting, I.C.2 (neoplasms) and I.C.6.b (pain), read in the secondary sources [S19a-g] (catalogue section 4).
 */

export interface EncounterCoding {
  readonly diagnoses: readonly EncounterDiagnosis[];
  readonly is: (diagnosis: EncounterDiagnosis, valueSet: ValueSetId) => boolean;
  readonly having: (valueSet: ValueSetId) => EncounterDiagnosis[];
  readonly hasCode: (code: string) => boolean;
}

export function encounterCoding(snapshot: PatientSnapshot, terminology: Terminology): EncounterCoding {
  const diagnoses = encounterDiagnoses(snapshot, terminology);
  const is = (d: EncounterDiagnosis, valueSet: ValueSetId): boolean =>
    terminology.has(valueSet, { system: SYSTEM.icd10cm, code: d.code });
  return {
    diagnoses,
    is,
    having: (valueSet) => diagnoses.filter((d) => is(d, valueSet)),
    hasCode: (code) => diagnoses.some((d) => d.code === code),
  };
}

/** A diagnosis that can stand for "the neoplasm being treated": malignant, uncertain behaviour, or in situ. */
export function isTreatedNeoplasm(coding: EncounterCoding, diagnosis: EncounterDiagnosis): boolean {
  return coding.is(diagnosis, 'icd10-malignancy-or-uncertain') || coding.is(diagnosis, 'icd10-in-situ-neoplasm');
}

export type TherapyKind = 'chemotherapy' | 'immunotherapy' | 'radiation';

/** The antineoplastic therapies delivered in this encounter, for choosing the Z51 code (DX-001/003). */
export function therapiesToday(
  snapshot: PatientSnapshot,
  terminology: Terminology,
): { kinds: Set<TherapyKind>; evidence: string[] } {
  const kinds = new Set<TherapyKind>();
  const evidence: string[] = [];
  for (const administration of antineoplasticsGivenToday(snapshot, terminology)) {
    const immuno = terminology.match('immunotherapy-drug', drugCodings(administration, snapshot)) !== undefined;
    kinds.add(immuno ? 'immunotherapy' : 'chemotherapy');
    evidence.push(`MedicationAdministration/${administration.id ?? ''}`);
  }
  const codes = encounterCodes(snapshot, terminology);
  const chemoCodes = codesIn(codes, terminology, 'chemotherapy-administration-code');
  if (chemoCodes.length > 0 && kinds.size === 0) {
    kinds.add('chemotherapy');
  }
  const radiation = codesIn(codes, terminology, 'radiation-delivery');
  if (radiation.length > 0) {
    kinds.add('radiation');
  }
  evidence.push(...chemoCodes.map((c) => c.reference), ...radiation.map((c) => c.reference));
  return { kinds, evidence: [...new Set(evidence)] };
}

export const Z51_FOR: Record<TherapyKind, string> = {
  chemotherapy: 'Z51.11',
  immunotherapy: 'Z51.12',
  radiation: 'Z51.0',
};

export function referencesOf(diagnoses: readonly EncounterDiagnosis[]): string[] {
  return [...new Set(diagnoses.map((d) => d.reference))];
}

/** ICD-10-CM codes that can stand for a neoplasm being treated: malignant, uncertain behaviour, or in situ. */
export function isNeoplasmCode(terminology: Terminology, code: string): boolean {
  const coding = { system: SYSTEM.icd10cm, code };
  return terminology.has('icd10-malignancy-or-uncertain', coding) || terminology.has('icd10-in-situ-neoplasm', coding);
}

/** The Conditions this encounter's Procedures and MedicationAdministrations name as their reason (indications). */
export function indicationsToday(
  snapshot: PatientSnapshot,
  terminology: Terminology,
): { reference: string; code?: string }[] {
  const here = snapshot.thisEncounter;
  return [
    ...here.procedures.flatMap((p) => p.reasonReference ?? []),
    ...here.medicationAdministrations.flatMap((m) => m.reasonReference ?? []),
  ].flatMap((reason) => {
    const target = snapshot.resolve(reason);
    if (target?.resourceType !== 'Condition') {
      return [];
    }
    const code = conditionIcd10(target, terminology);
    return [{ reference: `Condition/${target.id ?? ''}`, ...(code !== undefined ? { code } : {}) }];
  });
}
