import type { CdsCard, CdsCoding } from '../cds/types.js';

/*
 * Our override reasons (cards/*.json, system urn:oncosign:override-reason) mapped to the HL7 non-adherence reason
 * codes that CDS Hooks 3.0 adopts, where one fits, so an EHR that knows that list can map our reasons to it.
 *
 * Code system: http://terminology.hl7.org/CodeSystem/non-adherence-reason-codes, "Non-Adherence Reason Codes",
 * CDS Hooks 3.0.0-ballot (trial use, maturity 1), from the AHRQ CDSiC override taxonomy. Verified against
 * https://build.fhir.org/ig/HL7/cds-hooks/en/CodeSystem-non-adherence-reason-codes.html (codes and displays below
 * are copied from it). The code system may still change before 3.0 is final.
 *
 * The mapping itself is JUDGMENT. `patient-declined` is left unmapped: the code system has a separate
 * "Patient refuses/declines (no context given)" category whose code we could not verify.
 *
 * How it is offered: each card's `overrideReasons` stays ours (the CDS Hooks sandbox and EHRs show every Coding as a
 * menu entry, and two entries with one meaning would only lengthen the menu); the card carries the mapping in its
 * extension `org.oncosign.override-reason-hl7` ({ourCode: Coding}). Feedback coded in either system is accepted.
 */

export const HL7_NON_ADHERENCE_SYSTEM = 'http://terminology.hl7.org/CodeSystem/non-adherence-reason-codes';
export const OVERRIDE_REASON_HL7_EXTENSION = 'org.oncosign.override-reason-hl7';

const hl7 = (code: string, display: string): CdsCoding => ({ system: HL7_NON_ADHERENCE_SYSTEM, code, display });

const NOT_APPLICABLE = hl7('cds-not-applicable', 'PC CDS does not apply to patient');
const ALREADY_DONE = hl7('action-completed', 'Recommended action was already completed');
const WRONG_TIME = hl7('wrong-time-workflow', 'PC CDS delivered at wrong time in workflow or patient lifecycle');
const DISAGREES = hl7(
  'recipient-disagrees-evidence',
  'Recipient disagrees with recommendation because of issues with the evidence',
);
const INELIGIBLE = hl7('patient-ineligible', 'Patient does not meet eligibility for recommended action');

/** Our reason code → the HL7 code that fits it. Reasons not listed have no fitting code. */
export const HL7_EQUIVALENT: Readonly<Record<string, CdsCoding>> = {
  // "Not applicable to this patient/encounter" is the category itself.
  'rule-not-applicable': NOT_APPLICABLE,
  // The rule's premise does not hold here: the category, since no sub-code names these specific situations.
  'not-on-chemotherapy': NOT_APPLICABLE,
  'non-neoplastic-indication': NOT_APPLICABLE,
  'complication-first': NOT_APPLICABLE,
  'maintenance-therapy': NOT_APPLICABLE,
  'different-cancer': NOT_APPLICABLE,
  'disease-present': NOT_APPLICABLE,
  'unrelated-pain': NOT_APPLICABLE,
  'push-administration': NOT_APPLICABLE,
  'documented-as-push': NOT_APPLICABLE,
  'infusion-interrupted': NOT_APPLICABLE,
  'separate-sites': NOT_APPLICABLE,
  'different-primary-reason': NOT_APPLICABLE,
  'separately-indicated': NOT_APPLICABLE,
  'started-elsewhere': NOT_APPLICABLE,
  'complex-biologic': NOT_APPLICABLE,
  'separate-em-documented': NOT_APPLICABLE,
  'different-assessment': NOT_APPLICABLE,
  // What the card asks for exists already, elsewhere.
  'documented-elsewhere': ALREADY_DONE,
  'coded-elsewhere': ALREADY_DONE,
  'billed-elsewhere': ALREADY_DONE,
  'plan-in-another-system': ALREADY_DONE,
  'chart-corrected': ALREADY_DONE,
  // "Later, not now".
  'will-complete-before-billing': WRONG_TIME,
  // A reviewer or a policy says the record is right as it is ("conflicting advice/policy" in the HL7 definition).
  'coder-reviewed': DISAGREES,
  'local-coding-policy': DISAGREES,
  'payer-instruction': DISAGREES,
  'payer-not-requiring': DISAGREES,
  'registry-reporting': DISAGREES,
  // An observational scale instead of a self-reported score: the patient cannot meet the measure's criterion.
  'patient-unable-to-report': INELIGIBLE,
};

/** The extension value for a card offering `reasons`: only those with an HL7 equivalent. */
export function hl7EquivalentsOf(reasons: readonly CdsCoding[]): Record<string, CdsCoding> {
  const out: Record<string, CdsCoding> = {};
  for (const reason of reasons) {
    const equivalent = HL7_EQUIVALENT[reason.code];
    if (equivalent !== undefined) {
      out[reason.code] = equivalent;
    }
  }
  return out;
}

/** The card with the HL7 equivalents of its override reasons in its extension (unchanged when none fits). */
export function withOverrideReasonEquivalents(card: CdsCard): CdsCard {
  const equivalents = hl7EquivalentsOf(card.overrideReasons);
  if (Object.keys(equivalents).length === 0) {
    return card;
  }
  return { ...card, extension: { ...card.extension, [OVERRIDE_REASON_HL7_EXTENSION]: equivalents } };
}
