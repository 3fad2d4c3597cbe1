/*
 * A constant-rate open loop: request i is due at start + i / rate, whatever happened to the ones before it, and its
 * latency is counted from when it was due, not from when it was sent. A stall therefore shows in every request it
 * delays (no coordinated omission), and arrivals are evenly spaced.
 *
 * Why not autocannon's overallRate: it gives each connection its own timer at rate / connections, all started at
 * once, so with 10 connections the requests arrive in bursts of 10 every 50 ms at 200 req/s. Measured on this
 * machine with the small request: p99 27-29 ms for the service and 12-13 ms for the parse-only baseline, most of
 * which is each burst's own queue; with one connection the bursts go, but a stall then delays the next sends,
 * which autocannon does not count. autocannon stays the tool for the closed-loop throughput runs.
 */
import { Agent, request } from 'node:http';
import type { LoadResult } from './http.js';

export interface OpenLoopOptions {
  readonly url: string;
  readonly body: string;
  /** The Authorization header of request i (each service call needs its own token). */
  readonly authorization: (i: number) => string;
  readonly rate: number;
  readonly durationSeconds: number;
  /** Told each response's status and body (the benchmark's card check); without it bodies are discarded unread. */
  readonly check?: (status: number, body: string) => void;
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

export async function openLoop(options: OpenLoopOptions): Promise<LoadResult> {
  const target = new URL(options.url);
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const body = Buffer.from(options.body);
  const total = Math.round(options.rate * options.durationSeconds);
  const intervalMs = 1000 / options.rate;
  const latencies: number[] = [];
  let non2xx = 0;
  let errors = 0;

  const send = (i: number, dueAt: number): Promise<void> =>
    new Promise((resolve) => {
      const req = request(
        {
          agent,
          host: target.hostname,
          port: target.port,
          path: target.pathname,
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'content-length': body.length,
            authorization: options.authorization(i),
          },
        },
        (res) => {
          const { check } = options;
          const chunks: Buffer[] = [];
          if (check) {
            res.on('data', (chunk: Buffer) => chunks.push(chunk));
          } else {
            res.resume();
          }
          res.on('end', () => {
            latencies.push(performance.now() - dueAt);
            check?.(res.statusCode ?? 0, Buffer.concat(chunks).toString('utf8'));
            if (res.statusCode === undefined || res.statusCode < 200 || res.statusCode >= 300) {
              non2xx += 1;
            }
            resolve();
          });
        },
      );
      req.on('error', () => {
        errors += 1;
        resolve();
      });
      req.end(body);
    });

  const started = performance.now();
  const inFlight: Promise<void>[] = [];
  let next = 0;
  while (next < total) {
    const now = performance.now();
    // Everything due by now goes out now; a late timer shows as latency, since each is timed from when it was due.
    while (next < total && started + next * intervalMs <= now) {
      inFlight.push(send(next, started + next * intervalMs));
      next += 1;
    }
    const wait = started + next * intervalMs - performance.now();
    if (wait > 0) {
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
  await Promise.all(inFlight);
  const elapsedSeconds = (performance.now() - started) / 1000;
  agent.destroy();
  const sorted = [...latencies].sort((a, b) => a - b);
  const round1 = (n: number) => Math.round(n * 10) / 10;
  return {
    requestsPerSecond: round1(latencies.length / elapsedSeconds),
    p50: round1(percentile(sorted, 50)),
    p99: round1(percentile(sorted, 99)),
    non2xx,
    errors,
    requests: latencies.length + errors,
  };
}
