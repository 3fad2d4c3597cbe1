/*
 * npm run bench — every benchmark, one table, bench/results.json. Figures depend on the machine; the floors are the
 * performance issue's, each against a baseline measured in the same run. `npm run bench -- --quick` runs shorter
 * loads, fewer rounds and a smaller audit (for a first look). Exits 1 when any card differs from
 * bench/expected-cards.json (the other floors are reported, not enforced: they depend on the machine).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectPath, projectRoot } from '../src/paths.js';
import { runCqlPeerComparison } from './cql-peer.js';
import { runHttpBench, type LoadResult, type Ratio } from './http.js';
import { writeReplicatedExport } from './replicate.js';
import { runScalingBench } from './scaling.js';

const quick = process.argv.includes('--quick');

const http = await runHttpBench(
  quick ? { duration: 2, rounds: 3, openLoopSeconds: 4 } : { duration: 4, rounds: 5, openLoopSeconds: 10 },
);
const scaling = runScalingBench();
const peer = await runCqlPeerComparison({ rounds: quick ? 1 : 5 });

// The audit runs as the CLI does, in its own process, so its peak memory is its own; its baseline, a read-and-parse
// pass over the same export, runs the same way. The two alternate (A B, B A, ...) and the median ratio is kept.
const exportDir = mkdtempSync(join(tmpdir(), 'oncosign-replicated-'));
const copies = quick ? 20 : 200;
const auditRounds = quick ? 2 : 3;
interface AuditRun {
  encounters: number;
  encountersPerSecond: number;
  peakRssMb: number;
  seconds: number;
}
interface ParseRun {
  parsed: number;
  seconds: number;
  peakRssMb: number;
}
const lastJsonLine = <T>(script: string): T => {
  const output = execFileSync(process.execPath, ['--import', 'tsx', script, exportDir], {
    cwd: projectRoot,
    encoding: 'utf8',
    maxBuffer: 16 * 1024 * 1024,
  });
  return JSON.parse(output.trim().split('\n').at(-1) ?? '{}') as T;
};
const auditRuns: AuditRun[] = [];
const parseRuns: ParseRun[] = [];
let replicated: { encounters: number; resources: number };
try {
  replicated = await writeReplicatedExport(exportDir, copies);
  for (let round = 0; round < auditRounds; round += 1) {
    const steps = [
      () => auditRuns.push(lastJsonLine<AuditRun>('bench/audit-throughput.ts')),
      () => parseRuns.push(lastJsonLine<ParseRun>('bench/read-parse-only.ts')),
    ];
    for (const step of round % 2 === 0 ? steps : steps.reverse()) {
      step();
    }
  }
} finally {
  rmSync(exportDir, { recursive: true, force: true });
}
const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? NaN) : ((sorted[mid - 1] ?? NaN) + (sorted[mid] ?? NaN)) / 2;
};
const round2 = (n: number) => Math.round(n * 100) / 100;
const auditRatios = auditRuns.map((a, i) => (parseRuns[i]?.seconds ?? NaN) / a.seconds);
const audit = {
  encounters: auditRuns[0]?.encounters ?? 0,
  seconds: Math.round(median(auditRuns.map((a) => a.seconds)) * 1000) / 1000,
  encountersPerSecond: median(auditRuns.map((a) => a.encountersPerSecond)),
  peakRssMb: Math.max(...auditRuns.map((a) => a.peakRssMb)),
  readParseSeconds: Math.round(median(parseRuns.map((p) => p.seconds)) * 1000) / 1000,
  readParseEncountersPerSecond: Math.round((auditRuns[0]?.encounters ?? 0) / median(parseRuns.map((p) => p.seconds))),
  readParsePeakRssMb: Math.max(...parseRuns.map((p) => p.peakRssMb)),
  ratio: {
    median: round2(median(auditRatios)),
    min: round2(Math.min(...auditRatios)),
    max: round2(Math.max(...auditRatios)),
  },
  rounds: auditRounds,
};

const ratios = peer.sets.map((s) => s.ratio);
const floors = [
  {
    floor: 'large request (0.5 MB): service >= 0.8 x parse+verify baseline',
    value: http.large.ratioVerify.median,
    held: http.large.ratioVerify.median >= 0.8,
  },
  {
    floor: 'small request (45 KB): service >= 0.6 x parse+verify baseline',
    value: http.small.ratioVerify.median,
    held: http.small.ratioVerify.median >= 0.6,
  },
  {
    floor: 'open loop 200 req/s, small request: p99 <= 15 ms',
    value: http.openLoopSmall.service.p99,
    held: http.openLoopSmall.service.p99 <= 15,
  },
  { floor: 'engine cost linear: fitted exponent <= 1.15', value: scaling.exponent, held: scaling.exponent <= 1.15 },
  {
    floor: 'CMS157 >= 20 x the CQL engine, identical decisions',
    value: Math.min(...ratios),
    held: Math.min(...ratios) >= 20 && peer.sets.every((s) => s.disagreements.length === 0),
  },
  {
    floor: `audit >= 0.5 x read-and-parse-only pass, peak < 300 MB, on >= 100 000 encounters (ran ${String(audit.encounters)})`,
    value: `${String(audit.ratio.median)} x, ${String(audit.peakRssMb)} MB`,
    held: audit.encounters >= 100_000 && audit.ratio.median >= 0.5 && audit.peakRssMb < 300,
  },
  {
    floor: 'cards unchanged: every service response equals bench/expected-cards.json',
    value: `${String(http.cards.mismatches)} of ${String(http.cards.checked)} differ`,
    held: http.cards.mismatches === 0 && http.cards.checked > 0,
  },
];

const results = {
  machine: { cpus: 2, node: process.version },
  quick,
  http,
  scaling,
  peer,
  audit: { ...audit, copies, replicated, runs: auditRuns, readParseRuns: parseRuns },
  floors,
};
writeFileSync(projectPath('bench', 'results.json'), `${JSON.stringify(results, null, 2)}\n`);

const cell = (r: LoadResult) =>
  `${String(r.requestsPerSecond).padStart(7)} ${String(r.p50).padStart(4)}/${String(r.p99).padEnd(5)}`;
const ratioCell = (r: Ratio) => `${r.median.toFixed(2)} (${r.min.toFixed(2)}-${r.max.toFixed(2)})`;
console.log(
  `\nHTTP, ${String(http.connections)} connections, median of ${String(http.large.rounds)} alternating rounds of ${String(http.secondsPerRound)} s (req/s, p50/p99 ms; ratios median (min-max))`,
);
console.log(
  `${''.padEnd(15)}${'service'.padEnd(20)}${'parse-only'.padEnd(20)}${'parse+verify'.padEnd(20)}${'svc/parse'.padEnd(20)}svc/parse+verify`,
);
for (const size of ['large', 'small'] as const) {
  const r = http[size];
  console.log(
    `${`${size} ${String(Math.round(r.bytes / 1024))} KB`.padEnd(15)}${cell(r.service).padEnd(20)}${cell(r.parseOnly).padEnd(20)}${cell(r.parseVerify).padEnd(20)}${ratioCell(r.ratioParse).padEnd(20)}${ratioCell(r.ratioVerify)}`,
  );
}
console.log(
  `verify cost in the baseline (parse+verify / parse-only): large ${ratioCell(http.large.verifyOverParse)}, small ${ratioCell(http.small.verifyOverParse)}`,
);
console.log(
  `A/A (service / second service process, small): ${ratioCell(http.aa)}, spread ${String(http.aa.spreadPercent)} % of the median`,
);
const ol = http.openLoopSmall;
console.log(
  `open loop ${String(ol.rate)} req/s (small), p50/p99 ms: service ${String(ol.service.p50)}/${String(ol.service.p99)}, parse-only ${String(ol.parseOnly.p50)}/${String(ol.parseOnly.p99)}, parse+verify ${String(ol.parseVerify.p50)}/${String(ol.parseVerify.p99)}`,
);
console.log(
  `cards: ${String(http.cards.checked)} service responses checked, ${String(http.cards.mismatches)} differ from bench/expected-cards.json`,
);
if (http.cards.firstMismatch !== undefined) {
  console.log(`  first difference: ${http.cards.firstMismatch}`);
}
console.log(
  `scaling: ${scaling.points.map((p) => `${String(p.resources)} res ${String(p.microsecondsPerEncounter)} us`).join(', ')}; exponent ${String(scaling.exponent)}`,
);
for (const s of peer.sets) {
  console.log(
    `CMS157 ${s.name}: ours ${String(s.oursMsPerPatient)} ms/patient, CQL ${String(s.cqlMsPerPatient)} ms/patient, ${String(s.ratio)}x, disagreements ${String(s.disagreements.length)}`,
  );
}
console.log(
  `audit: ${String(audit.encounters)} encounters, median ${String(audit.seconds)} s = ${String(audit.encountersPerSecond)}/s, peak RSS ${String(audit.peakRssMb)} MB; read-and-parse-only ${String(audit.readParseSeconds)} s = ${String(audit.readParseEncountersPerSecond)} encounters/s, peak ${String(audit.readParsePeakRssMb)} MB; ratio ${ratioCell(audit.ratio)} over ${String(audit.rounds)} alternating rounds`,
);
console.log('\nfloors:');
for (const f of floors) {
  console.log(`  ${f.held ? 'held  ' : 'MISSED'} ${f.floor}: ${String(f.value)}`);
}
if (http.cards.mismatches > 0 || http.cards.checked === 0) {
  process.exitCode = 1;
}
