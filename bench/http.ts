/*
 * HTTP side by side: the service and two express baselines, each in its own process, driven by autocannon from
 * this one (2 cores: one for the server under test, one for the load).
 *   parse-only   — express.json with the service's limit and content types, answers {"cards":[]};
 *   parse+verify — the same, after checking the request JWT's ES384 signature with node:crypto (key imported once):
 *                  what CDS Hooks requires of every call, so the real limit of any conforming service.
 * Every request carries its own ES384 JWT, signed before each round (the service refuses a replayed jti; the
 * baselines only check the signature or ignore it), so signing costs the load nothing during the run.
 *
 * Rounds: within a round each server gets the same load for the same time, one after the other, in an order that
 * alternates between rounds (A B C, C B A, ...), so a drift in the machine's speed falls on all of them alike. The
 * ratios are taken round by round and the median reported, with their min and max. An A/A pair — a second service
 * process measured in the same rounds on the small request — shows how far two identical servers differ here: a
 * ratio inside that spread is noise.
 *
 * Every response the service sends (closed loop, open loop, warm-ups) is checked against bench/expected-cards.json
 * by autocannon's per-response hook and the open loop's body callback (bench/card-check.ts).
 */
import type { ChildProcess } from 'node:child_process';
import autocannon from 'autocannon';
import { startLocalIssuer, type LocalIssuer } from '../src/devtools/local-issuer.js';
import { startBenchServer } from './bench-server.js';
import { createCardCheck, readExpectedCards, type CardCheck, type RequestName } from './card-check.js';
import { openLoop } from './open-loop.js';
import { LARGE, SMALL } from './request-fixtures.js';

const OPEN_LOOP_RATE = 200;

export interface LoadResult {
  readonly requestsPerSecond: number;
  readonly p50: number;
  readonly p99: number;
  readonly non2xx: number;
  readonly errors: number;
  readonly requests: number;
}

type Mode = 'service' | 'parse' | 'verify';

interface Server {
  readonly mode: Mode;
  readonly child: ChildProcess;
  readonly port: number;
  readonly url: string;
  /** Requests per second of this server's last round on each request, to size the next round's tokens. */
  readonly lastRate: Map<RequestName, number>;
}

async function startServer(mode: Mode, issuer: LocalIssuer): Promise<Server> {
  const { child, port, url } = await startBenchServer({ mode, issuer });
  return { mode, child, port, url, lastRate: new Map() };
}

function tokens(issuer: LocalIssuer, server: Server, count: number): string[] {
  return Array.from({ length: count }, () => `Bearer ${issuer.sign(server.url)}`);
}

/** The parse+verify baseline must check signatures for real: a good token passes, a tampered one is refused. */
async function assertVerifies(issuer: LocalIssuer, server: Server, body: string): Promise<void> {
  const good = issuer.sign(server.url);
  const [head, payload, signature = ''] = good.split('.');
  const flipped = signature.startsWith('A') ? `B${signature.slice(1)}` : `A${signature.slice(1)}`;
  const send = (token: string) =>
    fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body,
    });
  const [accepted, refused] = [await send(good), await send(`${head ?? ''}.${payload ?? ''}.${flipped}`)];
  await Promise.all([accepted.arrayBuffer(), refused.arrayBuffer()]);
  if (accepted.status !== 200 || refused.status !== 401) {
    throw new Error(
      `parse+verify baseline: good token ${String(accepted.status)}, bad signature ${String(refused.status)} (want 200, 401)`,
    );
  }
}

