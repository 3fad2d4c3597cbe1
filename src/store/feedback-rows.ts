import type { FeedbackRecord } from './store.js';

/*
 * The feedback table's columns, shared by both back ends so a record round-trips the same way through either.
 * accepted_suggestions is JSON text on the wire to and from both (jsonb in PostgreSQL, TEXT in SQLite).
 */

export const FEEDBACK_COLUMNS = [
  'service_id',
  'card_uuid',
  'outcome',
  'accepted_suggestions',
  'override_system',
  'override_code',
  'override_display',
  'user_comment',
  'outcome_timestamp',
  'received_at',
  'issuer',
  'tenant',
] as const;

export interface FeedbackRow {
  service_id: string;
  card_uuid: string;
  outcome: 'accepted' | 'overridden';
  accepted_suggestions: string;
  override_system: string | null;
  override_code: string | null;
  override_display: string | null;
  user_comment: string | null;
  outcome_timestamp: string;
  received_at: string;
  issuer: string;
  tenant: string | null;
}

/** Column values in FEEDBACK_COLUMNS order. */
export function feedbackValues(r: FeedbackRecord): (string | null)[] {
  return [
    r.serviceId,
    r.cardUuid,
    r.outcome,
    JSON.stringify(r.acceptedSuggestions),
    r.overrideReason?.system ?? null,
    r.overrideReason?.code ?? null,
    r.overrideReason?.display ?? null,
    r.userComment ?? null,
    r.outcomeTimestamp,
    r.receivedAt,
    r.issuer,
    r.tenant ?? null,
  ];
}

export function feedbackFromRow(row: FeedbackRow): FeedbackRecord {
  const reason = {
    ...(row.override_system !== null ? { system: row.override_system } : {}),
    ...(row.override_code !== null ? { code: row.override_code } : {}),
    ...(row.override_display !== null ? { display: row.override_display } : {}),
  };
  return {
    serviceId: row.service_id,
    cardUuid: row.card_uuid,
    outcome: row.outcome,
    acceptedSuggestions: JSON.parse(row.accepted_suggestions) as string[],
    ...(Object.keys(reason).length > 0 ? { overrideReason: reason } : {}),
    ...(row.user_comment !== null ? { userComment: row.user_comment } : {}),
    outcomeTimestamp: row.outcome_timestamp,
    receivedAt: row.received_at,
    issuer: row.issuer,
    ...(row.tenant !== null ? { tenant: row.tenant } : {}),
  };
}
