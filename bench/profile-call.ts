/*
 * Where one service call's time goes. Runs the service (bench/server-process.ts) under `node --cpu-prof`, drives it
 * with autocannon on a benchmark request (bench/request-fixtures.ts), then reads the .cpuprofile and attributes every
 * sample taken during the timed window to a part of the call. Re-run it after a change to see what moved.
 *
 *   npx tsx bench/profile-call.ts [small|large] [--seconds 15] [--connections 10] [--interval 200] [--log info]
 *                                 [--mode service|parse|verify] [--out DIR]   (--mode: the baselines, for comparison)
 *   npx tsx bench/profile-call.ts --analyse PROFILE.cpuprofile META.json     (a profile captured before)
 *
 * Attribution: each sample's stack is read from the leaf up and the innermost frame that belongs to a named part
 * decides (a frame of helmet makes the sample helmet's, even when node's setHeader is the leaf). Libraries that
 * several parts call (zod, the store, node's crypto hashes, JSON.stringify, better-sqlite3) are named with their
 * nearest caller ("zod <- fhir/resources.ts"). Frames of express, node's http and stream code count as "HTTP
 * server, express routing" only when no named part is on the stack. The exclusive table sums to 100 % of the
 * main thread's busy samples; the inclusive table counts a sample for every part on its stack.
 *
 * µs per call: the share of busy samples times the server process's CPU time (user + sys, from /proc, all threads)
 * over the window, divided by the calls answered in it. Sampling follows wall time on a loaded machine, so shares
 * are what to trust; the CPU scaling keeps µs honest when other processes take the cores.
 */
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { startLocalIssuer } from '../src/devtools/local-issuer.js';
import { startBenchServer } from './bench-server.js';
import { createCardCheck, readExpectedCards, type RequestName } from './card-check.js';
import { LARGE, SMALL } from './request-fixtures.js';

interface CallFrame {
  readonly functionName: string;
  readonly url: string;
  readonly lineNumber: number;
  readonly columnNumber: number;
}
interface ProfileNode {
  readonly id: number;
  readonly callFrame: CallFrame;
  readonly children?: readonly number[];
}
interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly startTime: number;
  readonly endTime: number;
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}
export interface CaptureMeta {
  readonly request: RequestName;
  readonly mode?: string;
  /** CLOCK_MONOTONIC microseconds, the clock of the profile's timestamps. */
  readonly windowStartUs: number;
  readonly windowEndUs: number;
  readonly calls: number;
  readonly non2xx: number;
  readonly cpuSecondsInWindow: number;
  readonly connections: number;
  readonly cardsChecked: number;
  readonly cardMismatches: number;
}

/* ------------------------------------------------------------------------------------------------------------ */
/* Source lines: tsx runs each .ts file as esbuild's one-line output, so the profile's positions are columns of that
 * line (or a few). tsx keeps the output and its source map in its cache folder (os.tmpdir()/tsx-<uid>); mapping through it
 * names the source line of each frame. */

const VLQ = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Per generated line, [generated column, source line (0-based)] pairs in column order. */
function decodeMappings(mappings: string): [number, number][][] {
  const lines: [number, number][][] = [];
  let sourceLine = 0;
  for (const line of mappings.split(';')) {
    const out: [number, number][] = [];
    let column = 0;
    for (const segment of line === '' ? [] : line.split(',')) {
      const values: number[] = [];
      let value = 0;
      let shift = 0;
      for (const char of segment) {
        const digit = VLQ.indexOf(char);
        value += (digit & 31) << shift;
        if ((digit & 32) !== 0) {
          shift += 5;
        } else {
          values.push((value & 1) === 1 ? -(value >>> 1) : value >>> 1);
          value = 0;
          shift = 0;
        }
      }
      column += values[0] ?? 0;
      if (values.length >= 4) {
        sourceLine += values[2] ?? 0;
        out.push([column, sourceLine]);
      }
    }
    lines.push(out);
  }
  return lines;
}

