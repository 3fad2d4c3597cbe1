/*
 * HTTP side by side: the service and a parse-only express baseline, each in its own process, driven by autocannon
 * from this one (2 cores: one for the server under test, one for the load). Every request carries its own ES384 JWT,
 * signed before the run (the service verifies it; the baseline ignores it), so signing costs nothing in the run.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import autocannon from 'autocannon';
import { startLocalIssuer, type LocalIssuer } from '../src/devtools/local-issuer.js';
import { projectRoot } from '../src/paths.js';
import { freePort } from '../test-support/server-process.js';
import { openLoop } from './open-loop.js';
import { LARGE, SMALL } from './request-fixtures.js';

const PATH = '/cds-services/oncology-encounter-sign';
const OPEN_LOOP_RATE = 200;

export interface LoadResult {
  readonly requestsPerSecond: number;
  readonly p50: number;
  readonly p99: number;
  readonly non2xx: number;
  readonly errors: number;
  readonly requests: number;
}

async function startServer(
  mode: 'service' | 'baseline',
  issuer: LocalIssuer,
): Promise<{ child: ChildProcess; port: number }> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/server-process.ts', mode, String(port)], {
    cwd: projectRoot,
    env: { ...process.env, CDS_TRUSTED_ISSUERS: JSON.stringify([{ iss: issuer.iss, jku: issuer.jku }]) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('ready')) {
        resolve();
      }
    });
    child.on('exit', (code) => {
      reject(new Error(`${mode} exited ${String(code)}`));
    });
  });
  return { child, port };
}

function tokens(issuer: LocalIssuer, port: number, count: number): string[] {
  const aud = `http://127.0.0.1:${String(port)}${PATH}`;
  return Array.from({ length: count }, () => `Bearer ${issuer.sign(aud)}`);
}

async function load(
  port: number,
  body: string,
  bearer: readonly string[],
  options: { duration: number; connections: number },
): Promise<LoadResult> {
  let next = 0;
  const result = await autocannon({
    url: `http://127.0.0.1:${String(port)}${PATH}`,
    method: 'POST',
    connections: options.connections,
    duration: options.duration,
    headers: { 'content-type': 'application/json' },
    body,
    requests: [
      {
        setupRequest: (request) => {
          const token = bearer[next % bearer.length] ?? '';
          next += 1;
          return { ...request, headers: { ...request.headers, authorization: token } };
        },
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

export interface HttpBenchResult {
  readonly large: {
    readonly bytes: number;
    readonly service: LoadResult;
    readonly baseline: LoadResult;
    readonly ratio: number;
  };
  readonly small: {
    readonly bytes: number;
    readonly service: LoadResult;
    readonly baseline: LoadResult;
    readonly ratio: number;
  };
  readonly openLoopSmall: { readonly rate: number; readonly service: LoadResult; readonly baseline: LoadResult };
}

export async function runHttpBench(
  options: { duration?: number; connections?: number } = {},
): Promise<HttpBenchResult> {
  const duration = options.duration ?? 10;
  const connections = options.connections ?? 10;
  const issuer = await startLocalIssuer();
  const service = await startServer('service', issuer);
  const baseline = await startServer('baseline', issuer);
  try {
    const large = JSON.stringify(LARGE());
    const small = JSON.stringify(SMALL());
    const run = async (port: number, body: string, unique: number) => {
      await load(port, body, tokens(issuer, port, 200), { duration: 2, connections }); // warm-up
      // The service refuses a replayed jti, so each of its requests needs its own token; the baseline ignores them.
      const signed = unique > 0 ? tokens(issuer, port, unique) : tokens(issuer, port, 200);
      return load(port, body, signed, { duration, connections });
    };
    const largeService = await run(service.port, large, 600 * duration);
    const largeBaseline = await run(baseline.port, large, 0);
    const smallService = await run(service.port, small, 1500 * duration);
    const smallBaseline = await run(baseline.port, small, 0);
    // Open loop at a constant 200 req/s (bench/open-loop.ts says why not autocannon's overallRate), after a warm-up.
    const constantRate = async (port: number, unique: boolean) => {
      const url = `http://127.0.0.1:${String(port)}${PATH}`;
      const signed = tokens(issuer, port, unique ? OPEN_LOOP_RATE * (duration + 2) : 200);
      const authorization = (i: number) => signed[i % signed.length] ?? '';
      await openLoop({ url, body: small, authorization, rate: OPEN_LOOP_RATE, durationSeconds: 2 });
      const offset = OPEN_LOOP_RATE * 2;
      return openLoop({
        url,
        body: small,
        authorization: (i) => authorization(i + offset),
        rate: OPEN_LOOP_RATE,
        durationSeconds: duration,
      });
    };
    const openLoopService = await constantRate(service.port, true);
    // The same open loop against the baseline: what the load generator and the machine add to every tail.
    const openLoopBaseline = await constantRate(baseline.port, false);
    const ratio = (a: LoadResult, b: LoadResult) => Math.round((a.requestsPerSecond / b.requestsPerSecond) * 100) / 100;
    return {
      large: {
        bytes: large.length,
        service: largeService,
        baseline: largeBaseline,
        ratio: ratio(largeService, largeBaseline),
      },
      small: {
        bytes: small.length,
        service: smallService,
        baseline: smallBaseline,
        ratio: ratio(smallService, smallBaseline),
      },
      openLoopSmall: { rate: OPEN_LOOP_RATE, service: openLoopService, baseline: openLoopBaseline },
    };
  } finally {
    service.child.kill('SIGTERM');
    baseline.child.kill('SIGTERM');
    await issuer.close();
  }
}

if (import.meta.url === `file://${process.argv[1] ?? ''}`) {
  console.log(JSON.stringify(await runHttpBench({ duration: Number(process.argv[2] ?? '10') }), null, 2));
}
