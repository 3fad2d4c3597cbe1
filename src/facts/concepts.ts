import type { CodeableConcept, Coding } from 'fhir/r4.js';

/*
 * Reading CodeableConcepts the way real EHRs fill them: several codings (a local code beside the standard one, as
 * Epic and Oracle Health send), or none and only `text`, or only a coding's `display`.
 */

export function codingsOf(concepts: readonly (CodeableConcept | undefined)[] | undefined): Coding[] {
  return (concepts ?? []).flatMap((c) => c?.coding ?? []);
}

/** The words a person would read for the concept: its text, else the first coding display. */
export function textOf(concept: CodeableConcept | undefined): string | undefined {
  const candidates = [concept?.text, ...(concept?.coding ?? []).map((c) => c.display)];
  return candidates.find((c): c is string => c !== undefined && c.trim() !== '')?.trim();
}

/** Every piece of text the concept carries (text and every display), for name-based fallbacks. */
export function allTextOf(concepts: readonly (CodeableConcept | undefined)[]): string[] {
  return concepts
    .flatMap((c) => [c?.text, ...(c?.coding ?? []).map((x) => x.display)])
    .filter((t): t is string => t !== undefined && t.trim() !== '');
}
