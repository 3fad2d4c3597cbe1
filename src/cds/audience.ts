/*
 * Who each rule's card is for, from the rule catalogue's audience tags (../shared/reference/oncology-rules.md, the
 * heading of each rule: CLIN = the signing clinician, CODER = documentation and coding staff; "CLIN + CODER" and
 * "CODER + CLIN" are rules for both, the first tag primary). The Rule type has no audience field and src/rules/ is
 * not ours to change, so the catalogue's tags are kept here as data. A rule for both counts in both groups when the
 * audit reports the alert burden per audience.
 */

export type Audience = 'clinician' | 'coder';

const CLIN: readonly Audience[] = ['clinician'];
const CODER: readonly Audience[] = ['coder'];
const CLIN_CODER: readonly Audience[] = ['clinician', 'coder'];
const CODER_CLIN: readonly Audience[] = ['coder', 'clinician'];

export const RULE_AUDIENCE: Readonly<Record<string, readonly Audience[]>> = {
  'PAIN-001': CLIN,
  'PAIN-002': CLIN,
  'PAIN-003': CLIN,
  'PAIN-004': CODER,
  'PAIN-005': CODER,
  'PAIN-006': CODER,
  'PAIN-007': CODER,
  'INF-001': CLIN_CODER,
  'INF-002': CLIN_CODER,
  'INF-003': CODER,
  'INF-004': CODER,
  'INF-005': CODER,
  'INF-006': CODER,
  'INF-007': CODER,
  'INF-008': CODER,
  'INF-009': CODER,
  'INF-010': CODER,
  'INF-011': CODER_CLIN,
  'INF-012': CODER,
  'INF-013': CODER,
  'INF-014': CODER,
  'INF-015': CLIN,
  'INF-016': CODER,
  'INF-017': CODER_CLIN,
  'INF-018': CODER,
  'INF-019': CODER,
  'INF-020': CLIN,
  'DX-001': CODER,
  'DX-002': CODER,
  'DX-003': CODER,
  'DX-004': CODER_CLIN,
  'DX-005': CODER,
  'DX-006': CODER,
  'DX-007': CODER,
  'DX-008': CODER,
  'DX-009': CODER,
  'DX-010': CODER,
  'DX-011': CODER,
  'DX-012': CODER,
  'DX-013': CLIN,
};

/** The rule's audiences; a rule missing from the table (a new one) is reported as unknown rather than guessed. */
export function audienceOf(ruleId: string): readonly Audience[] {
  return RULE_AUDIENCE[ruleId] ?? [];
}
