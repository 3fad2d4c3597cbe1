import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { FeedbackRecord, FeedbackStore } from './feedback-store.js';

/*
 * The embedded default store. WAL with synchronous=FULL: a transaction is on disk when commit returns, so a
 * feedback answered 2xx survives a crash or power loss. Migrations are numbered and applied once, in order.
 */

const migrations: readonly string[] = [
  `CREATE TABLE feedback (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     service_id TEXT NOT NULL,
     card_uuid TEXT NOT NULL,
     outcome TEXT NOT NULL CHECK (outcome IN ('accepted', 'overridden')),
     accepted_suggestions TEXT NOT NULL,
     override_system TEXT,
     override_code TEXT,
     override_display TEXT,
     user_comment TEXT,
     outcome_timestamp TEXT NOT NULL,
     received_at TEXT NOT NULL,
     issuer TEXT NOT NULL,
     tenant TEXT
   );
   CREATE INDEX feedback_card ON feedback (card_uuid);`,
];

interface Row {
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

function fromRow(row: Row): FeedbackRecord {
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

export function openSqliteFeedbackStore(path: string): FeedbackStore {
  if (path !== ':memory:') {
    mkdirSync(dirname(path), { recursive: true });
  }
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('busy_timeout = 5000');
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)');
  const applied = new Set(
    db
      .prepare('SELECT version FROM schema_migrations')
      .all()
      .map((r) => (r as { version: number }).version),
  );
  db.transaction(() => {
    migrations.forEach((sql, index) => {
      const version = index + 1;
      if (!applied.has(version)) {
        db.exec(sql);
        db.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)').run(
          version,
          new Date().toISOString(),
        );
      }
    });
  })();

  const insert = db.prepare(
    `INSERT INTO feedback (service_id, card_uuid, outcome, accepted_suggestions, override_system, override_code,
       override_display, user_comment, outcome_timestamp, received_at, issuer, tenant)
     VALUES (@serviceId, @cardUuid, @outcome, @acceptedSuggestions, @overrideSystem, @overrideCode,
       @overrideDisplay, @userComment, @outcomeTimestamp, @receivedAt, @issuer, @tenant)`,
  );
  const insertAll = db.transaction((records: readonly FeedbackRecord[]) => {
    for (const r of records) {
      insert.run({
        serviceId: r.serviceId,
        cardUuid: r.cardUuid,
        outcome: r.outcome,
        acceptedSuggestions: JSON.stringify(r.acceptedSuggestions),
        overrideSystem: r.overrideReason?.system ?? null,
        overrideCode: r.overrideReason?.code ?? null,
        overrideDisplay: r.overrideReason?.display ?? null,
        userComment: r.userComment ?? null,
        outcomeTimestamp: r.outcomeTimestamp,
        receivedAt: r.receivedAt,
        issuer: r.issuer,
        tenant: r.tenant ?? null,
      });
    }
  });
  const countStatement = db.prepare('SELECT COUNT(*) AS n FROM feedback');
  const listStatement = db.prepare('SELECT * FROM feedback ORDER BY id LIMIT ?');

  return {
    save(records) {
      insertAll(records);
      return Promise.resolve();
    },
    count() {
      return Promise.resolve((countStatement.get() as { n: number }).n);
    },
    list(limit) {
      return Promise.resolve((listStatement.all(limit) as Row[]).map(fromRow));
    },
    isOpen() {
      return db.open;
    },
    close() {
      if (db.open) {
        db.close();
      }
      return Promise.resolve();
    },
  };
}
