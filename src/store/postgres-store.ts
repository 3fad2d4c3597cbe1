import pg from 'pg';
import { FEEDBACK_COLUMNS, feedbackFromRow, feedbackValues, type FeedbackRow } from './feedback-rows.js';
import { errorCode } from '../errors.js';
import { createPostgresIssuance, ISSUANCE_POSTGRES_MIGRATIONS } from './issuance-postgres.js';
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
  ...ISSUANCE_POSTGRES_MIGRATIONS,
];

/** Any constant; it names "oncosign migrations" among the database's advisory locks. */
const MIGRATION_LOCK = 0x6f6e636f;
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

/**
 * SQLSTATE classes that say the statement itself, the data or the configuration is wrong: retrying cannot help,
 * and such an error must not be taken for an outage (a replay check that fails this way refuses the token).
 * 0A feature not supported, 21 cardinality, 22 data, 23 integrity, 26 statement name, 28 authorization (a wrong
 * password), 2F routine, 34 cursor, 3D database, 3F schema, 42 syntax or access (a missing privilege or table),
 * 44 check option, P0 PL/pgSQL.
 */
const PERMANENT_SQLSTATE_CLASSES = new Set([
  '0A',
  '21',
  '22',
  '23',
  '26',
  '28',
  '2F',
  '34',
  '3D',
  '3F',
  '42',
  '44',
  'P0',
]);

/**
 * Whether an error means "not now" (retry later): the database could not be reached, or could not do the work at
 * this moment. That is every SQLSTATE outside the permanent classes (connection 08, read-only after a failover
 * 25006, resources 53, lock timeout 55P03, cancelled or shutting down 57, I/O 58, serialization 40, ...), every
 * network error code (ECONNREFUSED, ENETDOWN, ...), and node-postgres's own timeouts and dropped connections. An
 * error with no code and no such message is a bug, not an outage.
 */
export function isTransient(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string') {
    const isSqlState = /^[0-9A-Z]{5}$/.test(code);
    return !isSqlState || !PERMANENT_SQLSTATE_CLASSES.has(code.slice(0, 2));
  }
  const message = error instanceof Error ? error.message : '';
  return /timeout|Connection terminated|connection error/i.test(message);
}

function unavailable(error: unknown): StoreUnavailableError {
  // The driver's message can quote the connection string's host and user, never data; keep only its class.
  const code = errorCode(error);
  return new StoreUnavailableError(`PostgreSQL store unavailable (${code ?? 'no answer'})`, code);
}

/**
 * Runs `work` with `ms` to settle. `expired()` tells the work, once it finally has a connection, that its caller
 * has already moved on, so it can give the connection back instead of running a query nobody waits for.
 */
