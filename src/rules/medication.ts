import type { Coding, MedicationAdministration } from 'fhir/r4.js';
import type { PatientSnapshot } from '../fhir/snapshot.js';
import type { Terminology } from '../terminology/terminology.js';

/** Every coding that identifies the drug of an administration: inline, or on the referenced Medication. */
export function drugCodings(administration: MedicationAdministration, snapshot: PatientSnapshot): readonly Coding[] {
  const inline = administration.medicationCodeableConcept?.coding ?? [];
  const referenced = snapshot.medicationOf(administration)?.code?.coding ?? [];
  return referenced.length === 0 ? inline : [...inline, ...referenced];
}

/** A short, human drug name for card text: the display of the matched coding, else the concept's text. */
export function drugName(administration: MedicationAdministration, snapshot: PatientSnapshot): string {
  const medication = snapshot.medicationOf(administration);
  const candidates = [
    administration.medicationCodeableConcept?.text,
    ...(administration.medicationCodeableConcept?.coding ?? []).map((c) => c.display),
    medication?.code?.text,
    ...(medication?.code?.coding ?? []).map((c) => c.display),
    administration.medicationReference?.display,
  ];
  return candidates.find((c): c is string => c !== undefined && c.trim() !== '')?.trim() ?? 'the drug';
}

export function isAntineoplastic(
  administration: MedicationAdministration,
  snapshot: PatientSnapshot,
  terminology: Terminology,
): boolean {
  return terminology.match('antineoplastic-drug', drugCodings(administration, snapshot)) !== undefined;
}

export function isDocumentedPush(administration: MedicationAdministration, terminology: Terminology): boolean {
  return terminology.match('administration-method-push', administration.dosage?.method?.coding) !== undefined;
}

/** "carboplatin", "carboplatin and paclitaxel", "carboplatin and 2 other drugs". */
export function listDrugs(names: readonly string[]): string {
  const unique = [...new Set(names)];
  if (unique.length <= 2) {
    return unique.join(' and ');
  }
  return `${unique[0] ?? ''} and ${unique.length - 1} other drugs`;
}
