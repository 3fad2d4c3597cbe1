/*
 * npx tsx bench/soak.ts [minutes=10] [rate=50] — a soak test of POST /cds-services/oncology-encounter-sign.
 * Starts the service in this process on 127.0.0.1 (real JWT verification: every call carries its own ES384 token;
 * feedback store in memory; logs off), then sends calls open-loop at a fixed rate (calls per second) for the given
 * minutes and stops by itself. process.memoryUsage() is sampled every 10 s; at the start (after a warm-up) and at the
 * end (after the last call has answered) the heap is also measured after a full GC, which is the figure to watch for
 * leaks. Prints start / end / max heapUsed and RSS with the growth, the request and error counts and the latency
 * percentiles. Loopback only. Not part of the test suite: the figures depend on the machine.
 *
 * Expected growth: the replay guard remembers each JWT id until its token could no longer be accepted (exp, at most
 * iat + 15 min, plus 60 s of clock skew: 6 minutes for the local issuer's 5-minute tokens) and sweeps every 30 s, so
 * the heap grows with the number of calls for the first ~6 minutes and should then level off.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { SMALL } from './request-fixtures.js';
import { startLoopbackService } from './loopback-service.js';

const minutes = Number(process.argv[2] ?? '10');
const rate = Number(process.argv[3] ?? '50');
if (!(minutes > 0 && minutes <= 24 * 60) || !(rate > 0 && rate <= 5_000)) {
  console.error('usage: npx tsx bench/soak.ts [minutes (0-1440], default 10] [calls per second (0-5000], default 50]');
  process.exit(2);
}
const SAMPLE_EVERY_MS = 10_000;
const WARMUP_CALLS = 100;
const MAX_IN_FLIGHT = 2_000;
const DRAIN_TIMEOUT_MS = 30_000;
const CALL_TIMEOUT_MS = 10_000;

// A full GC on demand, for the retained-heap figures (the flag only has to be set before the function is made).
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const loopback = await startLoopbackService({
  // One issuer sends everything: the per-issuer limit must not turn the soak into a 429 test.
  RATE_LIMIT_PER_MINUTE: String(Math.max(6_000, Math.ceil(rate * 60 * 2))),
});
const { issuer } = loopback;

const url = `${loopback.baseUrl}/cds-services/oncology-encounter-sign`;
const body = JSON.stringify(SMALL());

const statuses = new Map<string, number>();
const latencies: number[] = [];
let sent = 0;
let errors = 0;
let dropped = 0;
let inFlight = 0;

async function call(): Promise<void> {
  const token = issuer.sign(url);
  const started = performance.now();
  inFlight += 1;
  sent += 1;
  let outcome: string;
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body,
      signal: AbortSignal.timeout(CALL_TIMEOUT_MS),
    });
    await response.arrayBuffer();
    outcome = String(response.status);
    if (response.status !== 200) {
      errors += 1;
    }
  } catch (error) {
    outcome = error instanceof Error ? error.name : 'error';
    errors += 1;
  } finally {
    inFlight -= 1;
  }
  latencies.push(performance.now() - started);
  statuses.set(outcome, (statuses.get(outcome) ?? 0) + 1);
}

const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
const signedMb = (bytes: number): string => `${bytes >= 0 ? '+' : '-'}${mb(Math.abs(bytes))}`;

interface Sample {
  readonly atSeconds: number;
  readonly heapUsed: number;
  readonly rss: number;
}
const samples: Sample[] = [];
const sample = (atSeconds: number): Sample => {
  const { heapUsed, rss } = process.memoryUsage();
  const s = { atSeconds, heapUsed, rss };
  samples.push(s);
  return s;
};

// Warm-up (JIT, key cache, engine), then the baseline after a full GC.
for (let i = 0; i < WARMUP_CALLS; i += 1) {
  await call();
}
const warmupStatuses = [...statuses.entries()];
statuses.clear();
latencies.length = 0;
sent = 0;
errors = 0;
gc();
const start = sample(0);
const startRetained = start.heapUsed;

console.log(
  `soak: ${String(minutes)} min at ${String(rate)} calls/s to ${url} (${(body.length / 1024).toFixed(0)} KB request, ` +
    `ES384 JWT each); warm-up ${String(WARMUP_CALLS)} calls: ${warmupStatuses.map(([s, n]) => `${s}: ${String(n)}`).join(', ')}`,
);
console.log(`soak: t=0 s heapUsed ${mb(start.heapUsed)} (after GC), rss ${mb(start.rss)}`);

const durationMs = minutes * 60_000;
const intervalMs = 1000 / rate;
const began = performance.now();
let nextSample = SAMPLE_EVERY_MS;
const pending = new Set<Promise<void>>();

// Open loop: call i is due at began + i * interval, whatever the earlier calls are doing.
for (let i = 0; ; i += 1) {
  const due = i * intervalMs;
  if (due >= durationMs) {
    break;
  }
  const wait = due - (performance.now() - began);
  if (wait > 1) {
    await new Promise((resolve) => setTimeout(resolve, wait));
  }
  const elapsed = performance.now() - began;
  if (elapsed >= nextSample) {
    const s = sample(Math.round(elapsed / 1000));
    console.log(
      `soak: t=${String(s.atSeconds)} s heapUsed ${mb(s.heapUsed)}, rss ${mb(s.rss)}, sent ${String(sent)}, ` +
        `errors ${String(errors)}, in flight ${String(inFlight)}`,
    );
    nextSample += SAMPLE_EVERY_MS;
  }
  if (inFlight >= MAX_IN_FLIGHT) {
    dropped += 1;
    continue;
  }
  const p = call();
  pending.add(p);
  void p.finally(() => pending.delete(p));
}

// Let the last calls answer (bounded), then the end figures, raw and after a full GC.
let drainTimer: NodeJS.Timeout | undefined;
await Promise.race([
  Promise.allSettled([...pending]),
  new Promise((resolve) => {
    drainTimer = setTimeout(resolve, DRAIN_TIMEOUT_MS);
  }),
]);
clearTimeout(drainTimer);
const wallSeconds = (performance.now() - began) / 1000;
const endRaw = sample(Math.round(wallSeconds));
gc();
const endRetained = process.memoryUsage().heapUsed;

latencies.sort((a, b) => a - b);
const at = (q: number): number =>
  latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? Number.NaN;
const maxHeap = Math.max(...samples.map((s) => s.heapUsed));
const maxRss = Math.max(...samples.map((s) => s.rss));
const statusText = [...statuses.entries()].map(([s, n]) => `${s}: ${String(n)}`).join(', ');

console.log(
  `soak: ${String(sent)} requests in ${wallSeconds.toFixed(1)} s (${(sent / wallSeconds).toFixed(1)}/s), ` +
    `${String(errors)} errors, ${String(dropped)} not sent (over ${String(MAX_IN_FLIGHT)} in flight); statuses ${statusText}`,
);
console.log(
  `soak: latency p50 ${at(0.5).toFixed(2)} ms, p90 ${at(0.9).toFixed(2)} ms, p99 ${at(0.99).toFixed(2)} ms, ` +
    `max ${at(1).toFixed(2)} ms`,
);
console.log(
  `soak: heapUsed start ${mb(start.heapUsed)}, end ${mb(endRaw.heapUsed)}, max ${mb(maxHeap)}, ` +
    `growth ${signedMb(endRaw.heapUsed - start.heapUsed)}; after full GC start ${mb(startRetained)}, ` +
    `end ${mb(endRetained)}, growth ${signedMb(endRetained - startRetained)} ` +
    `(${((endRetained - startRetained) / Math.max(1, sent)).toFixed(0)} B per request)`,
);
console.log(
  `soak: rss start ${mb(start.rss)}, end ${mb(endRaw.rss)}, max ${mb(maxRss)}, growth ${signedMb(endRaw.rss - start.rss)}`,
);

await loopback.close();
process.exitCode = errors > 0 ? 1 : 0;
