import type pg from 'pg';
import { FEEDBACK_COLUMNS, feedbackValues } from './feedback-rows.js';
import type {
  CardIssue,
  FeedbackCount,
  FeedbackJoin,
  FeedbackReportData,
  IssuanceCount,
  IssuanceStore,
  Remembered,
} from './issuance.js';
import { issuanceValues } from './issuance-sqlite.js';

/*
 * The issuance record on PostgreSQL, shared by every replica: a card one replica returned is known to the replica
 * that receives its feedback, and an override remembered by one suppresses the card at all of them. Override-memory
 * lookups run on the replay-check pool under a short deadline (a clinician's call waits for them); issuance writes,
 * joined feedback, sweeps and reports run on the feedback pool.
 */

/** Appended to the store's numbered migrations; additive only, as a rolling update runs old and new side by side. */
export const ISSUANCE_POSTGRES_MIGRATIONS: readonly string[] = [
  `CREATE TABLE card_issuance (
     id BIGSERIAL PRIMARY KEY,
     card_uuid TEXT NOT NULL,
     finding_key TEXT NOT NULL,
     rule_id TEXT NOT NULL,
     variant TEXT NOT NULL,
     service_id TEXT NOT NULL,
     hook_instance TEXT NOT NULL,
     issuer TEXT NOT NULL,
     tenant TEXT NOT NULL DEFAULT '',
     disposition TEXT NOT NULL CHECK (disposition IN ('shown', 'shadow', 'suppressed')),
     suppressed_by TEXT CHECK (suppressed_by IN ('override', 'accepted-suggestion')),
     issued_at TIMESTAMPTZ NOT NULL
   );
   CREATE INDEX card_issuance_card ON card_issuance (card_uuid);
   CREATE INDEX card_issuance_time ON card_issuance (issued_at);
   ALTER TABLE feedback
     ADD COLUMN card_known BOOLEAN,
     ADD COLUMN rule_id TEXT,
     ADD COLUMN variant TEXT,
     ADD COLUMN finding_key TEXT,
     ADD COLUMN hook_instance TEXT;
   CREATE INDEX feedback_finding ON feedback (finding_key);
   CREATE INDEX feedback_received ON feedback (received_at);
   CREATE TABLE finding_key_secret (
     id INTEGER PRIMARY KEY CHECK (id = 1),
     secret TEXT NOT NULL,
     created_at TIMESTAMPTZ NOT NULL DEFAULT now()
   );`,
];

/** The store's query runner: maps outages to StoreUnavailableError; `expired` gives up before a query starts. */
export type PostgresQuery = <R extends pg.QueryResultRow>(
  pool: pg.Pool,
  text: string,
  values: unknown[],
  expired?: () => boolean,
) => Promise<pg.QueryResult<R>>;

export interface PostgresIssuanceDeps {
  readonly query: PostgresQuery;
  readonly claimsPool: pg.Pool;
  readonly feedbackPool: pg.Pool;
  /** The store's deadline wrapper (rejects with StoreUnavailableError once `ms` have passed). */
  readonly withDeadline: <T>(work: (expired: () => boolean) => Promise<T>, ms: number) => Promise<T>;
}

const ISSUANCE_COLUMNS =
  'card_uuid, finding_key, rule_id, variant, service_id, hook_instance, issuer, tenant, disposition, suppressed_by, issued_at';
const ISSUANCE_WIDTH = 11;

/** Casts for the VALUES list of joined feedback, in FEEDBACK_COLUMNS order (VALUES rows carry no column types). */
const FEEDBACK_CASTS: Record<(typeof FEEDBACK_COLUMNS)[number], string> = {
  service_id: 'text',
  card_uuid: 'text',
  outcome: 'text',
  accepted_suggestions: 'jsonb',
  override_system: 'text',
  override_code: 'text',
  override_display: 'text',
  user_comment: 'text',
  outcome_timestamp: 'text',
  received_at: 'timestamptz',
  issuer: 'text',
  tenant: 'text',
};

function tuples(rows: number, width: number, cast: (col: number) => string = () => ''): string {
  return Array.from(
    { length: rows },
    (_, row) =>
      `(${Array.from({ length: width }, (_c, col) => `$${String(row * width + col + 1)}${cast(col)}`).join(', ')})`,
  ).join(', ');
}

function joinedFeedbackSql(count: number): string {
  const columns = FEEDBACK_COLUMNS.join(', ');
  const casts = ['int', ...FEEDBACK_COLUMNS.map((c) => FEEDBACK_CASTS[c])];
  // One statement, so the items commit together or not at all without holding a client across round trips. The
  // CTE `j` is referenced twice and therefore materialized once: what is inserted is what is returned.
  return `WITH v (ord, ${columns}) AS (VALUES ${tuples(count, casts.length, (col) => `::${casts[col] ?? 'text'}`)}),
  j AS (
    SELECT v.*, c.rule_id, c.variant, c.finding_key, c.hook_instance
    FROM v LEFT JOIN LATERAL (
      SELECT i.rule_id, i.variant, i.finding_key, i.hook_instance FROM card_issuance i
      WHERE i.card_uuid = v.card_uuid AND i.service_id = v.service_id AND i.issuer = v.issuer
        AND i.tenant = COALESCE(v.tenant, '') AND i.disposition = 'shown'
      ORDER BY i.issued_at DESC, i.id DESC LIMIT 1
    ) c ON true
  ),
  ins AS (
    INSERT INTO feedback (${columns}, card_known, rule_id, variant, finding_key, hook_instance)
    SELECT ${columns}, rule_id IS NOT NULL, rule_id, variant, finding_key, hook_instance FROM j ORDER BY ord
  )
  SELECT ord, rule_id FROM j ORDER BY ord`;
}

