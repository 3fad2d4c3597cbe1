import pg from 'pg';
import { FEEDBACK_COLUMNS, feedbackFromRow, feedbackValues, type FeedbackRow } from './feedback-rows.js';
import { errorCode } from '../errors.js';
import { createPostgresIssuance, ISSUANCE_POSTGRES_MIGRATIONS } from './issuance-postgres.js';
import { StoreBusyError, StoreUnavailableError, type Store } from './store.js';
import {
  CONNECT_TIMEOUT_MS,
  IDLE_CONNECTION_TIMEOUT_MS,
  KEEP_WARM_INTERVAL_MS,
  MAX_CLAIM_ATTEMPTS,
  PROBE_TIMEOUT_MS,
  QUERY_BACKSTOP_MARGIN_MS,
  RECOVERY_INTERVAL_MS,
  STARTUP_RETRY_FIRST_DELAY_MS,
  STARTUP_RETRY_MAX_DELAY_MS,
  TOKEN_CLAIM_MAX_WAIT_MS,
} from '../config/limits.js';

/*
 * The shared store for replicas (DATABASE_URL). Feedback commits are durable when COMMIT returns (PostgreSQL's
 * default synchronous_commit=on). Token keys are claimed with one INSERT ... ON CONFLICT, which PostgreSQL makes
 * atomic: of two replicas claiming the same key at once, exactly one gets the row.
 *
 * Migrations run at start-up under a transaction-scoped advisory lock, so replicas that start together apply each
 * one exactly once; a migration must be additive (expand, then contract in a later release), because during a
 * rolling update the previous version keeps running against the new schema.
 *
 * The database may go away at any moment (a restart, a failover, a network partition), with connections checked
 * out. Nothing it does may end the process: every client has an 'error' listener while this code holds it, and
 * every pool has one for its idle clients. Whether the database is there is decided in one place, a liveness
 * probe (SELECT 1 on a connection of its own): the replay check goes on without the shared replay set only when
 * that probe fails, never merely because a statement was slow.
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

export interface PostgresStoreOptions {
  /** Connections per replica, split evenly between replay checks and feedback (plus one for the liveness probe). */
  readonly poolSize: number;
  /**
   * How long a replay check waits for its statement before it asks the liveness probe whether the database is
   * there at all (and again after each further such wait). Only a failed probe lets the call go on without the
   * shared replay set.
   */
  readonly claimTimeoutMs: number;
  /**
   * How long in all a replay check waits for a database that answers the probe but not the check (a lock, a
   * queue of checks): past it the call is refused (StoreBusyError), not accepted. Default 5 s.
   */
  readonly claimMaxWaitMs?: number;
  /** How long the liveness probe (SELECT 1 on its own connection) may take before the database is unreachable. */
  readonly probeTimeoutMs?: number;
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

const classify = (error: unknown): unknown => (isTransient(error) ? unavailable(error) : error);

/**
 * Runs `work` on a client checked out of `pool`, and gives the client back: to the pool when all went well, to be
 * closed when anything failed (a connection that saw an error is not reused, as pg.Pool's own query() does).
 * `expired()` tells the work, once it finally has a client, that its caller has already moved on, so the client
 * goes back unused instead of running a statement nobody waits for.
 */
async function withClient<T>(
  pool: pg.Pool,
  work: (client: pg.PoolClient) => Promise<T>,
  expired: () => boolean = () => false,
): Promise<T> {
  const client = await pool.connect();
  // pg-pool stops listening for a client's errors while it is checked out, and pg emits 'error' when the server
  // ends the session between statements (FATAL 57P01 on shutdown) or the socket drops. With no listener that is
  // an uncaught exception, which ends the process. Here the error only marks the client broken: the statement in
  // flight, or the next one, fails on its own, and the client is closed below instead of going back to the pool.
  let broken: Error | undefined;
  const onError = (error: Error): void => {
    broken ??= error;
  };
  client.on('error', onError);
  // pg-pool adds its own idle listener back inside release(), synchronously: no moment without a listener.
  const giveBack = (error?: Error): void => {
    client.removeListener('error', onError);
    client.release(error ?? broken);
  };
  if (expired()) {
    giveBack();
    throw new StoreUnavailableError('PostgreSQL store unavailable (deadline)');
  }
  try {
    const result = await work(client);
    giveBack();
    return result;
  } catch (error) {
    giveBack(error instanceof Error ? error : new Error('statement failed'));
    throw error;
  }
}

