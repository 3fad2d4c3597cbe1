/*
 * npx tsx scripts/fuzz.ts [count=100000] — fuzzes POST /cds-services/oncology-encounter-sign on a real listening
 * server (127.0.0.1, an ephemeral port), with the generators of tests/property/fuzz.prop.test.ts
 * (test-support/fuzz-arbitraries.ts). Every request carries its own valid ES384 JWT. Each case is checked for: an
 * answer within 10 s, no 5xx, JSON (an OperationOutcome for errors) except an empty 401, a `cards` array and no null
 * in a 200, and (long strings) time linear in length. Failures are counted, not shrunk, and grouped by kind; the
 * first case of each kind is printed as its descriptor, which rebuilds the exact request. FUZZ_SEED=<n> replays a
 * run. Loopback only. Exits 1 on any failure.
 */
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import {
  anyCase,
  CALL_DEADLINE_MS,
  failureMessage,
  runFuzzCase,
  type FuzzRequest,
  type FuzzResponse,
} from '../test-support/fuzz-arbitraries.js';
import { ENCOUNTER_SIGN, startHarness } from '../test-support/service-harness.js';

const count = Number(process.argv[2] ?? '100000');
if (!Number.isInteger(count) || count < 1) {
  console.error('usage: npx tsx scripts/fuzz.ts [count]');
  process.exit(2);
}
const seed = process.env.FUZZ_SEED !== undefined ? Number(process.env.FUZZ_SEED) : Date.now() % 2_147_483_647;
const PROGRESS_EVERY = 5_000;
const PRINT_KINDS = 20;

/** A failure's kind: its family and its violations with the numbers taken out. */
const kindOf = (family: string, violations: readonly string[]): string =>
  `${family}: ${violations.map((v) => v.replace(/\(status.*$/, '').replace(/\d+/g, 'N')).join('; ')}`.slice(0, 160);

// The harness: real config, a loopback JWKS, a real SQLite file. Only error lines are kept (unhandled errors). The
// per-issuer rate limit would answer 429 to most of the run: it is lifted.
const h = await startHarness({ logLevel: 'error', env: { RATE_LIMIT_PER_MINUTE: '1000000' } });
const server = h.service.app.listen(0, '127.0.0.1');
await once(server, 'listening');
const origin = `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`;
console.log(`fuzz: ${String(count)} cases against ${origin}${ENCOUNTER_SIGN}, seed ${String(seed)}`);

async function send(request: FuzzRequest): Promise<FuzzResponse> {
  const path = request.path ?? ENCOUNTER_SIGN;
  const headers: Record<string, string> = {
    authorization: h.bearer(path),
    'content-type': request.contentType,
  };
  if (request.contentEncoding !== undefined) {
    headers['content-encoding'] = request.contentEncoding;
  }
  const started = performance.now();
  try {
    const response = await fetch(`${origin}${path}`, {
      method: 'POST',
      headers,
      body: request.body,
      signal: AbortSignal.timeout(CALL_DEADLINE_MS),
    });
    const text = await response.text();
    return {
      status: response.status,
      contentType: response.headers.get('content-type') ?? undefined,
      text,
      ms: performance.now() - started,
    };
  } catch (error) {
    return {
      status: 0,
      contentType: undefined,
      text: '',
      ms: performance.now() - started,
      error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
    };
  }
}

let cases = 0;
let failures = 0;
let fiveHundreds = 0;
let requests = 0;
let bytes = 0;
const statuses = new Map<number, number>();
const failureKinds = new Map<string, number>();
const started = Date.now();

await fc.assert(
  fc.asyncProperty(anyCase, async (c) => {
    const outcome = await runFuzzCase(c, send);
    cases += 1;
    requests += outcome.responses.length;
    bytes += outcome.bytes;
    for (const r of outcome.responses) {
      statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
      if (r.status >= 500) {
        fiveHundreds += 1;
      }
    }
    if (outcome.violations.length > 0) {
      failures += 1;
      const kind = kindOf(c.family, outcome.violations);
      const seen = failureKinds.get(kind) ?? 0;
      failureKinds.set(kind, seen + 1);
      if (seen === 0 && failureKinds.size <= PRINT_KINDS) {
        console.log(`FAIL (new kind ${String(failureKinds.size)}): ${failureMessage(c, outcome)}`);
      }
    }
    if (cases % PROGRESS_EVERY === 0) {
      const seconds = (Date.now() - started) / 1000;
      console.log(
        `fuzz: ${String(cases)}/${String(count)} cases, ${String(failures)} failures, ${String(fiveHundreds)} 5xx ` +
          `(${seconds.toFixed(0)} s, ${(cases / seconds).toFixed(0)} cases/s)`,
      );
    }
    // Failures are counted above; the run goes on so that one bug does not hide the next.
    return true;
  }),
  { numRuns: count, seed },
);

const seconds = (Date.now() - started) / 1000;
const summary = [...statuses.entries()].sort(([a], [b]) => a - b).map(([s, n]) => `${String(s)}: ${String(n)}`);
const unhandled = h.logs().filter((line) => line.msg === 'unhandled error').length;
console.log(
  `fuzz: ${String(requests)} requests (${(bytes / 1e6).toFixed(1)} MB) in ${seconds.toFixed(1)} s; statuses ` +
    `${summary.join(', ')}; server logged ${String(unhandled)} unhandled errors; seed ${String(seed)}`,
);
for (const [kind, n] of [...failureKinds.entries()].sort(([, a], [, b]) => b - a)) {
  console.log(`fuzz: ${String(n)} x ${kind}`);
}
console.log(`fuzz: ${String(cases)} cases, ${String(failures)} failures, ${String(fiveHundreds)} 5xx`);

server.closeAllConnections();
await new Promise<void>((resolve) =>
  server.close(() => {
    resolve();
  }),
);
await h.close();
process.exitCode = failures > 0 ? 1 : 0;
