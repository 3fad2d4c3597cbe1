import { readFileSync, writeFileSync } from 'node:fs';
import type Database from 'better-sqlite3';
import { feedbackValues, FEEDBACK_COLUMNS } from './feedback-rows.js';
import type {
  CardIssue,
  FeedbackCount,
  FeedbackJoin,
  FeedbackReportData,
  IssuanceCount,
  IssuanceStore,
  Remembered,
} from './issuance.js';
import type { FeedbackRecord } from './store.js';

/*
 * The issuance record on the embedded SQLite store. Cards are recorded on the token connection (synchronous=NORMAL):
 * they are written on every call, and losing the last few on power loss only loses some analytics and lets a card
 * that was overridden seconds before come back once. Feedback is joined and written on the feedback connection
 * (synchronous=FULL), like all feedback: durable before the 200.
 */

/** Appended to the store's numbered migrations (additive: older code keeps working against the new schema). */
export const ISSUANCE_SQLITE_MIGRATIONS: readonly string[] = [
  `CREATE TABLE card_issuance (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
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
     issued_at TEXT NOT NULL
   );
   CREATE INDEX card_issuance_card ON card_issuance (card_uuid);
   CREATE INDEX card_issuance_time ON card_issuance (issued_at);
   ALTER TABLE feedback ADD COLUMN card_known INTEGER;
   ALTER TABLE feedback ADD COLUMN rule_id TEXT;
   ALTER TABLE feedback ADD COLUMN variant TEXT;
   ALTER TABLE feedback ADD COLUMN finding_key TEXT;
   ALTER TABLE feedback ADD COLUMN hook_instance TEXT;
   CREATE INDEX feedback_finding ON feedback (finding_key);
   CREATE INDEX feedback_received ON feedback (received_at);`,
];

const ISSUANCE_COLUMNS = [
  'card_uuid',
  'finding_key',
  'rule_id',
  'variant',
  'service_id',
  'hook_instance',
  'issuer',
  'tenant',
  'disposition',
  'suppressed_by',
  'issued_at',
] as const;

export function issuanceValues(c: CardIssue): (string | null)[] {
  return [
    c.cardUuid,
    c.findingKey,
    c.ruleId,
    c.variant,
    c.serviceId,
    c.hookInstance,
    c.issuer,
    c.tenant ?? '',
    c.disposition,
    c.suppressedBy ?? null,
    c.issuedAt,
  ];
}

/** Key counts up to this many get a cached override-memory statement each (see rememberedStatement). */
const REMEMBERED_STATEMENTS_CACHED = 64;

interface JoinRow {
  rule_id: string;
  variant: string;
  finding_key: string;
  hook_instance: string;
}

export interface SqliteIssuanceDeps {
  /** The feedback connection (synchronous=FULL). */
  readonly db: Database.Database;
  /** The token connection (synchronous=NORMAL); the same as `db` in memory. */
  readonly tokenDb: Database.Database;
  /** The database file, or ':memory:'. A generated finding-key secret is kept beside it. */
  readonly path: string;
  /** The store's conversion of driver errors (StoreUnavailableError for "not now"). */
  readonly settle: <T>(call: () => T) => Promise<T>;
}