async function withDeadline<T>(work: (expired: () => boolean) => Promise<T>, ms: number): Promise<T> {
  let timedOut = false;
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      timedOut = true;
      reject(new StoreUnavailableError('PostgreSQL store unavailable (deadline)'));
    }, ms);
  });
  const running = work(() => timedOut);
  running.catch(() => undefined);
  try {
    return await Promise.race([running, deadline]);
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
      if (!isTransient(error) || Date.now() + delay > deadline) {
        throw error;
      }
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

const CLAIM_SQL = `INSERT INTO token_keys (key, expires_at) VALUES ($1, to_timestamp($2 / 1000.0))
  ON CONFLICT (key) DO UPDATE SET expires_at = EXCLUDED.expires_at
  WHERE token_keys.expires_at <= to_timestamp($3 / 1000.0)`;

/**
 * What the service will do, tried once at start-up, so that a role without the privileges for it stops start-up
 * (exit 1, rollout halted) instead of failing calls later: the replay check's upsert and the expiry sweep's delete
 * on a throwaway key, and the feedback insert's privileges.
 */
async function probePrivileges(pool: pg.Pool): Promise<void> {
  const now = Date.now();
  const key = `startup-probe-${String(process.pid)}-${String(now)}`;
  await pool.query(CLAIM_SQL, [key, now, now]);
  await pool.query('DELETE FROM token_keys WHERE key = $1', [key]);
  const { rows } = await pool.query<{ insert: boolean; sequence: boolean }>(
    `SELECT has_table_privilege('feedback', 'INSERT') AS insert,
            has_sequence_privilege('feedback_id_seq', 'USAGE') AS sequence`,
  );
  const granted = rows[0];
  if (!granted?.insert || !granted.sequence) {
    throw Object.assign(new Error('permission denied: INSERT on feedback, or USAGE on feedback_id_seq'), {
      code: '42501',
    });
  }
}

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
    // A client whose connection is cut while checked out (a partition healing under a query in flight) emits
    // 'error' on itself, where the pool listens only while it is idle: uncaught, that would crash the process. The
    // query in flight is rejected anyway, and query() discards the client.
    pool.on('connect', (client) => {
      client.on('error', () => undefined);
    });
    return pool;
  };
  // Two pools, so that slow feedback writes can never make replay checks wait for a connection.
  const claimsPool = newPool(Math.ceil(options.poolSize / 2));
  const feedbackPool = newPool(Math.max(1, Math.floor(options.poolSize / 2)));
  const endPools = () => Promise.all([claimsPool.end(), feedbackPool.end()]).then(() => undefined);
  try {
    await whenReachable(async () => {
      await migrate(feedbackPool);
      await probePrivileges(claimsPool);
    }, options.startupTimeoutMs);
  } catch (error) {
    await endPools().catch(() => undefined);
    throw error;
  }

  let closed = false;
  // The server's statement_timeout cancels first; this client-side limit only catches a connection gone silent.
  const backstopMs = options.queryTimeoutMs + 1_000;
  const query = async <R extends pg.QueryResultRow>(
    pool: pg.Pool,
    text: string,
    values: unknown[],
    expired: () => boolean = () => false,
  ): Promise<pg.QueryResult<R>> => {
    if (closed) {
      throw new StoreUnavailableError('PostgreSQL store closed');
    }
    let client: pg.PoolClient;
    try {
      client = await pool.connect();
    } catch (error) {
      throw isTransient(error) ? unavailable(error) : error;
    }
    if (expired()) {
      client.release();
      throw new StoreUnavailableError('PostgreSQL store unavailable (deadline)');
    }
    try {
      const result = await client.query<R>({ text, values, query_timeout: backstopMs } as pg.QueryConfig);
      client.release();
      return result;
    } catch (error) {
      // A connection that saw an error is not reused (as pg.Pool's own query() does).
      client.release(true);
      throw isTransient(error) ? unavailable(error) : error;
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
    ...createPostgresIssuance({ query, claimsPool, feedbackPool, withDeadline }),
    backend: 'postgresql',
    async saveFeedback(records) {
      if (records.length === 0) {
        return;
      }
      // One statement: all rows commit together or none do, without holding a client across round trips.
      await query(feedbackPool, insertText(records.length), records.flatMap(feedbackValues));
    },
    async countFeedback() {
      const { rows } = await query<{ n: string }>(feedbackPool, 'SELECT COUNT(*) AS n FROM feedback', []);
      return Number(rows[0]?.n ?? 0);
    },
    async listFeedback(limit) {
      const { rows } = await query<FeedbackRow>(
        feedbackPool,
        `SELECT ${selectFeedback} FROM feedback ORDER BY id LIMIT $1`,
        [limit],
      );
      return rows.map(feedbackFromRow);
    },
    async claimTokenKey(key, expiresAtMs, nowMs) {
      const { rowCount } = await withDeadline(
        (expired) => query(claimsPool, CLAIM_SQL, [key, Math.ceil(expiresAtMs), nowMs], expired),
        options.claimTimeoutMs,
      );
      return rowCount === 1;
    },
    async deleteExpiredTokenKeys(nowMs) {
      // On the feedback pool: housekeeping must not hold a connection that replay checks wait for.
      await query(feedbackPool, 'DELETE FROM token_keys WHERE expires_at <= to_timestamp($1 / 1000.0)', [nowMs]);
    },
    async health() {
      if (closed) {
        return 'closed';
      }
      try {
        await withDeadline((expired) => query(claimsPool, 'SELECT 1', [], expired), options.claimTimeoutMs);
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