/**
 * Settles like `work`, or rejects once `ms` have passed. The deadline is checked one turn of the event loop after
 * the timer fires (setImmediate runs after pending I/O is read), so an answer that arrived while this process was
 * busy still counts: a late timer on a loaded machine must not declare a live database gone.
 */
function within<T>(work: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const timer = setTimeout(() => {
      setImmediate(() => {
        if (!settled) {
          settled = true;
          reject(new StoreUnavailableError('PostgreSQL store unavailable (no answer)', 'NO_ANSWER'));
        }
      });
    }, ms);
    work.then(
      (value) => {
        if (!settled) {
          settled = true;
          clearTimeout(timer);
          resolve(value);
        }
      },
      (error: unknown) => {
        if (!settled) {
          settled = true;
          clearTimeout(timer);
          reject(error instanceof Error ? error : new Error(String(error)));
        }
      },
    );
  });
}

type Outcome<T> = { readonly kind: 'done'; readonly value: T } | { readonly kind: 'failed'; readonly error: unknown };

/** A promise that never rejects, so it can be raced and awaited again without unhandled rejections. */
function outcomeOf<T>(work: Promise<T>): Promise<Outcome<T>> {
  return work.then(
    (value) => ({ kind: 'done', value }),
    (error: unknown) => ({ kind: 'failed', error }),
  );
}

/** Whichever of `contenders` settles first, or 'waiting' after `ms` (the timer is cleared either way). */
async function firstOf<T>(contenders: readonly Promise<T>[], ms: number): Promise<T | 'waiting'> {
  let timer: NodeJS.Timeout | undefined;
  const waiting = new Promise<'waiting'>((resolve) => {
    timer = setTimeout(() => {
      resolve('waiting');
    }, ms);
  });
  try {
    return await Promise.race([...contenders, waiting]);
  } finally {
    clearTimeout(timer);
  }
}

/** Resolves once the I/O already pending has been read (setImmediate runs after the poll phase). */
function afterPendingIo(): Promise<void> {
  return new Promise((resolve) => {
    setImmediate(resolve);
  });
}

async function migrate(pool: pg.Pool): Promise<void> {
  await withClient(pool, async (client) => {
    try {
      await client.query('BEGIN');
      // Waiting for another replica's migrations, or building an index on a large table, may take longer than
      // the statement timeout that guards clinicians' calls.
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
    }
  });
}

/**
 * Replicas often start before the database accepts connections (a restarted cluster, a fresh environment):
 * connection failures are retried with backoff up to `timeoutMs`; anything else (a failing migration, a missing
 * privilege) stops start-up at once.
 */
async function whenReachable(work: () => Promise<void>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let delay = STARTUP_RETRY_FIRST_DELAY_MS; ; delay = Math.min(delay * 2, STARTUP_RETRY_MAX_DELAY_MS)) {
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
  await withClient(pool, async (client) => {
    await client.query(CLAIM_SQL, [key, now, now]);
    await client.query('DELETE FROM token_keys WHERE key = $1', [key]);
    const { rows } = await client.query<{ insert: boolean; sequence: boolean }>(
      `SELECT has_table_privilege('feedback', 'INSERT') AS insert,
              has_sequence_privilege('feedback_id_seq', 'USAGE') AS sequence`,
    );
    const granted = rows[0];
    if (!granted?.insert || !granted.sequence) {
      throw Object.assign(new Error('permission denied: INSERT on feedback, or USAGE on feedback_id_seq'), {
        code: '42501',
      });
    }
  });
}

/**
 * Opens every connection `pool` may hold (those not busy right now) and gives them back idle, so replay checks
 * never wait for a connection to open: at start-up, before the service reports ready, and after connections were
 * dropped. The idle ones are checked out too, because pg-pool hands out an idle client before it opens a new one.
 */
