import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { FEEDBACK_COLUMNS, feedbackFromRow, feedbackValues, type FeedbackRow } from './feedback-rows.js';
import { errorCode } from '../errors.js';
import { createSqliteIssuance, ISSUANCE_SQLITE_MIGRATIONS } from './issuance-sqlite.js';
import { StoreUnavailableError, type Store } from './store.js';

/*
 * The embedded default store, for one process. Feedback is written with WAL and synchronous=FULL: a transaction is
 * on disk when commit returns, so a feedback answered 2xx survives a crash or power loss. Token keys are written
 * on a second connection with synchronous=NORMAL: they are written on every service call, where an fsync each
 * would stall the event loop, and losing the last few on power loss only reopens a 15-minute replay window that a
 * restart used to reopen entirely. Migrations are numbered and applied once, in order.
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
  `CREATE TABLE token_keys (
     key TEXT PRIMARY KEY,
     expires_at INTEGER NOT NULL
   ) WITHOUT ROWID;
   CREATE INDEX token_keys_expiry ON token_keys (expires_at);`,
  ...ISSUANCE_SQLITE_MIGRATIONS,
];

function migrate(db: Database.Database): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)');
  db.transaction(() => {
    const applied = new Set(
      db
        .prepare('SELECT version FROM schema_migrations')
        .all()
        .map((r) => (r as { version: number }).version),
    );
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
  }).immediate();
}

/** Errors that say "not now" (locked past busy_timeout, disk full or failing, closed) rather than "never". */
function isUnavailable(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string') {
    return /^SQLITE_(BUSY|LOCKED|IOERR|FULL|CANTOPEN)/.test(code);
  }
  return error instanceof TypeError && /connection is not open/.test(error.message);
}

/**
 * A synchronous driver call as a promise, so its errors reject as PostgreSQL's do instead of throwing at the
 * caller, with the same split: StoreUnavailableError for "retry later", the driver's own error otherwise.
 */
function settle<T>(call: () => T): Promise<T> {
  try {
    return Promise.resolve(call());
  } catch (error) {
    if (isUnavailable(error)) {
      const code = errorCode(error);
      return Promise.reject(new StoreUnavailableError(`SQLite store unavailable (${code ?? 'closed'})`, code));
    }
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }
}

function open(path: string, synchronous: 'FULL' | 'NORMAL'): Database.Database {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${synchronous}`);
  db.pragma('busy_timeout = 5000');
  return db;
}

export function openSqliteStore(path: string): Store {
  const inMemory = path === ':memory:';
  if (!inMemory) {
    mkdirSync(dirname(path), { recursive: true });
  }
  const db = open(path, 'FULL');
  migrate(db);
  // An in-memory database is private to its connection, and has nothing to make durable anyway.
  const tokenDb = inMemory ? db : open(path, 'NORMAL');

  const insert = db.prepare(
    `INSERT INTO feedback (${FEEDBACK_COLUMNS.join(', ')}) VALUES (${FEEDBACK_COLUMNS.map(() => '?').join(', ')})`,
  );
  const insertAll = db.transaction((records: Parameters<Store['saveFeedback']>[0]) => {
    for (const record of records) {
      insert.run(feedbackValues(record));
    }
  });
  const countStatement = db.prepare('SELECT COUNT(*) AS n FROM feedback');
  const listStatement = db.prepare(`SELECT ${FEEDBACK_COLUMNS.join(', ')} FROM feedback ORDER BY id LIMIT ?`);
  const claim = tokenDb.prepare(
    `INSERT INTO token_keys (key, expires_at) VALUES (?, ?)
     ON CONFLICT (key) DO UPDATE SET expires_at = excluded.expires_at WHERE token_keys.expires_at <= ?`,
  );
  const sweep = tokenDb.prepare('DELETE FROM token_keys WHERE expires_at <= ?');

  return {
    ...createSqliteIssuance({ db, tokenDb, path, settle }),
    backend: 'sqlite',
    saveFeedback: (records) =>
      settle(() => {
        insertAll(records);
      }),
    countFeedback: () => settle(() => (countStatement.get() as { n: number }).n),
    listFeedback: (limit) => settle(() => (listStatement.all(limit) as FeedbackRow[]).map(feedbackFromRow)),
    claimTokenKey: (key, expiresAtMs, nowMs) =>
      settle(() => claim.run(key, Math.ceil(expiresAtMs), nowMs).changes === 1),
    deleteExpiredTokenKeys: (nowMs) =>
      settle(() => {
        sweep.run(nowMs);
      }),
    health: () => Promise.resolve(db.open ? 'open' : 'closed'),
    isReachable: () => db.open,
    close() {
      for (const connection of new Set([tokenDb, db])) {
        if (connection.open) {
          connection.close();
        }
      }
      return Promise.resolve();
    },
  };
}
