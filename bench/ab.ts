/*
 * A/B of service builds: the service of each checkout (its own bench/server-process.ts, its own src/) in its own
 * process, measured in alternating rounds at several connection counts, every response checked against
 * bench/expected-cards.json. For a change to src/ that should pay at every concurrency (the issue asks so of moving
 * the signature check off the event loop).
 *
 *   npx tsx bench/ab.ts --side main=/path/to/checkout --side async=/path/to/other,VERIFY_MODE=async \
 *     [--requests small,large] [--connections 1,8,32] [--rounds 3] [--seconds 3]
 *
 * The first side is the reference: each other side is reported as its median round-by-round ratio to it, with min
 * and max. Run an A/A (the same checkout twice) first to see how wide the noise is.
 */
import type { ChildProcess } from 'node:child_process';
import autocannon from 'autocannon';
import { startLocalIssuer, type LocalIssuer } from '../src/devtools/local-issuer.js';
import { startBenchServer } from './bench-server.js';
import { createCardCheck, readExpectedCards, type CardCheck, type RequestName } from './card-check.js';
import { LARGE, SMALL } from './request-fixtures.js';

interface Side {
  readonly name: string;
  readonly dir: string;
  readonly env: Record<string, string>;
}

interface Running extends Side {
  readonly child: ChildProcess;
  readonly url: string;
  readonly lastRate: Map<string, number>;
}

function parseSide(text: string): Side {
  const [head = '', ...envs] = text.split(',');
  const [name = '', dir = ''] = head.split('=');
  return { name, dir, env: Object.fromEntries(envs.map((e) => e.split('=') as [string, string])) };
}

async function start(side: Side, issuer: LocalIssuer): Promise<Running> {
  const { child, url } = await startBenchServer({
    mode: 'service',
    issuer,
    cwd: side.dir,
    env: side.env,
    name: side.name,
  });
  return { ...side, child, url, lastRate: new Map() };
}

interface Run {
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  readonly non2xx: number;
}

async function load(
  side: Running,
  issuer: LocalIssuer,
  body: string,
  seconds: number,
  connections: number,
  key: string,
  check: CardCheck,
): Promise<Run> {
  const count = Math.ceil((side.lastRate.get(key) ?? 300) * seconds * 1.5) + 100;
  const bearer = Array.from({ length: count }, () => `Bearer ${issuer.sign(side.url)}`);
  let next = 0;
  const result = await autocannon({
    url: side.url,
    method: 'POST',
    connections,
    duration: seconds,
    headers: { 'content-type': 'application/json' },
    body,
    requests: [
      {
        setupRequest: (request) => {
          const token = bearer[next] ?? `Bearer ${issuer.sign(side.url)}`;
          next += 1;
          return { ...request, headers: { ...request.headers, authorization: token } };
        },
        onResponse: (status: number, responseBody: string) => {
          check.check(status, responseBody);
        },
      },
    ],
  });
  side.lastRate.set(key, result.requests.average);
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, non2xx: result.non2xx };
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? NaN) : ((sorted[mid - 1] ?? NaN) + (sorted[mid] ?? NaN)) / 2;
};

const args = process.argv.slice(2);
const option = (name: string, fallback: string) => {
  const at = args.indexOf(`--${name}`);
  return at >= 0 ? (args[at + 1] ?? fallback) : fallback;
};
const sides = args.flatMap((a, i) => (a === '--side' ? [parseSide(args[i + 1] ?? '')] : []));
if (sides.length < 2) {
  throw new Error('give at least two --side NAME=DIR[,ENV=VALUE...]');
}
const requests = option('requests', 'small,large').split(',') as RequestName[];
const connectionCounts = option('connections', '1,8,32').split(',').map(Number);
const rounds = Number(option('rounds', '3'));
const seconds = Number(option('seconds', '3'));

const expected = readExpectedCards();
const checks = { small: createCardCheck(expected.small), large: createCardCheck(expected.large) };
const bodies: Record<RequestName, string> = { small: JSON.stringify(SMALL()), large: JSON.stringify(LARGE()) };
const issuer = await startLocalIssuer();
const running: Running[] = [];
try {
  for (const side of sides) {
    running.push(await start(side, issuer));
  }
  const rows: string[] = [];
  for (const request of requests) {
    for (const connections of connectionCounts) {
      const key = `${request}/${String(connections)}`;
      for (const side of running) {
        await load(side, issuer, bodies[request], 2, connections, key, checks[request]); // warm-up
      }
      const runs = new Map<Running, Run[]>(running.map((s) => [s, []]));
      for (let round = 0; round < rounds; round += 1) {
        for (const side of round % 2 === 0 ? running : [...running].reverse()) {
          runs.get(side)?.push(await load(side, issuer, bodies[request], seconds, connections, key, checks[request]));
        }
      }
      const reference = runs.get(running[0] as Running) ?? [];
      const cells = running.map((side) => {
        const own = runs.get(side) ?? [];
        const ratios = own.map((r, i) => r.rps / (reference[i]?.rps ?? NaN));
        const fix = (n: number) => n.toFixed(2);
        return `${side.name}: ${median(own.map((r) => r.rps)).toFixed(1)} req/s p50 ${String(median(own.map((r) => r.p50)))} p99 ${String(median(own.map((r) => r.p99)))} ms${side === running[0] ? '' : `, x${fix(median(ratios))} (${fix(Math.min(...ratios))}-${fix(Math.max(...ratios))})`}${own.some((r) => r.non2xx > 0) ? ' NON-2XX' : ''}`;
      });
      const row = `${request.padEnd(5)} c=${String(connections).padEnd(3)} ${cells.join(' | ')}`;
      rows.push(row);
      console.log(row);
    }
  }
  const mismatches = checks.small.mismatches() + checks.large.mismatches();
  console.log(
    `cards: ${String(checks.small.checked() + checks.large.checked())} responses checked, ${String(mismatches)} differ`,
  );
  if (mismatches > 0) {
    console.log(checks.small.firstMismatch() ?? checks.large.firstMismatch());
    process.exitCode = 1;
  }
} finally {
  for (const side of running) {
    side.child.kill('SIGTERM');
  }
  await issuer.close();
}
