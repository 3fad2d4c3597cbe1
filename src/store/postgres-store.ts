import pg from 'pg';
import { FEEDBACK_COLUMNS, feedbackFromRow, feedbackValues, type FeedbackRow } from './feedback-rows.js';
import { StoreUnavailableError, type Store } from './store.js';

/*
 * The shared store for replicas (DATABASE_URL). Feedback commits are durable when COMMIT returns (PostgreSQL's
 * default synchronous_commit=on). Token keys are claimed with one INSERT ... ON CONFLICT, which PostgreSQL makes
 * atomic: of two replicas claiming the same key at once, exactly one gets the row.
 *
 * Migrations run at start-up under a transaction-scoped advisory lock, so replicas that start together apply each
 * one exactly once; a migration must be additive (expand, then contract in a later release), because during a
 * rolling update the previous version keeps running against the new schema.
 */

const migrations: readonly string[] = [
  `CREATE TABLE feedback (
     id BIGSERIAL PRIMARY KEY,
     service_id TEXT NOT NULL,
     card_uuid TEXT NOT NULL,
     outcome TEXT NOT NULL CHECK (outcome IN ('accepted', 'overridden')),
     accepted_suggestions JSONB NOT NULL,
     override_system TEXT,
     override_code TEXT,
     override_display TEXT,
     user_comment TEXT,
     outcome_timestamp TEXT NOT NULL,
     received_at TIMESTAMPTZ NOT NULL,
     issuer TEXT NOT NULL,
     tenant TEXT
   );
   CREATE INDEX feedback_card ON feedback (card_uuid);`,
  `CREATE TABLE token_keys (
     key TEXT PRIMARY KEY,
     expires_at TIMESTAMPTZ NOT NULL
   );
   CREATE INDEX token_keys_expiry ON token_keys (expires_at);`,
];

/** Any constant; it names "oncosign migrations" among the database's advisory locks. */
const MIGRATION_LOCK = 0x6f6e636f;
const SWEEP_INTERVAL_MS = 30_000;

export interface PostgresStoreOptions {
  readonly poolSize: number;
  /** A token-key claim or a ping waits this long; past it the call goes on without the shared replay set. */
  readonly claimTimeoutMs: number;
  /** Feedback writes and reads wait this long before the caller gets 503. */
  readonly queryTimeoutMs: number;
  /** How long start-up keeps retrying a database that does not accept connections yet. */
  readonly startupTimeoutMs: number;
}

const selectFeedback = FEEDBACK_COLUMNS.map((c) => {
  if (c === 'accepted_suggestions') {
    return 'accepted_suggestions::text AS accepted_suggestions';
  }
  if (c === 'received_at') {
    return `to_char(received_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS received_at`;
  }
  return c;
}).join(', ');

function unavailable(error: unknown): StoreUnavailableError {
  // The driver's message can quote the connection string's host and user, never data; keep only its class.
  const code = (error as { code?: unknown } | undefined)?.code;
  return new StoreUnavailableError(`PostgreSQL store unavailable (${typeof code === 'string' ? code : 'no answer'})`);
}

async function migrate(pool: pg.Pool): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await client.query(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())',
    );
    const { rows } = await client.query<{ version: number }>('SELECT version FROM schema_migrations');
    const applied = new Set(rows.map((r) => r.version));
    for (const [index, sql] of migrations.entries()) {
      const version = index + 1;
      if (!applied.has(version)) {
        await client.query(sql);
        await client.query('INSERT INTO schema_migrations (version) VALUES ($1)', [version]);
      }
    }
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/**
 * Replicas often start before the database accepts connections (a restarted cluster, a fresh environment):
 * connection failures are retried with backoff up to `timeoutMs`; a failing migration is not retried.
 */
