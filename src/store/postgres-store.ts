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
/** Opening a connection (TLS and SCRAM to a remote server included) may take this long. */
const CONNECT_TIMEOUT_MS = 3_000;
/** Idle connections are kept this long, so a quiet clinic does not pay a new connection per call. */
const IDLE_TIMEOUT_MS = 60_000;

export interface PostgresStoreOptions {
  /** Connections per replica, split evenly between replay checks and feedback. */
  readonly poolSize: number;
  /** A token-key claim or a ping gets this long in all; past it the call goes on without the shared replay set. */
  readonly claimTimeoutMs: number;
  /** Feedback writes and reads get this long before the caller gets 503. */
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

const NETWORK_ERROR_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
]);

/**
 * Whether an error says the database could not be reached or answered in time (retry later), rather than that
 * it refused the statement (a privilege, a missing table, bad data: retrying cannot help, and must not be taken
 * for an outage). SQLSTATE classes 08 (connection) and 57P (shutdown, starting up), 53300 (too many connections),
 * network errors, and node-postgres's own timeouts and dropped connections.
 */
export function isConnectionError(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string') {
    return code.startsWith('08') || code.startsWith('57P') || code === '53300' || NETWORK_ERROR_CODES.has(code);
  }
  const message = error instanceof Error ? error.message : '';
  return /timeout|Connection terminated|Client has encountered a connection error/i.test(message);
}

function unavailable(error: unknown): StoreUnavailableError {
  // The driver's message can quote the connection string's host and user, never data; keep only its class.
  const code = (error as { code?: unknown } | undefined)?.code;
  return new StoreUnavailableError(`PostgreSQL store unavailable (${typeof code === 'string' ? code : 'no answer'})`);
}

/** Settles within `ms`: the work goes on in the background, its late outcome ignored. */
async function withDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      reject(new StoreUnavailableError('PostgreSQL store unavailable (deadline)'));
    }, ms);
  });
  work.catch(() => undefined);
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

async function migrate(pool: pg.Pool): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    // Waiting for another replica's migrations, or building an index on a large table, may take longer than the
    // statement timeout that guards clinicians' calls.
    await client.query('SET LOCAL statement_timeout = 0');
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    // Checked before creating, so a role with only the data privileges (the tables migrated by another role)
    // can start once the schema is up to date.
    const { rows: found } = await client.query<{ present: boolean }>(
      "SELECT to_regclass('schema_migrations') IS NOT NULL AS present",
    );
    if (found[0]?.present !== true) {
      await client.query(
        'CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())',
      );
    }
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
 * connection failures are retried with backoff up to `timeoutMs`; anything else (a failing migration, a missing
 * privilege) stops start-up at once.
 */
async function whenReachable(work: () => Promise<void>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let delay = 200; ; delay = Math.min(delay * 2, 2_000)) {
    try {
      await work();
      return;
    } catch (error) {
      if (!isConnectionError(error) || Date.now() + delay > deadline) {
        throw error;
      }
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

const CLAIM_SQL = `INSERT INTO token_keys (key, expires_at) VALUES ($1, to_timestamp($2 / 1000.0))
  ON CONFLICT (key) DO UPDATE SET expires_at = EXCLUDED.expires_at
  WHERE token_keys.expires_at <= to_timestamp($3 / 1000.0)`;

export async function openPostgresStore(connectionString: string, options: PostgresStoreOptions): Promise<Store> {
  const newPool = (max: number): pg.Pool => {
    const pool = new pg.Pool({
      connectionString,
      max,
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
      idleTimeoutMillis: IDLE_TIMEOUT_MS,
      statement_timeout: options.queryTimeoutMs,
      application_name: 'oncosign',
    });
    // An idle client whose server went away emits here; without a listener that would crash the process.
    pool.on('error', () => undefined);
    return pool;
  };
  // Two pools, so that slow feedback writes can never make replay checks wait for a connection.
  const claimsPool = newPool(Math.max(1, Math.ceil(options.poolSize / 2)));
  const feedbackPool = newPool(Math.max(1, Math.floor(options.poolSize / 2)));
  const endPools = () => Promise.all([claimsPool.end(), feedbackPool.end()]).then(() => undefined);
  try {
    await whenReachable(async () => {
      await migrate(feedbackPool);
      // A write the replay check will make, with a key that expires at once: a role without the privileges it
      // needs stops start-up here, instead of failing every call later.
      const now = Date.now();
      await claimsPool.query(CLAIM_SQL, [`startup-probe-${String(process.pid)}-${String(now)}`, now, now]);
    }, options.startupTimeoutMs);
  } catch (error) {
    await endPools().catch(() => undefined);
    throw error;
  }

  let closed = false;
  let nextSweep = 0;
  const query = async <R extends pg.QueryResultRow>(
    pool: pg.Pool,
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
      throw isConnectionError(error) ? unavailable(error) : error;
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
      await query(feedbackPool, insertText(records.length), records.flatMap(feedbackValues), options.queryTimeoutMs);
    },
    async countFeedback() {
      const { rows } = await query<{ n: string }>(
        feedbackPool,
        'SELECT COUNT(*) AS n FROM feedback',
        [],
        options.queryTimeoutMs,
      );
      return Number(rows[0]?.n ?? 0);
    },
    async listFeedback(limit) {
      const { rows } = await query<FeedbackRow>(
        feedbackPool,
        `SELECT ${selectFeedback} FROM feedback ORDER BY id LIMIT $1`,
        [limit],
        options.queryTimeoutMs,
      );
      return rows.map(feedbackFromRow);
    },
    async claimTokenKey(key, expiresAtMs, nowMs) {
      if (nowMs >= nextSweep) {
        nextSweep = nowMs + SWEEP_INTERVAL_MS;
        // Not awaited, and on the feedback pool: housekeeping must not add to a clinician's call.
        void query(
          feedbackPool,
          'DELETE FROM token_keys WHERE expires_at <= to_timestamp($1 / 1000.0)',
          [nowMs],
          options.queryTimeoutMs,
        ).catch(() => undefined);
      }
      const { rowCount } = await withDeadline(
        query(claimsPool, CLAIM_SQL, [key, Math.ceil(expiresAtMs), nowMs], options.claimTimeoutMs),
        options.claimTimeoutMs,
      );
      return rowCount === 1;
    },
    async health() {
      if (closed) {
        return 'closed';
      }
      try {
        await withDeadline(query(claimsPool, 'SELECT 1', [], options.claimTimeoutMs), options.claimTimeoutMs);
        return 'open';
      } catch {
        return 'unreachable';
      }
    },
    async close() {
      if (!closed) {
        closed = true;
        await endPools();
      }
    },
  };
}