async function warm(pool: pg.Pool, size: number): Promise<void> {
  const wanted = size - (pool.totalCount - pool.idleCount);
  if (pool.totalCount >= size || wanted <= 0) {
    return;
  }
  const clients = await Promise.allSettled(Array.from({ length: wanted }, () => pool.connect()));
  for (const result of clients) {
    if (result.status === 'fulfilled') {
      result.value.release();
    }
  }
  const failed = clients.find((r) => r.status === 'rejected');
  if (failed !== undefined) {
    throw failed.reason;
  }
}

export async function openPostgresStore(connectionString: string, options: PostgresStoreOptions): Promise<Store> {
  const claimMaxWaitMs = options.claimMaxWaitMs ?? TOKEN_CLAIM_MAX_WAIT_MS;
  const probeTimeoutMs = options.probeTimeoutMs ?? PROBE_TIMEOUT_MS;
  const backstopMs = options.queryTimeoutMs + QUERY_BACKSTOP_MARGIN_MS;
  let closed = false;
  // Whether the database answered the last liveness probe (or any statement since). Only while it is false does
  // a replay check go on without the shared replay set.
  let reachable = true;
  let outageCode: string | undefined;
  // Replay checks waiting on a statement, told when `reachable` turns false so they stop waiting at once. A set
  // each check leaves when it ends, not one long-lived promise: every race against that would stay attached to it.
  const outageWaiters = new Set<() => void>();

  const newPool = (max: number, min: number): pg.Pool => {
    const pool = new pg.Pool({
      connectionString,
      max,
      min,
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
      idleTimeoutMillis: IDLE_CONNECTION_TIMEOUT_MS,
      statement_timeout: options.queryTimeoutMs,
      application_name: 'oncosign',
    });
    // An idle client whose server went away emits here; without a listener that would end the process. The
    // pool has already discarded the client; the probe finds out whether the database itself is gone.
    pool.on('error', () => {
      if (!closed) {
        void probe();
      }
    });
    // A client whose connection is cut while checked out emits 'error' on itself; statements listen while they hold
    // one (withClient), and this listener covers the moments in between, so no such event can end the process.
    pool.on('connect', (client) => {
      client.on('error', () => undefined);
    });
    return pool;
  };
  // Two pools, so that slow feedback writes can never make replay checks wait for a connection. The replay-check
  // pool keeps every connection open (min = max): a check must not pay for opening one. The probe has its own
  // connection, so it answers "is the database there?" even while every other connection is busy.
  const claimsSize = Math.ceil(options.poolSize / 2);
  const claimsPool = newPool(claimsSize, claimsSize);
  const feedbackPool = newPool(Math.max(1, Math.floor(options.poolSize / 2)), 0);
  const probePool = newPool(1, 1);
  const endPools = () => Promise.all([claimsPool.end(), feedbackPool.end(), probePool.end()]).then(() => undefined);

  let maintenance: NodeJS.Timeout | undefined;
  const scheduleMaintenance = (ms: number): void => {
    clearTimeout(maintenance);
    if (!closed) {
      maintenance = setTimeout(() => void maintain(), ms);
      // Housekeeping alone must not keep a process alive (tests, a CLI that opened the store).
      maintenance.unref();
    }
  };
  const markReachable = (): void => {
    if (!reachable) {
      reachable = true;
      outageCode = undefined;
      // Refill the replay-check pool now rather than at the next keep-warm round.
      scheduleMaintenance(0);
    }
  };
  const markUnreachable = (error: unknown): void => {
    if (reachable && !closed) {
      reachable = false;
      outageCode = errorCode(error) ?? 'NO_ANSWER';
      for (const wake of outageWaiters) {
        wake();
      }
      scheduleMaintenance(RECOVERY_INTERVAL_MS);
    }
  };

  // One probe at a time; every caller that asks meanwhile shares its answer.
  let probing: Promise<boolean> | undefined;
  const probe = (): Promise<boolean> => {
    if (closed) {
      return Promise.resolve(false);
    }
    probing ??= runProbe().finally(() => {
      probing = undefined;
    });
    return probing;
  };
  const runProbe = async (): Promise<boolean> => {
    let abandoned = false;
    try {
      await within(
        withClient(
          probePool,
          (client) => client.query({ text: 'SELECT 1', query_timeout: backstopMs } as pg.QueryConfig),
          () => abandoned,
        ),
        probeTimeoutMs,
      );
    } catch (error) {
      abandoned = true;
      if (isTransient(error)) {
        markUnreachable(error);
        return false;
      }
      // Reached, but refused (a wrong password after a rotation, a dropped database): not an outage. Replay
      // checks then fail with that error and refuse the token, rather than go on without the shared set.
    }
    markReachable();
    return true;
  };

  const maintain = async (): Promise<void> => {
    if (closed) {
      return;
    }
    if (!reachable) {
      await probe();
    }
    if (reachable) {
      await warm(claimsPool, claimsSize).catch(() => undefined);
    }
    scheduleMaintenance(reachable ? KEEP_WARM_INTERVAL_MS : RECOVERY_INTERVAL_MS);
  };

  /** One statement on `pool`; a transient failure makes the probe look at the database. */
  const run = async <R extends pg.QueryResultRow>(
    pool: pg.Pool,
    text: string,
    values: unknown[],
    expired?: () => boolean,
  ): Promise<pg.QueryResult<R>> => {
    if (closed) {
      throw new StoreUnavailableError('PostgreSQL store closed');
    }
    try {
      const result = await withClient(
        pool,
        (client) => client.query<R>({ text, values, query_timeout: backstopMs } as pg.QueryConfig),
        expired,
      );
      markReachable();
      return result;
    } catch (error) {
      if (isTransient(error)) {
        void probe();
      }
      throw error;
    }
  };

  try {
    await whenReachable(async () => {
      await migrate(feedbackPool);
      await probePrivileges(claimsPool);
      // Ready means ready: the connections replay checks use are open before the service says it can serve.
      await Promise.all([warm(claimsPool, claimsSize), warm(probePool, 1)]);
    }, options.startupTimeoutMs);
  } catch (error) {
    await endPools().catch(() => undefined);
    throw error;
  }
  scheduleMaintenance(KEEP_WARM_INTERVAL_MS);

  const knownOutage = (): StoreUnavailableError =>
    new StoreUnavailableError(`PostgreSQL store unreachable (${outageCode ?? 'no answer'})`, outageCode);
  const busy = (code: string | undefined): StoreBusyError =>
    new StoreBusyError('PostgreSQL answered its liveness probe but not the replay check in time', code);

  const claim = async (values: unknown[]): Promise<boolean> => {
    if (closed) {
      throw new StoreUnavailableError('PostgreSQL store closed');
    }
    const giveUpAt = performance.now() + claimMaxWaitMs;
    let abandoned = false;
    let running: Promise<Outcome<pg.QueryResult>> | undefined;
    let attempts = 0;
    let lastCode: string | undefined;
    let wake = (): void => undefined;
    const outage = new Promise<'outage'>((resolve) => {
      wake = () => {
        resolve('outage');
      };
    });
    outageWaiters.add(wake);
    try {
      for (;;) {
        // The last probe failed. Ask again (or share the probe under way) instead of trusting that answer: the
        // database may be back, and a check decided locally while it is up could accept a token twice. Against a
        // stopped server the probe fails in a millisecond (connection refused); in a partition it takes up to
        // probeTimeoutMs, which is the latency this guarantee costs.
        if (!reachable && !(await probe())) {
          throw knownOutage();
        }
        const remaining = giveUpAt - performance.now();
        if (remaining <= 0) {
          // An answer that arrived while this process was busy is read before giving up (setImmediate runs after
          // pending I/O): time this process spent on other calls must not turn a decided check into a refusal.
          if (running !== undefined) {
            await afterPendingIo();
            const late = await firstOf([running], 0);
            if (late !== 'waiting' && late.kind === 'done') {
              return late.value.rowCount === 1;
            }
          }
          throw busy(lastCode);
        }
        if (running === undefined) {
          attempts += 1;
          running = outcomeOf(run(claimsPool, CLAIM_SQL, values, () => abandoned));
        }
        const first = await firstOf<Outcome<pg.QueryResult> | 'outage'>(
          [running, outage],
          Math.min(options.claimTimeoutMs, remaining),
        );
        if (first === 'outage') {
          throw knownOutage();
        }
        if (first === 'waiting') {
          // No answer yet: a slow statement is not an outage. Ask the probe whether the database is there, and
          // take the statement's answer if it comes first.
          const second = await Promise.race([running, probe().then((up) => (up ? 'up' : 'down'))]);
          if (second === 'down') {
            throw knownOutage();
          }
          // 'up' (keep waiting) or the statement settled (handled at the top of the next round).
          continue;
        }
        if (first.kind === 'done') {
          return first.value.rowCount === 1;
        }
        if (!isTransient(first.error)) {
          throw first.error;
        }
        // The connection failed under the statement (dropped, terminated, refused): only a failed probe makes
        // that an outage. A live database gets the check again on another connection.
        lastCode = errorCode(first.error);
        if (!(await probe())) {
          throw knownOutage();
        }
        if (attempts >= MAX_CLAIM_ATTEMPTS) {
          throw busy(lastCode);
        }
        running = undefined;
      }
    } finally {
      abandoned = true;
      outageWaiters.delete(wake);
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

  // The issuance record and override memory (issue 15) read through the same statement runner and error classes.
  const query = async <R extends pg.QueryResultRow>(
    pool: pg.Pool,
    text: string,
    values: unknown[],
    expired?: () => boolean,
  ): Promise<pg.QueryResult<R>> =>
    run<R>(pool, text, values, expired).catch((error: unknown) => {
      throw classify(error);
    });
  const withDeadline = async <T>(work: (expired: () => boolean) => Promise<T>, ms: number): Promise<T> => {
    let timedOut = false;
    try {
      return await within(
        work(() => timedOut),
        ms,
      );
    } catch (error) {
      // The caller has moved on: a statement still waiting for a connection gives it back instead of running.
      timedOut = true;
      throw error;
    }
  };

  return {
    ...createPostgresIssuance({ query, claimsPool, feedbackPool, withDeadline }),
    backend: 'postgresql',
    async saveFeedback(records) {
      if (records.length === 0) {
        return;
      }
      // One statement: all rows commit together or none do, without holding a client across round trips. Tried
      // even during a known outage: the attempt is the quickest way to learn the database is back.
      await run(feedbackPool, insertText(records.length), records.flatMap(feedbackValues)).catch((error: unknown) => {
        throw classify(error);
      });
    },
    async countFeedback() {
      const { rows } = await run<{ n: string }>(feedbackPool, 'SELECT COUNT(*) AS n FROM feedback', []).catch(
        (error: unknown) => {
          throw classify(error);
        },
      );
      return Number(rows[0]?.n ?? 0);
    },
    async listFeedback(limit) {
      const { rows } = await run<FeedbackRow>(
        feedbackPool,
        `SELECT ${selectFeedback} FROM feedback ORDER BY id LIMIT $1`,
        [limit],
      ).catch((error: unknown) => {
        throw classify(error);
      });
      return rows.map(feedbackFromRow);
    },
    claimTokenKey(key, expiresAtMs, nowMs) {
      return claim([key, Math.ceil(expiresAtMs), nowMs]);
    },
    async deleteExpiredTokenKeys(nowMs) {
      if (!reachable) {
        throw knownOutage();
      }
      // On the feedback pool: housekeeping must not hold a connection that replay checks wait for.
      await run(feedbackPool, 'DELETE FROM token_keys WHERE expires_at <= to_timestamp($1 / 1000.0)', [nowMs]).catch(
        (error: unknown) => {
          throw classify(error);
        },
      );
    },
    async health() {
      if (closed) {
        return 'closed';
      }
      return (await probe()) ? 'open' : 'unreachable';
    },
    isReachable: () => reachable && !closed,
    async close() {
      if (!closed) {
        closed = true;
        clearTimeout(maintenance);
        await endPools();
      }
    },
  };
}