function tsxSourceMaps(): Map<string, [number, number][][]> {
  const maps = new Map<string, { mtime: number; pairs: [number, number][][] }>();
  const dir = join(tmpdir(), `tsx-${String(process.getuid?.() ?? 0)}`);
  let files: string[];
  try {
    files = readdirSync(dir);
  } catch {
    return new Map();
  }
  for (const file of files) {
    try {
      const path = join(dir, file);
      const entry = JSON.parse(readFileSync(path, 'utf8')) as { map?: { sources?: string[]; mappings?: string } };
      const source = entry.map?.sources?.[0];
      if (source === undefined || entry.map?.mappings === undefined) {
        continue;
      }
      const mtime = statSync(path).mtimeMs;
      if ((maps.get(source)?.mtime ?? -1) < mtime) {
        maps.set(source, { mtime, pairs: decodeMappings(entry.map.mappings) });
      }
    } catch {
      // Not a cache entry of this shape.
    }
  }
  return new Map([...maps].map(([source, { pairs }]) => [source, pairs]));
}

let sourceMaps: Map<string, [number, number][][]> | undefined;

/** The 1-based source line of a frame of a project .ts file, when tsx's cache knows it. */
function sourceLine(frame: CallFrame): number | undefined {
  if (!frame.url.startsWith('file://') || !frame.url.endsWith('.ts')) {
    return undefined;
  }
  sourceMaps ??= tsxSourceMaps();
  const pairs = sourceMaps.get(fileURLToPath(frame.url))?.[frame.lineNumber];
  if (pairs === undefined || pairs.length === 0) {
    return undefined;
  }
  let lo = 0;
  let hi = pairs.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((pairs[mid]?.[0] ?? 0) <= frame.columnNumber) {
      lo = mid;
    } else {
      hi = mid - 1;
    }
  }
  return (pairs[lo]?.[1] ?? 0) + 1;
}

/* ------------------------------------------------------------------------------------------------------------ */
/* Attribution                                                                                                  */

interface Part {
  readonly name: string;
  readonly url?: RegExp;
  readonly fn?: RegExp;
  /** Named with the nearest caller part. */
  readonly byCaller?: boolean;
}

const nm = (names: string) => new RegExp(`node_modules/(${names})/`);

