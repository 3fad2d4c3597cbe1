import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { startLocalIssuer, type LocalIssuer } from '../src/devtools/local-issuer.js';
import { aFeedbackItem, anInfusion, encounterSignRequest } from './builders.js';
import { startPostgresCluster, type PostgresCluster } from './postgres-cluster.js';
import { killAll, startServerProcess, type ServerProcess } from './server-process.js';

/*
 * Two real replicas (separate `src/server.ts` processes) on one PostgreSQL database, with the traffic an EHR sends
 * them: signed service calls, feedback, and the same token sent to both at once. Shared by the tests and by
 * scripts/db-outage.ts, so the figures the script prints come from the scenario the tests assert on.
 */

export const PUBLIC_BASE_URL = 'https://oncosign.example.org';
export const SERVICE_PATH = '/cds-services/oncology-encounter-sign';
export const FEEDBACK_PATH = `${SERVICE_PATH}/feedback`;
/** Every call gets this long; the service answers in milliseconds, so only a hang or a crash reaches it. */
const CALL_TIMEOUT_MS = 10_000;

export type ReplicaName = 'A' | 'B';
export const REPLICA_NAMES: readonly ReplicaName[] = ['A', 'B'];

export interface ReplicaRig {
  readonly issuer: LocalIssuer;
  /** The cluster the rig started for itself, which the caller may stop and start; undefined on a shared one. */
  readonly cluster: PostgresCluster | undefined;
  readonly databaseUrl: string;
  replica(name: ReplicaName): ServerProcess;
  /** Every process started so far (restarts included), for exit and log checks. */
  readonly processes: readonly { readonly name: ReplicaName; readonly process: ServerProcess }[];
  /** Stops one replica (SIGKILL: a crash; SIGTERM: a rollout) and starts a new one in its place. */
  restart(name: ReplicaName, signal: 'SIGKILL' | 'SIGTERM'): Promise<void>;
  /** Runs SQL over a connection of its own, opened for this query (the database may have restarted since). */
  query<R extends pg.QueryResultRow>(text: string, values?: unknown[]): Promise<R[]>;
  close(): Promise<void>;
}

async function oneShot<R extends pg.QueryResultRow>(url: string, text: string, values: unknown[]): Promise<R[]> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  // A server that goes away while this client is open must not crash the test process.
  client.on('error', () => undefined);
  await client.connect();
  try {
    return (await client.query<R>(text, values)).rows;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * Starts two replicas on a fresh database: on the cluster at `adminUrl` when given, otherwise on a cluster of the
 * rig's own, which the caller may stop and restart.
 */
export async function startReplicaRig(options: { adminUrl?: string; env?: Record<string, string> } = {}) {
  const cluster = options.adminUrl === undefined ? await startPostgresCluster() : undefined;
  const adminUrl = options.adminUrl ?? cluster?.adminUrl ?? '';
  const issuer = await startLocalIssuer();
  const name = `oncosign_rig_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  await oneShot(adminUrl, `CREATE DATABASE ${name}`, []);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const databaseUrl = url.toString();
  const env = {
    PUBLIC_BASE_URL,
    CDS_TRUSTED_ISSUERS: JSON.stringify([{ iss: issuer.iss, jku: issuer.jku }]),
    DATABASE_URL: databaseUrl,
    DATABASE_POOL_SIZE: '4',
    // The senders here are one issuer; the per-issuer limit is not what is under test.
    RATE_LIMIT_PER_MINUTE: '1000000',
    ...options.env,
  };
  const processes: { name: ReplicaName; process: ServerProcess }[] = [];
  const current = new Map<ReplicaName, ServerProcess>();
  const start = async (replica: ReplicaName): Promise<void> => {
    const started = await startServerProcess(env);
    processes.push({ name: replica, process: started });
    current.set(replica, started);
  };
  try {
    // Started together, as a Deployment's pods are.
    await Promise.all(REPLICA_NAMES.map(start));
  } catch (error) {
    killAll(processes.map((p) => p.process));
    await issuer.close();
    await cluster?.destroy();
    throw error;
  }
  const rig: ReplicaRig = {
    issuer,
    cluster,
    databaseUrl,
    processes,
    replica(replica) {
      const found = current.get(replica);
      if (found === undefined) {
        throw new Error(`replica ${replica} is not running`);
      }
      return found;
    },
    async restart(replica, signal) {
      const old = rig.replica(replica);
      current.delete(replica);
      old.child.kill(signal);
      await old.exited;
      await start(replica);
    },
    query: (text, values = []) => oneShot(databaseUrl, text, values),
    async close() {
      killAll(processes.map((p) => p.process));
      await Promise.all(processes.map((p) => p.process.exited));
      await issuer.close();
      if (cluster !== undefined) {
        await cluster.destroy();
      } else {
        await oneShot(adminUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`, []).catch(() => undefined);
      }
    },
  };
  return rig;
}