export function createSqliteIssuance({ db, tokenDb, path, settle }: SqliteIssuanceDeps): IssuanceStore {
  const insertIssue = tokenDb.prepare(
    `INSERT INTO card_issuance (${ISSUANCE_COLUMNS.join(', ')}) VALUES (${ISSUANCE_COLUMNS.map(() => '?').join(', ')})`,
  );
  const insertIssues = tokenDb.transaction((cards: readonly CardIssue[]) => {
    for (const card of cards) {
      insertIssue.run(issuanceValues(card));
    }
  });
  // The latest shown card of that uuid for the same service, issuer and tenant: a card uuid names one finding of one
  // EHR, and feedback from another issuer must not touch it.
  const findCard = db.prepare(
    `SELECT rule_id, variant, finding_key, hook_instance FROM card_issuance
     WHERE card_uuid = ? AND service_id = ? AND issuer = ? AND tenant = ? AND disposition = 'shown'
     ORDER BY issued_at DESC, id DESC LIMIT 1`,
  );
  const joinedColumns = [...FEEDBACK_COLUMNS, 'card_known', 'rule_id', 'variant', 'finding_key', 'hook_instance'];
  const insertFeedback = db.prepare(
    `INSERT INTO feedback (${joinedColumns.join(', ')}) VALUES (${joinedColumns.map(() => '?').join(', ')})`,
  );
  const saveAll = db.transaction((records: readonly FeedbackRecord[]): FeedbackJoin[] =>
    records.map((record) => {
      const card = findCard.get(record.cardUuid, record.serviceId, record.issuer, record.tenant ?? '') as
        JoinRow | undefined;
      insertFeedback.run([
        ...feedbackValues(record),
        card ? 1 : 0,
        card?.rule_id ?? null,
        card?.variant ?? null,
        card?.finding_key ?? null,
        card?.hook_instance ?? null,
      ]);
      return card ? { known: true, ruleId: card.rule_id } : { known: false };
    }),
  );
  const sweepIssuance = tokenDb.prepare('DELETE FROM card_issuance WHERE issued_at < ?');
  const sweepFeedback = db.prepare('DELETE FROM feedback WHERE received_at < ?');
  const issuanceCounts = db.prepare(
    `SELECT rule_id AS ruleId, substr(issued_at, 1, 10) AS day, disposition, suppressed_by AS suppressedBy,
            COUNT(*) AS count
     FROM card_issuance GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4`,
  );
  const feedbackCounts = db.prepare(
    `SELECT ruleId, day, outcome, reasonSystem, reasonCode, COUNT(*) AS count FROM (
       SELECT MIN(rule_id) AS ruleId, substr(MIN(received_at), 1, 10) AS day, outcome,
              MIN(override_system) AS reasonSystem, MIN(override_code) AS reasonCode
       FROM feedback WHERE card_known = 1
       GROUP BY card_uuid, outcome, outcome_timestamp)
     GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5`,
  );
  const unknownCounts = db.prepare(
    `SELECT substr(received_at, 1, 10) AS day, COUNT(*) AS count FROM feedback WHERE card_known = 0
     GROUP BY 1 ORDER BY 1`,
  );
  const legacyCount = db.prepare('SELECT COUNT(*) AS n FROM feedback WHERE card_known IS NULL').pluck();

  // One statement per number of keys, prepared on first use: preparing is most of a lookup's cost. A call has a
  // handful of findings, so few counts ever occur; past REMEMBERED_STATEMENTS_CACHED keys it is prepared each time.
  const rememberedStatements = new Map<number, Database.Statement>();
  const rememberedStatement = (count: number): Database.Statement => {
    const cached = rememberedStatements.get(count);
    if (cached !== undefined) {
      return cached;
    }
    const statement = db.prepare(
      `SELECT finding_key AS key, MAX(outcome = 'overridden') AS overridden FROM feedback
       WHERE card_known = 1 AND finding_key IN (${Array.from({ length: count }, () => '?').join(', ')})
         AND ((outcome = 'overridden' AND override_code IS NOT NULL)
              OR (outcome = 'accepted' AND received_at >= ?))
       GROUP BY finding_key`,
    );
    if (count <= REMEMBERED_STATEMENTS_CACHED) {
      rememberedStatements.set(count, statement);
    }
    return statement;
  };

  let memorySecret: string | undefined;
  const secretFile = `${path}.finding-key`;

  return {
    recordIssuance: (cards) =>
      settle(() => {
        insertIssues(cards);
      }),
    saveJoinedFeedback: (records) => settle(() => saveAll(records)),
    // better-sqlite3 is synchronous and the file is local: a lookup cannot hang, so the deadline has nothing to bound.
    rememberedFindings: (findingKeys, acceptedSince) =>
      settle(() => {
        const remembered = new Map<string, Remembered>();
        if (findingKeys.length === 0) {
          return remembered;
        }
        const rows = rememberedStatement(findingKeys.length).all(...findingKeys, acceptedSince) as {
          key: string;
          overridden: number;
        }[];
        for (const row of rows) {
          remembered.set(row.key, row.overridden === 1 ? 'override' : 'accepted-suggestion');
        }
        return remembered;
      }),
    sweepRetention: (before) =>
      settle(() => ({ issuance: sweepIssuance.run(before).changes, feedback: sweepFeedback.run(before).changes })),
    feedbackReportData: () =>
      settle((): FeedbackReportData => ({
        issuance: issuanceCounts.all() as IssuanceCount[],
        feedback: feedbackCounts.all() as FeedbackCount[],
        unknownCards: unknownCounts.all() as { day: string; count: number }[],
        unjoinedLegacy: legacyCount.get() as number,
      })),
    persistedFindingKeySecret: (candidate) =>
      settle(() => {
        if (path === ':memory:') {
          memorySecret ??= candidate;
          return memorySecret;
        }
        // Beside the database, not in it: a copy of the database file alone cannot link keys to patients.
        try {
          writeFileSync(secretFile, `${candidate}\n`, { flag: 'wx', mode: 0o600 });
          return candidate;
        } catch (error) {
          if ((error as { code?: unknown }).code !== 'EEXIST') {
            throw error;
          }
          return readFileSync(secretFile, 'utf8').trim();
        }
      }),
  };
}