async function load(
  server: Server,
  issuer: LocalIssuer,
  body: string,
  options: { duration: number; connections: number; expectedRate: number; check?: CardCheck },
): Promise<LoadResult> {
  // Enough fresh tokens for the round, with room; past them each request signs its own (never a replay).
  const bearer = tokens(issuer, server, Math.ceil(options.expectedRate * options.duration * 1.5) + 100);
  let next = 0;
  const { check } = options;
  const result = await autocannon({
    url: server.url,
    method: 'POST',
    connections: options.connections,
    duration: options.duration,
    headers: { 'content-type': 'application/json' },
    body,
    requests: [
      {
        setupRequest: (request) => {
          const token = bearer[next] ?? `Bearer ${issuer.sign(server.url)}`;
          next += 1;
          return { ...request, headers: { ...request.headers, authorization: token } };
        },
        ...(check
          ? {
              onResponse: (status: number, responseBody: string) => {
                check.check(status, responseBody);
              },
            }
          : {}),
      },
    ],
  });
  return {
    requestsPerSecond: Math.round(result.requests.average * 10) / 10,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
    requests: result.requests.total,
  };
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? NaN) : ((sorted[mid - 1] ?? NaN) + (sorted[mid] ?? NaN)) / 2;
};
const round2 = (n: number) => Math.round(n * 100) / 100;

/** Field by field median of several rounds (counts are summed). */
function medianOf(results: readonly LoadResult[]): LoadResult {
  const sum = (f: (r: LoadResult) => number) => results.reduce((a, r) => a + f(r), 0);
  return {
    requestsPerSecond: round2(median(results.map((r) => r.requestsPerSecond))),
    p50: median(results.map((r) => r.p50)),
    p99: median(results.map((r) => r.p99)),
    non2xx: sum((r) => r.non2xx),
    errors: sum((r) => r.errors),
    requests: sum((r) => r.requests),
  };
}

export interface Ratio {
  /** Median over rounds of service / baseline requests per second, each round's pair measured back to back. */
  readonly median: number;
  readonly min: number;
  readonly max: number;
}

function ratioOf(a: readonly LoadResult[], b: readonly LoadResult[]): Ratio {
  const each = a.map((r, i) => r.requestsPerSecond / (b[i]?.requestsPerSecond ?? NaN));
  return { median: round2(median(each)), min: round2(Math.min(...each)), max: round2(Math.max(...each)) };
}

export interface SizeResult {
  readonly bytes: number;
  readonly rounds: number;
  readonly service: LoadResult;
  readonly parseOnly: LoadResult;
  readonly parseVerify: LoadResult;
  /** service / parse-only, service / parse+verify. */
  readonly ratioParse: Ratio;
  readonly ratioVerify: Ratio;
  /** What verifying costs the baseline: parse+verify / parse-only. */
  readonly verifyOverParse: Ratio;
}

export interface HttpBenchResult {
  readonly connections: number;
  readonly secondsPerRound: number;
  readonly large: SizeResult;
  readonly small: SizeResult;
  /** Service vs a second service process, small request, same rounds: the noise floor of every ratio here. */
  readonly aa: Ratio & { readonly spreadPercent: number };
  readonly openLoopSmall: {
    readonly rate: number;
    readonly service: LoadResult;
    readonly parseOnly: LoadResult;
    readonly parseVerify: LoadResult;
  };
  readonly cards: {
    readonly checked: number;
    readonly mismatches: number;
    readonly firstMismatch?: string;
  };
}