/** Innermost match wins; order matters only for frames two patterns could match. */
const PARTS: readonly Part[] = [
  { name: 'middleware: helmet', url: nm('helmet') },
  { name: 'middleware: CORS', url: nm('cors|vary|object-assign') },
  { name: 'middleware: rate limit', url: nm('express-rate-limit') },
  { name: 'request id (randomUUID)', url: /node:internal\/crypto\/random/, fn: /randomUUID/, byCaller: true },
  {
    name: 'pino access log',
    url: nm(
      'pino|fast-redact|sonic-boom|quick-format-unescaped|pino-std-serializers|thread-stream|fast-safe-stringify',
    ),
  },
  { name: 'metrics (prom-client)', url: nm('prom-client|tdigest|bintrees') },
  { name: 'metrics (prom-client)', url: /src\/observability\/metrics\.ts/ },
  { name: 'JWT: signature (node:crypto verify)', url: /node:internal\/crypto\/(sig|keys)/ },
  {
    name: 'JWT: decode, claims (jsonwebtoken, jws)',
    url: nm(
      'jsonwebtoken|jws|jwa|safe-buffer|buffer-equal-constant-time|ecdsa-sig-formatter|lodash\\.[a-z]+|ms|semver',
    ),
  },
  { name: 'JWT: checks (http/auth.ts)', url: /src\/http\/auth\.ts/ },
  { name: 'JWT: key lookup (http/jwks.ts)', url: /src\/http\/(jwks|pinned-keys)\.ts/ },
  { name: 'replay check (http/replay-guard.ts)', url: /src\/http\/replay-guard\.ts/ },
  { name: 'body read + JSON.parse (express.json)', url: nm('body-parser|raw-body|iconv-lite|content-type|bytes') },
  { name: 'zod', url: nm('zod'), byCaller: true },
  { name: 'JSON.stringify', url: /^$/, fn: /^stringify$/, byCaller: true },
  { name: 'node crypto hash/hmac', url: /node:internal\/crypto\/hash/, byCaller: true },
  { name: 'better-sqlite3', url: nm('better-sqlite3'), byCaller: true },
  { name: 'store (src/store)', url: /src\/store\//, byCaller: true },
  { name: 'JSON response: res.status/type/send, headers, write', url: /node_modules\/express\/lib\/response\.js/ },
  { name: 'app.ts glue (request id, log fields, handler)', url: /src\/http\/app\.ts/ },
  // The HTTP edge as laid out since the route-table restructuring (src/http/middleware, handlers; src/cds/invoke.ts).
  {
    name: 'request id + access-log middleware (http/middleware/request-context.ts)',
    url: /src\/http\/middleware\/request-context\.ts/,
  },
  { name: 'middleware: helmet', url: /src\/http\/middleware\/security\.ts/ },
  { name: 'middleware: rate limit', url: /src\/http\/middleware\/rate-limit\.ts/ },
  { name: 'JWT: checks (http/auth.ts)', url: /src\/http\/middleware\/authenticate\.ts/ },
  { name: 'content-type check + body (http/middleware/json-body.ts)', url: /src\/http\/middleware\/json-body\.ts/ },
  { name: 'HTTP edge glue (routes, handler, middleware)', url: /src\/http\/(routes|handler|handlers\/|middleware\/)/ },
  { name: 'hook-request validation (http/schemas.ts)', url: /src\/(http|cds)\/(schemas|hook-request)\.ts/ },
  { name: 'invoke glue (http/invoke.ts)', url: /src\/(http|cds)\/invoke\.ts/ },
  { name: 'snapshot: fhir/resources.ts (resource validation)', url: /src\/fhir\/shape\.ts/ },
  { name: 'prefetch gathering (fhir/gather.ts)', url: /src\/fhir\/gather\.ts/ },
  { name: 'snapshot: fhir/resources.ts (resource validation)', url: /src\/fhir\/resources\.ts/ },
  { name: 'snapshot: fhir/snapshot.ts (index)', url: /src\/fhir\/snapshot\.ts/ },
  { name: 'snapshot: fhir/* other', url: /src\/fhir\// },
  { name: 'facts (src/facts)', url: /src\/facts\// },
  { name: 'terminology', url: /src\/terminology\// },
  { name: 'rules (src/rules)', url: /src\/rules\// },
  { name: 'measures', url: /src\/measures\// },
  { name: 'card rendering (src/cds)', url: /src\/cds\// },
  { name: 'feedback loop: card identity, issuance (src/feedback)', url: /src\/feedback\// },
  { name: 'other src', url: /\/src\// },
];

/** Frames that are the plumbing of every request: named only when nothing more specific is on the stack. */
const PLUMBING: readonly Part[] = [
  { name: 'HTTP server, express routing, response write', url: nm('express|router|finalhandler|path-to-regexp') },
  { name: 'HTTP server, express routing, response write', url: nm('[a-z-]+') },
  { name: 'HTTP server, express routing, response write', url: /^node:/ },
];

function matches(part: Part, frame: CallFrame): boolean {
  return (part.url?.test(frame.url) ?? true) && (part.fn?.test(frame.functionName) ?? true);
}

const callerName = (name: string): string =>
  name.startsWith('app.ts') || name.startsWith('access log') ? 'http/app.ts' : name;

/** The part a stack (leaf first) belongs to. */
export function classify(stack: readonly CallFrame[]): string {
  const leaf = stack[0];
  if (leaf?.functionName === '(garbage collector)') {
    return 'GC';
  }
  if (leaf?.functionName === '(program)') {
    return 'native, unattributed (program)';
  }
  for (let i = 0; i < stack.length; i += 1) {
    const frame = stack[i] as CallFrame;
    const part = PARTS.find((p) => matches(p, frame));
    if (part === undefined) {
      continue;
    }
    if (part.byCaller !== true) {
      if (part.name.startsWith('app.ts')) {
        // The response's 'finish' listener (access log, metrics), else the app.ts function by its first line.
        if (stack[i + 1]?.functionName === 'emit' && stack[i + 2]?.functionName === 'onFinish') {
          return 'access log fields + metric labels (app.ts finish listener)';
        }
        const line = sourceLine(frame);
        return line !== undefined ? `app.ts: function at line ${String(line)}` : part.name;
      }
      return part.name;
    }
    // The nearest caller that is a part of its own (not another shared library).
    for (let j = i + 1; j < stack.length; j += 1) {
      const caller = PARTS.find((p) => matches(p, stack[j] as CallFrame));
      if (caller !== undefined && caller.byCaller !== true) {
        return `${part.name} <- ${callerName(caller.name)}`;
      }
    }
    return `${part.name} <- (no project caller)`;
  }
  for (const frame of stack) {
    const part = PLUMBING.find((p) => matches(p, frame));
    if (part !== undefined) {
      return part.name;
    }
  }
  return 'other';
}

/** Inclusive: every named part on the stack (each once). */
function partsOnStack(stack: readonly CallFrame[]): Set<string> {
  const out = new Set<string>();
  for (const frame of stack) {
    for (const part of PARTS) {
      if (matches(part, frame)) {
        out.add(part.name);
        break;
      }
    }
  }
  return out;
}

export interface Attribution {
  readonly request: RequestName;
  readonly calls: number;
  readonly busySamples: number;
  readonly idleSamples: number;
  readonly cpuMicrosecondsPerCall: number;
  readonly wallBusyMicrosecondsPerCall: number;
  readonly exclusive: readonly { part: string; samples: number; percent: number; usPerCall: number }[];
  readonly inclusive: readonly { part: string; percent: number; usPerCall: number }[];
  readonly hotFunctions: readonly { fn: string; percent: number; usPerCall: number }[];
}

export function attribute(profile: CpuProfile, meta: CaptureMeta): Attribution {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) {
    for (const child of node.children ?? []) {
      parent.set(child, node.id);
    }
  }
  const stackCache = new Map<number, CallFrame[]>();
  const stackOf = (id: number): CallFrame[] => {
    let stack = stackCache.get(id);
    if (stack === undefined) {
      stack = [];
      for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
        const node = byId.get(at);
        if (node !== undefined && node.callFrame.functionName !== '(root)') {
          stack.push(node.callFrame);
        }
      }
      stackCache.set(id, stack);
    }
    return stack;
  };
  const exclusive = new Map<string, number>();
  const inclusive = new Map<string, number>();
  const self = new Map<string, number>();
  let busy = 0;
  let idle = 0;
  let busyWallUs = 0;
  let t = profile.startTime;
  profile.samples.forEach((id, i) => {
    const delta = profile.timeDeltas[i] ?? 0;
    t += delta;
    if (t < meta.windowStartUs || t > meta.windowEndUs) {
      return;
    }
    const stack = stackOf(id);
    const leaf = stack[0];
    if (leaf === undefined || leaf.functionName === '(idle)') {
      idle += 1;
      return;
    }
    busy += 1;
    busyWallUs += delta;
    const part = classify(stack);
    exclusive.set(part, (exclusive.get(part) ?? 0) + 1);
    for (const p of partsOnStack(stack)) {
      inclusive.set(p, (inclusive.get(p) ?? 0) + 1);
    }
    const file = leaf.url.replace(/^file:\/\/.*?\/(src|node_modules)\//, '$1/');
    const line = sourceLine(leaf);
    const fn = `${leaf.functionName || '(anonymous)'} ${file}:${line !== undefined ? String(line) : `${String(leaf.lineNumber + 1)}:${String(leaf.columnNumber + 1)}`}`;
    self.set(fn, (self.get(fn) ?? 0) + 1);
  });
  const cpuUsPerCall = (meta.cpuSecondsInWindow * 1e6) / meta.calls;
  const row = (samples: number) => ({
    percent: Math.round((samples / busy) * 1000) / 10,
    usPerCall: Math.round((samples / busy) * cpuUsPerCall),
  });
  const sorted = (m: Map<string, number>) => [...m.entries()].sort((a, b) => b[1] - a[1]);
  return {
    request: meta.request,
    calls: meta.calls,
    busySamples: busy,
    idleSamples: idle,
    cpuMicrosecondsPerCall: Math.round(cpuUsPerCall),
    wallBusyMicrosecondsPerCall: Math.round(busyWallUs / meta.calls),
    exclusive: sorted(exclusive).map(([part, samples]) => ({ part, samples, ...row(samples) })),
    inclusive: sorted(inclusive).map(([part, samples]) => ({ part, ...row(samples) })),
    hotFunctions: sorted(self)
      .slice(0, 30)
      .map(([fn, samples]) => ({ fn, ...row(samples) })),
  };
}

export function printAttribution(a: Attribution): void {
  console.log(
    `\n${a.request} request: ${String(a.calls)} calls in the window, ${String(a.busySamples)} busy samples (${String(a.idleSamples)} idle); server CPU ${String(a.cpuMicrosecondsPerCall)} us per call (main thread busy, wall: ${String(a.wallBusyMicrosecondsPerCall)} us)`,
  );
  console.log('\n| part (exclusive) | us per call | % |\n|---|---:|---:|');
  for (const r of a.exclusive) {
    console.log(`| ${r.part} | ${String(r.usPerCall)} | ${r.percent.toFixed(1)} |`);
  }
  console.log('\n| part (inclusive: on the stack) | us per call | % |\n|---|---:|---:|');
  for (const r of a.inclusive) {
    console.log(`| ${r.part} | ${String(r.usPerCall)} | ${r.percent.toFixed(1)} |`);
  }
  console.log('\n| hottest functions (self) | us per call | % |\n|---|---:|---:|');
  for (const r of a.hotFunctions) {
    console.log(`| ${r.fn} | ${String(r.usPerCall)} | ${r.percent.toFixed(1)} |`);
  }
}

/* ------------------------------------------------------------------------------------------------------------ */
/* Capture                                                                                                      */

/** utime + stime of a process, in seconds (/proc/PID/stat, clock ticks of 1/100 s). */
function cpuSecondsOf(pid: number): number {
  const stat = readFileSync(`/proc/${String(pid)}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

async function capture(options: {
  request: RequestName;
  mode: 'service' | 'parse' | 'verify';
  seconds: number;
  connections: number;
  intervalUs: number;
  logLevel: string;
  out: string;
}): Promise<{ profile: string; meta: CaptureMeta }> {
  mkdirSync(options.out, { recursive: true });
  const issuer = await startLocalIssuer();
  const { child, url } = await startBenchServer({
    mode: options.mode,
    issuer,
    nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${options.out}`, `--cpu-prof-interval=${String(options.intervalUs)}`],
    env: { BENCH_LOG_LEVEL: options.logLevel },
  });
  const exited = new Promise<void>((resolve) => {
    child.on('exit', () => {
      resolve();
    });
  });
  const body = JSON.stringify(options.request === 'large' ? LARGE() : SMALL());
  const check = createCardCheck(readExpectedCards()[options.request]);
  const run = async (seconds: number, count: number) => {
    const bearer = Array.from({ length: count }, () => `Bearer ${issuer.sign(url)}`);
    let next = 0;
    return autocannon({
      url,
      method: 'POST',
      connections: options.connections,
      duration: seconds,
      headers: { 'content-type': 'application/json' },
      body,
      requests: [
        {
          setupRequest: (request) => {
            const token = bearer[next] ?? `Bearer ${issuer.sign(url)}`;
            next += 1;
            return { ...request, headers: { ...request.headers, authorization: token } };
          },
          onResponse: (status: number, responseBody: string) => {
            if (options.mode === 'service') {
              check.check(status, responseBody);
            }
          },
        },
      ],
    });
  };
  const warm = await run(3, 1000);
  const expectedCount = Math.ceil(warm.requests.average * options.seconds * 1.5) + 200;
  const cpuBefore = cpuSecondsOf(child.pid ?? 0);
  const windowStartUs = Number(process.hrtime.bigint() / 1000n);
  const result = await run(options.seconds, expectedCount);
  const windowEndUs = Number(process.hrtime.bigint() / 1000n);
  const cpuSecondsInWindow = cpuSecondsOf(child.pid ?? 0) - cpuBefore;
  child.kill('SIGTERM');
  await exited;
  await issuer.close();
  // One profile per thread (tsx's loader runs in a worker); the main thread's has thread id 0: CPU.<date>.<time>.<pid>.0.<seq>.
  const profile = readdirSync(options.out)
    .filter((f) => f.endsWith('.cpuprofile') && f.includes(`.${String(child.pid)}.0.`))
    .map((f) => join(options.out, f))
    .at(0);
  if (profile === undefined) {
    throw new Error(`no .cpuprofile in ${options.out}`);
  }
  const meta: CaptureMeta = {
    request: options.request,
    mode: options.mode,
    windowStartUs,
    windowEndUs,
    calls: result.requests.total,
    non2xx: result.non2xx,
    cpuSecondsInWindow,
    connections: options.connections,
    cardsChecked: check.checked(),
    cardMismatches: check.mismatches(),
  };
  writeFileSync(profile.replace(/\.cpuprofile$/, '.meta.json'), `${JSON.stringify(meta, null, 2)}\n`);
  return { profile, meta };
}

if (import.meta.url === `file://${process.argv[1] ?? ''}`) {
  const args = process.argv.slice(2);
  const option = (name: string, fallback: string) => {
    const at = args.indexOf(`--${name}`);
    return at >= 0 ? (args[at + 1] ?? fallback) : fallback;
  };
  let profilePath: string;
  let meta: CaptureMeta;
  if (args.includes('--analyse')) {
    profilePath = option('analyse', '');
    meta = JSON.parse(readFileSync(args[args.indexOf('--analyse') + 2] ?? '', 'utf8')) as CaptureMeta;
  } else {
    const request: RequestName = args.includes('large') ? 'large' : 'small';
    const mode = option('mode', 'service');
    if (mode !== 'service' && mode !== 'parse' && mode !== 'verify') {
      throw new Error('--mode is service, parse or verify');
    }
    ({ profile: profilePath, meta } = await capture({
      request,
      mode,
      seconds: Number(option('seconds', '15')),
      connections: Number(option('connections', '10')),
      intervalUs: Number(option('interval', '200')),
      logLevel: option('log', 'silent'),
      out: option('out', join(tmpdir(), `oncosign-profile-${request}-${String(Date.now())}`)),
    }));
    console.log(`profile ${profilePath}`);
    console.log(
      `calls ${String(meta.calls)}, non-2xx ${String(meta.non2xx)}, cards checked ${String(meta.cardsChecked)}, differing ${String(meta.cardMismatches)}`,
    );
  }
  const attribution = attribute(JSON.parse(readFileSync(profilePath, 'utf8')) as CpuProfile, meta);
  printAttribution(attribution);
  writeFileSync(profilePath.replace(/\.cpuprofile$/, '.attribution.json'), `${JSON.stringify(attribution, null, 2)}\n`);
}