const serviceBody = JSON.stringify(
  encounterSignRequest({ administrations: [anInfusion({ effectivePeriod: { start: '2025-03-04T10:00:00-05:00' } })] }),
);

export interface CallResult {
  /** HTTP status, or 0 when no answer came (refused connection, reset, timeout). */
  readonly status: number;
  readonly ms: number;
  readonly cards: number;
  readonly retryAfter: string | null;
}

async function post(replica: ServerProcess, path: string, token: string, body: string): Promise<CallResult> {
  const started = performance.now();
  try {
    const res = await fetch(`${replica.baseUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body,
      signal: AbortSignal.timeout(CALL_TIMEOUT_MS),
    });
    const text = await res.text();
    let cards = 0;
    if (res.status === 200 && path === SERVICE_PATH) {
      cards = (JSON.parse(text) as { cards: unknown[] }).cards.length;
    }
    return { status: res.status, ms: performance.now() - started, cards, retryAfter: res.headers.get('retry-after') };
  } catch {
    return { status: 0, ms: performance.now() - started, cards: 0, retryAfter: null };
  }
}

/** One signed service call (an open infusion, so INF-001 answers with a card). */
export function callService(rig: ReplicaRig, replica: ServerProcess, token?: string): Promise<CallResult> {
  return post(replica, SERVICE_PATH, token ?? rig.issuer.sign(`${PUBLIC_BASE_URL}${SERVICE_PATH}`), serviceBody);
}

/** Sends feedback on `cards` (one item each). */
export function sendFeedback(rig: ReplicaRig, replica: ServerProcess, cards: readonly string[]): Promise<CallResult> {
  return post(
    replica,
    FEEDBACK_PATH,
    rig.issuer.sign(`${PUBLIC_BASE_URL}${FEEDBACK_PATH}`),
    JSON.stringify({ feedback: cards.map((card) => aFeedbackItem(card, 'accepted')) }),
  );
}

/** Sends one fresh token to both replicas at the same moment; resolves with both statuses (A's, then B's). */
export async function raceOneToken(rig: ReplicaRig): Promise<[number, number]> {
  const token = rig.issuer.sign(`${PUBLIC_BASE_URL}${SERVICE_PATH}`);
  const [a, b] = await Promise.all(REPLICA_NAMES.map((n) => callService(rig, rig.replica(n), token)));
  return [a?.status ?? 0, b?.status ?? 0];
}

export interface RaceFigures {
  tokens: number;
  /** Tokens answered 200 by exactly one replica and 401 by the other. */
  acceptedOnce: number;
  acceptedTwice: number;
  /** Tokens with any other pair of answers, as "statusA/statusB" → count. */
  other: Record<string, number>;
}

export function emptyRace(): RaceFigures {
  return { tokens: 0, acceptedOnce: 0, acceptedTwice: 0, other: {} };
}

export function recordRace(figures: RaceFigures, statuses: readonly [number, number]): void {
  figures.tokens += 1;
  const sorted = [...statuses].sort((x, y) => x - y).join('/');
  if (sorted === '200/401') {
    figures.acceptedOnce += 1;
  } else if (sorted === '200/200') {
    figures.acceptedTwice += 1;
  } else {
    figures.other[sorted] = (figures.other[sorted] ?? 0) + 1;
  }
}

/** Races `tokens` tokens at both replicas, `concurrency` tokens in flight at a time. */
export async function raceTokens(rig: ReplicaRig, tokens: number, concurrency: number): Promise<RaceFigures> {
  const figures = emptyRace();
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < tokens) {
        next += 1;
        recordRace(figures, await raceOneToken(rig));
      }
    }),
  );
  return figures;
}

export interface RestartRaceFigures {
  /** All tokens together, then the ones sent the moment a restarted replica said it was listening. */
  all: RaceFigures;
  afterRestart: RaceFigures;
}

/**
 * Races `tokens` tokens at both replicas: a first part in steady state, then each replica in turn is stopped
 * (B killed, A terminated as a rollout would) and, the moment its successor says it is listening, a burst of
 * tokens goes to both at once (all in flight together), then the rest. The burst is where a cold connection pool
 * used to let a token through twice.
 */
export async function raceAcrossRestarts(
  rig: ReplicaRig,
  tokens: number,
  options: { concurrency: number; burst: number },
): Promise<RestartRaceFigures> {
  const all = emptyRace();
  const afterRestart = emptyRace();
  const merge = (part: RaceFigures, into: RaceFigures): void => {
    into.tokens += part.tokens;
    into.acceptedOnce += part.acceptedOnce;
    into.acceptedTwice += part.acceptedTwice;
    for (const [pair, n] of Object.entries(part.other)) {
      into.other[pair] = (into.other[pair] ?? 0) + n;
    }
  };
  const steady = Math.max(0, Math.floor((tokens - 2 * options.burst) / 3));
  merge(await raceTokens(rig, steady, options.concurrency), all);
  for (const [name, signal] of [
    ['B', 'SIGKILL'],
    ['A', 'SIGTERM'],
  ] as const) {
    await rig.restart(name, signal);
    const burst = await raceTokens(rig, options.burst, options.burst);
    merge(burst, all);
    merge(burst, afterRestart);
    merge(await raceTokens(rig, steady, options.concurrency), all);
  }
  merge(await raceTokens(rig, Math.max(0, tokens - all.tokens), options.concurrency), all);
  return { all, afterRestart };
}

/**
 * Waits until every replica's /readyz reports its store open (the database answered its liveness probe). Resolves
 * with the replicas that did not get there in time or exited, so a caller can report them rather than stop.
 */
export async function untilStoresOpen(rig: ReplicaRig, timeoutMs: number): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  const problems: string[] = [];
  for (const name of REPLICA_NAMES) {
    const replica = rig.replica(name);
    for (;;) {
      if (replica.child.exitCode !== null || replica.child.signalCode !== null) {
        problems.push(`replica ${name} exited (${String(replica.child.exitCode ?? replica.child.signalCode)})`);
        break;
      }
      const store = await fetch(`${replica.baseUrl}/readyz`, { signal: AbortSignal.timeout(5_000) })
        .then(async (res) => ((await res.json()) as { checks: { store: string } }).checks.store)
        .catch(() => 'no answer');
      if (store === 'open') {
        break;
      }
      if (Date.now() > deadline) {
        problems.push(`replica ${name}: store still ${store} after ${String(timeoutMs)} ms`);
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  return problems;
}

/** The lines a crash leaves in a process's output (Node's uncaught-exception report). */
export function crashLines(output: readonly string[]): string[] {
  return output
    .join('\n')
    .split('\n')
    .filter((line) =>
      /Unhandled 'error' event|uncaughtException|UnhandledPromiseRejection|^\s+at .*node_modules/.test(line),
    )
    .slice(0, 5);
}