export async function runHttpBench(
  options: { duration?: number; connections?: number; rounds?: number; openLoopSeconds?: number } = {},
): Promise<HttpBenchResult> {
  const duration = options.duration ?? 4;
  const connections = options.connections ?? 10;
  const rounds = options.rounds ?? 5;
  const openLoopSeconds = options.openLoopSeconds ?? 10;
  const expected = readExpectedCards();
  const checks = { small: createCardCheck(expected.small), large: createCardCheck(expected.large) };
  const issuer = await startLocalIssuer();
  const servers: Server[] = [];
  try {
    const service = await startServer('service', issuer);
    servers.push(service);
    const parse = await startServer('parse', issuer);
    servers.push(parse);
    const verify = await startServer('verify', issuer);
    servers.push(verify);
    const service2 = await startServer('service', issuer);
    servers.push(service2);
    const bodies: Record<RequestName, string> = { large: JSON.stringify(LARGE()), small: JSON.stringify(SMALL()) };
    await assertVerifies(issuer, verify, bodies.small);
    const firstGuess: Record<RequestName, number> = { large: 600, small: 1500 };

    const measure = async (server: Server, request: RequestName, seconds: number): Promise<LoadResult> => {
      const result = await load(server, issuer, bodies[request], {
        duration: seconds,
        connections,
        expectedRate: server.lastRate.get(request) ?? firstGuess[request],
        ...(server.mode === 'service' ? { check: checks[request] } : {}),
      });
      server.lastRate.set(request, result.requestsPerSecond);
      return result;
    };

    const bySize = async (request: RequestName, order: readonly Server[]) => {
      for (const server of order) {
        await measure(server, request, 2); // warm-up
      }
      const results = new Map<Server, LoadResult[]>(order.map((s) => [s, []]));
      for (let round = 0; round < rounds; round += 1) {
        for (const server of round % 2 === 0 ? order : [...order].reverse()) {
          results.get(server)?.push(await measure(server, request, duration));
        }
      }
      return (server: Server): LoadResult[] => results.get(server) ?? [];
    };

    const size = (request: RequestName, of: (s: Server) => LoadResult[]): SizeResult => ({
      bytes: bodies[request].length,
      rounds,
      service: medianOf(of(service)),
      parseOnly: medianOf(of(parse)),
      parseVerify: medianOf(of(verify)),
      ratioParse: ratioOf(of(service), of(parse)),
      ratioVerify: ratioOf(of(service), of(verify)),
      verifyOverParse: ratioOf(of(verify), of(parse)),
    });

    const large = size('large', await bySize('large', [service, parse, verify]));
    const smallRuns = await bySize('small', [service, parse, verify, service2]);
    const small = size('small', smallRuns);
    const aaRatio = ratioOf(smallRuns(service), smallRuns(service2));
    const aa = {
      ...aaRatio,
      spreadPercent: Math.round(((aaRatio.max - aaRatio.min) / aaRatio.median) * 1000) / 10,
    };

    // Open loop at a constant 200 req/s (bench/open-loop.ts says why not autocannon's overallRate), after a warm-up.
    // The same loop against both baselines: what the load generator, the machine and the signature add to a tail.
    const constantRate = async (server: Server) => {
      const signed = tokens(issuer, server, OPEN_LOOP_RATE * (openLoopSeconds + 2) + 100);
      const authorization = (i: number) => signed[i] ?? `Bearer ${issuer.sign(server.url)}`;
      const check =
        server.mode === 'service'
          ? (status: number, body: string) => {
              checks.small.check(status, body);
            }
          : undefined;
      const common = { url: server.url, body: bodies.small, rate: OPEN_LOOP_RATE, ...(check ? { check } : {}) };
      await openLoop({ ...common, authorization, durationSeconds: 2 });
      const offset = OPEN_LOOP_RATE * 2;
      return openLoop({ ...common, authorization: (i) => authorization(i + offset), durationSeconds: openLoopSeconds });
    };
    const openLoopSmall = {
      rate: OPEN_LOOP_RATE,
      service: await constantRate(service),
      parseOnly: await constantRate(parse),
      parseVerify: await constantRate(verify),
    };

    const firstMismatch = checks.small.firstMismatch() ?? checks.large.firstMismatch();
    return {
      connections,
      secondsPerRound: duration,
      large,
      small,
      aa,
      openLoopSmall,
      cards: {
        checked: checks.small.checked() + checks.large.checked(),
        mismatches: checks.small.mismatches() + checks.large.mismatches(),
        ...(firstMismatch !== undefined ? { firstMismatch } : {}),
      },
    };
  } finally {
    for (const server of servers) {
      server.child.kill('SIGTERM');
    }
    await issuer.close();
  }
}

if (import.meta.url === `file://${process.argv[1] ?? ''}`) {
  console.log(JSON.stringify(await runHttpBench({ duration: Number(process.argv[2] ?? '4') }), null, 2));
}
