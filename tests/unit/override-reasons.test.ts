import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  HL7_EQUIVALENT,
  HL7_NON_ADHERENCE_SYSTEM,
  OVERRIDE_REASON_HL7_EXTENSION,
  withOverrideReasonEquivalents,
} from '../../src/feedback/override-reasons.js';
import { projectPath } from '../../src/paths.js';

/** Codes and displays of http://terminology.hl7.org/CodeSystem/non-adherence-reason-codes (CDS Hooks 3.0.0-ballot). */
const VERIFIED_HL7 = new Map([
  ['cds-not-applicable', 'PC CDS does not apply to patient'],
  ['patient-ineligible', 'Patient does not meet eligibility for recommended action'],
  ['action-completed', 'Recommended action was already completed'],
  ['wrong-time-workflow', 'PC CDS delivered at wrong time in workflow or patient lifecycle'],
  ['recipient-disagrees-evidence', 'Recipient disagrees with recommendation because of issues with the evidence'],
]);

const ourCodes = new Set(
  readdirSync(projectPath('cards'))
    .filter((f) => f.endsWith('.json'))
    .flatMap((f) =>
      (
        JSON.parse(readFileSync(projectPath('cards', f), 'utf8')) as { overrideReasons: { code: string }[] }
      ).overrideReasons.map((r) => r.code),
    ),
);

describe('HL7 non-adherence equivalents of our override reasons', () => {
  it('maps only reasons our cards offer, each to a verified HL7 code with its display', () => {
    for (const [ours, coding] of Object.entries(HL7_EQUIVALENT)) {
      expect(ourCodes.has(ours), ours).toBe(true);
      expect(coding.system).toBe(HL7_NON_ADHERENCE_SYSTEM);
      expect(VERIFIED_HL7.get(coding.code), coding.code).toBe(coding.display);
    }
  });

  it('leaves unmapped only the reasons with no fitting code', () => {
    expect([...ourCodes].filter((c) => HL7_EQUIVALENT[c] === undefined)).toEqual(['patient-declined']);
  });

  it('adds the equivalents to a card extension, keeping what the card had', () => {
    const card = {
      uuid: 'u',
      summary: 's',
      indicator: 'info' as const,
      source: { label: 'l', topic: { system: 'urn:oncosign:rule', code: 'PAIN-003' } },
      overrideReasons: [
        { system: 'urn:oncosign:override-reason', code: 'patient-declined', display: 'd' },
        { system: 'urn:oncosign:override-reason', code: 'rule-not-applicable', display: 'd' },
      ],
      extension: { 'org.oncosign.evidence': ['Observation/o'] },
    };
    expect(withOverrideReasonEquivalents(card).extension).toEqual({
      'org.oncosign.evidence': ['Observation/o'],
      [OVERRIDE_REASON_HL7_EXTENSION]: { 'rule-not-applicable': HL7_EQUIVALENT['rule-not-applicable'] },
    });
    const none = { ...card, overrideReasons: [card.overrideReasons[0]!] };
    expect(withOverrideReasonEquivalents(none)).toBe(none);
  });
});
