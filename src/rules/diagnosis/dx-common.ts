import type { EncounterFacts } from '../../facts/encounter-facts.js';
import type { EncounterCoding, EncounterDiagnosis } from '../../facts/diagnoses.js';
import type { Terminology } from '../../terminology/terminology.js';
import { SYSTEM } from '../../terminology/systems.js';

/*
 * What the DX rules ask of an encounter's facts. Official source for all of them: ICD-10-CM Official Guidelines for
 * Coding and Reporting, I.C.2 (neoplasms) and I.C.6.b (pain), read in the secondary sources [S19a-g] (catalogue
 * section 4).
 */

/** A diagnosis that can stand for "the neoplasm being treated": malignant, uncertain behaviour, or in situ. */
export function isTreatedNeoplasm(coding: EncounterCoding, diagnosis: EncounterDiagnosis): boolean {
  return coding.is(diagnosis, 'icd10-malignancy-or-uncertain') || coding.is(diagnosis, 'icd10-in-situ-neoplasm');
}

export type TherapyKind = 'chemotherapy' | 'immunotherapy' | 'radiation';

/** The antineoplastic therapies delivered in this encounter, for choosing the Z51 code (DX-001/003). */
export function therapiesToday(facts: EncounterFacts): { kinds: Set<TherapyKind>; evidence: string[] } {
  const kinds = new Set<TherapyKind>();
  const evidence: string[] = [];
  for (const administration of facts.antineoplasticsGiven) {
    kinds.add(administration.drug.immunotherapy ? 'immunotherapy' : 'chemotherapy');
    evidence.push(administration.reference);
  }
  const chemoCodes = facts.codes.in('chemotherapy-administration-code');
  if (chemoCodes.length > 0 && kinds.size === 0) {
    kinds.add('chemotherapy');
  }
  const radiation = facts.codes.in('radiation-delivery');
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
