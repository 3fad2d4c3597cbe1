/*
 * npm run bench — every benchmark, one table, bench/results.json. Figures depend on the machine; the floors are the
 * performance issue's. `npm run bench -- --quick` runs shorter loads and a smaller audit (for a first look).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectPath, projectRoot } from '../src/paths.js';
import { runCqlPeerComparison } from './cql-peer.js';
import { runHttpBench } from './http.js';
import { writeReplicatedExport } from './replicate.js';
import { runScalingBench } from './scaling.js';

const quick = process.argv.includes('--quick');

const http = await runHttpBench({ duration: quick ? 4 : 10 });
const scaling = runScalingBench();
const peer = await runCqlPeerComparison({ rounds: quick ? 1 : 5 });

// The audit runs as the CLI does, in its own process, so its peak memory is its own.
const exportDir = mkdtempSync(join(tmpdir(), 'oncosign-replicated-'));
const copies = quick ? 20 : 200;
const replicated = await writeReplicatedExport(exportDir, copies);
const auditOutput = execFileSync(process.execPath, ['--import', 'tsx', 'bench/audit-throughput.ts', exportDir], {
  cwd: projectRoot,
  encoding: 'utf8',
  maxBuffer: 16 * 1024 * 1024,
});
rmSync(exportDir, { recursive: true, force: true });
const audit = JSON.parse(auditOutput.trim().split('\n').at(-1) ?? '{}') as {
  encounters: number;
  encountersPerSecond: number;
  peakRssMb: number;
  seconds: number;
};

const ratios = peer.sets.map((s) => s.ratio);
const floors = [
  {
    floor: 'service throughput >= 0.8 x parse-only baseline (0.5 MB request)',
    value: http.large.ratio,
    held: http.large.ratio >= 0.8,
  },
  {
    floor: 'open loop 200 req/s, small request: p99 <= 15 ms',
    value: http.openLoopSmall.service.p99,
    held: http.openLoopSmall.service.p99 <= 15,
  },
  { floor: 'engine cost linear: fitted exponent <= 1.15', value: scaling.exponent, held: scaling.exponent <= 1.15 },
  {
    floor: 'CMS157 >= 20 x faster than the CQL engine, identical decisions',
    value: Math.min(...ratios),
    held: Math.min(...ratios) >= 20 && peer.sets.every((s) => s.disagreements.length === 0),
  },
  {
    floor: `audit >= 2 000 encounters/s on >= 100 000 encounters, peak < 300 MB (ran ${String(audit.encounters)})`,
    value: `${String(audit.encountersPerSecond)}/s, ${String(audit.peakRssMb)} MB`,
    held: audit.encounters >= 100_000 && audit.encountersPerSecond >= 2000 && audit.peakRssMb < 300,
  },
];

const results = {
  machine: { cpus: 2, node: process.version },
  quick,
  http,
  scaling,
  peer,
  audit: { ...audit, copies, replicated },
  floors,
};
writeFileSync(projectPath('bench', 'results.json'), `${JSON.stringify(results, null, 2)}\n`);

console.log('\nHTTP (req/s, p50/p99 ms)          service              baseline             ratio');
for (const size of ['large', 'small'] as const) {
  const r = http[size];
  console.log(
    `${size.padEnd(6)} ${String(Math.round(r.bytes / 1024)).padStart(5)} KB           ${String(r.service.requestsPerSecond).padStart(7)} ${String(r.service.p50).padStart(4)}/${String(r.service.p99).padEnd(5)}   ${String(r.baseline.requestsPerSecond).padStart(7)} ${String(r.baseline.p50).padStart(4)}/${String(r.baseline.p99).padEnd(5)}   ${String(r.ratio)}`,
  );
}
console.log(
  `open loop 200 req/s (small): p50 ${String(http.openLoopSmall.service.p50)} ms, p99 ${String(http.openLoopSmall.service.p99)} ms`,
);
console.log(
  `scaling: ${scaling.points.map((p) => `${String(p.resources)} res ${String(p.microsecondsPerEncounter)} us`).join(', ')}; exponent ${String(scaling.exponent)}`,
);
for (const s of peer.sets) {
  console.log(
    `CMS157 ${s.name}: ours ${String(s.oursMsPerPatient)} ms/patient, CQL ${String(s.cqlMsPerPatient)} ms/patient, ${String(s.ratio)}x, disagreements ${String(s.disagreements.length)}`,
  );
}
console.log(
  `audit: ${String(audit.encounters)} encounters in ${String(audit.seconds)} s = ${String(audit.encountersPerSecond)}/s, peak RSS ${String(audit.peakRssMb)} MB`,
);
console.log('\nfloors:');
for (const f of floors) {
  console.log(`  ${f.held ? 'held  ' : 'MISSED'} ${f.floor}: ${String(f.value)}`);
}