export function createPostgresIssuance({
  query,
  claimsPool,
  feedbackPool,
  withDeadline,
}: PostgresIssuanceDeps): IssuanceStore {
  return {
    async recordIssuance(cards) {
      if (cards.length === 0) {
        return;
      }
      await query(
        feedbackPool,
        `INSERT INTO card_issuance (${ISSUANCE_COLUMNS}) VALUES ${tuples(cards.length, ISSUANCE_WIDTH)}`,
        cards.flatMap((c: CardIssue) => issuanceValues(c)),
      );
    },
    async saveJoinedFeedback(records) {
      if (records.length === 0) {
        return [];
      }
      const { rows } = await query<{ ord: number; rule_id: string | null }>(
        feedbackPool,
        joinedFeedbackSql(records.length),
        records.flatMap((r, i) => [i, ...feedbackValues(r)]),
      );
      return rows.map((row): FeedbackJoin =>
        row.rule_id !== null ? { known: true, ruleId: row.rule_id } : { known: false },
      );
    },
    async rememberedFindings(findingKeys, acceptedSince, deadlineMs) {
      const remembered = new Map<string, Remembered>();
      if (findingKeys.length === 0) {
        return remembered;
      }
      const { rows } = await withDeadline(
        (expired) =>
          query<{ key: string; overridden: boolean }>(
            claimsPool,
            `SELECT finding_key AS key, bool_or(outcome = 'overridden') AS overridden FROM feedback
             WHERE card_known AND finding_key = ANY($1::text[])
               AND ((outcome = 'overridden' AND override_code IS NOT NULL)
                    OR (outcome = 'accepted' AND received_at >= $2::timestamptz))
             GROUP BY finding_key`,
            [findingKeys, acceptedSince],
            expired,
          ),
        deadlineMs,
      );
      for (const row of rows) {
        remembered.set(row.key, row.overridden ? 'override' : 'accepted-suggestion');
      }
      return remembered;
    },
    async sweepRetention(before) {
      const issuance = await query(feedbackPool, 'DELETE FROM card_issuance WHERE issued_at < $1::timestamptz', [
        before,
      ]);
      const feedback = await query(feedbackPool, 'DELETE FROM feedback WHERE received_at < $1::timestamptz', [before]);
      return { issuance: issuance.rowCount ?? 0, feedback: feedback.rowCount ?? 0 };
    },
    async feedbackReportData(): Promise<FeedbackReportData> {
      const utcDay = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD')`;
      const issuance = await query<IssuanceCount>(
        feedbackPool,
        `SELECT rule_id AS "ruleId", ${utcDay('issued_at')} AS day, disposition, suppressed_by AS "suppressedBy",
                COUNT(*)::int AS count
         FROM card_issuance GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4`,
        [],
      );
      const feedback = await query<FeedbackCount>(
        feedbackPool,
        `SELECT "ruleId", day, outcome, "reasonSystem", "reasonCode", COUNT(*)::int AS count FROM (
           SELECT MIN(rule_id) AS "ruleId", ${utcDay('MIN(received_at)')} AS day, outcome,
                  MIN(override_system) AS "reasonSystem", MIN(override_code) AS "reasonCode"
           FROM feedback WHERE card_known
           GROUP BY card_uuid, outcome, outcome_timestamp) d
         GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5`,
        [],
      );
      const unknown = await query<{ day: string; count: number }>(
        feedbackPool,
        `SELECT ${utcDay('received_at')} AS day, COUNT(*)::int AS count FROM feedback WHERE card_known = false
         GROUP BY 1 ORDER BY 1`,
        [],
      );
      const legacy = await query<{ n: number }>(
        feedbackPool,
        'SELECT COUNT(*)::int AS n FROM feedback WHERE card_known IS NULL',
        [],
      );
      return {
        issuance: issuance.rows,
        feedback: feedback.rows,
        unknownCards: unknown.rows,
        unjoinedLegacy: legacy.rows[0]?.n ?? 0,
      };
    },
    async persistedFindingKeySecret(candidate) {
      // Two statements: the SELECT must run on a snapshot taken after a replica that raced this one has committed.
      await query(
        feedbackPool,
        'INSERT INTO finding_key_secret (id, secret) VALUES (1, $1) ON CONFLICT (id) DO NOTHING',
        [candidate],
      );
      const { rows } = await query<{ secret: string }>(
        feedbackPool,
        'SELECT secret FROM finding_key_secret WHERE id = 1',
        [],
      );
      const secret = rows[0]?.secret;
      if (secret === undefined) {
        throw new Error('finding_key_secret has no row after insert');
      }
      return secret;
    },
  };
}