async function migrateWhenReachable(pool: pg.Pool, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let delay = 200; ; delay = Math.min(delay * 2, 2_000)) {
    try {
      await migrate(pool);
      return;
    } catch (error) {
      const code = (error as { code?: unknown } | undefined)?.code;
      // SQLSTATE codes are five characters; anything else (ECONNREFUSED, a timeout) is the network.
      const fromServer =
        typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) && !code.startsWith('08') && !code.startsWith('57P');
      if (fromServer || Date.now() + delay > deadline) {
        throw error;
      }
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

export async function openPostgresStore(connectionString: string, options: PostgresStoreOptions): Promise<Store> {
  const pool = new pg.Pool({
    connectionString,
    max: options.poolSize,
    connectionTimeoutMillis: options.claimTimeoutMs,
    statement_timeout: options.queryTimeoutMs,
    application_name: 'oncosign',
  });
  // An idle client whose server went away emits here; without a listener that would crash the process.
  pool.on('error', () => undefined);
  try {
    await migrateWhenReachable(pool, options.startupTimeoutMs);
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw error;
  }

  let closed = false;
  let nextSweep = 0;
  const query = async <R extends pg.QueryResultRow>(
    text: string,
    values: unknown[],
    timeoutMs: number,
  ): Promise<pg.QueryResult<R>> => {
    if (closed) {
      throw new StoreUnavailableError('PostgreSQL store closed');
    }
    try {
      return await pool.query<R>({ text, values, query_timeout: timeoutMs } as pg.QueryConfig);
    } catch (error) {
      throw unavailable(error);
    }
  };

  const insertText = (count: number): string => {
    const width = FEEDBACK_COLUMNS.length;
    const tuples = Array.from(
      { length: count },
      (_, row) => `(${FEEDBACK_COLUMNS.map((_c, col) => `$${String(row * width + col + 1)}`).join(', ')})`,
    );
    return `INSERT INTO feedback (${FEEDBACK_COLUMNS.join(', ')}) VALUES ${tuples.join(', ')}`;
  };

  return {
    backend: 'postgresql',
    async saveFeedback(records) {
      if (records.length === 0) {
        return;
      }
      // One statement: all rows commit together or none do, without holding a client across round trips.
      await query(insertText(records.length), records.flatMap(feedbackValues), options.queryTimeoutMs);
    },
    async countFeedback() {
      const { rows } = await query<{ n: string }>('SELECT COUNT(*) AS n FROM feedback', [], options.queryTimeoutMs);
      return Number(rows[0]?.n ?? 0);
    },
    async listFeedback(limit) {
      const { rows } = await query<FeedbackRow>(
        `SELECT ${selectFeedback} FROM feedback ORDER BY id LIMIT $1`,
        [limit],
        options.queryTimeoutMs,
      );
      return rows.map(feedbackFromRow);
    },
    async claimTokenKey(key, expiresAtMs, nowMs) {
      if (nowMs >= nextSweep) {
        nextSweep = nowMs + SWEEP_INTERVAL_MS;
        // Not awaited: housekeeping must not add a round trip to a clinician's call.
        void query(
          'DELETE FROM token_keys WHERE expires_at <= to_timestamp($1 / 1000.0)',
          [nowMs],
          options.queryTimeoutMs,
        ).catch(() => undefined);
      }
      const { rowCount } = await query(
        `INSERT INTO token_keys (key, expires_at) VALUES ($1, to_timestamp($2 / 1000.0))
         ON CONFLICT (key) DO UPDATE SET expires_at = EXCLUDED.expires_at
         WHERE token_keys.expires_at <= to_timestamp($3 / 1000.0)`,
        [key, Math.ceil(expiresAtMs), nowMs],
        options.claimTimeoutMs,
      );
      return rowCount === 1;
    },
    async health() {
      if (closed) {
        return 'closed';
      }
      try {
        await query('SELECT 1', [], options.claimTimeoutMs);
        return 'open';
      } catch {
        return 'unreachable';
      }
    },
    async close() {
      if (!closed) {
        closed = true;
        await pool.end();
      }
    },
  };
}
