/*
 * npm run bench:audit [-- PATH...] — encounters per second and peak memory of `oncosign audit` (the same runAudit the
 * CLI calls), on the fixtures by default. Peak memory is the process's maximum resident set size.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runAudit } from '../src/cli/audit/audit.js';
import { loadEngine } from '../src/engine.js';
import { projectPath } from '../src/paths.js';

const inputs =
  process.argv.slice(2).length > 0 ? process.argv.slice(2) : [projectPath('..', 'shared', 'fixtures', 'external')];
const out = mkdtempSync(join(tmpdir(), 'oncosign-audit-bench-'));
const engine = loadEngine(process.env.SITE_CONFIG);
const started = process.hrtime.bigint();
const summary = await runAudit(inputs, out, engine);
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
const peakMb = process.resourceUsage().maxRSS / 1024;
const findings = Object.values(summary.findings).reduce((a, b) => a + b, 0);
console.log(
  JSON.stringify({
    inputs,
    patients: summary.patients,
    encounters: summary.encounters,
    findings,
    seconds: Math.round(seconds * 1000) / 1000,
    encountersPerSecond: Math.round(summary.encounters / seconds),
    peakRssMb: Math.round(peakMb),
  }),
);
rmSync(out, { recursive: true, force: true });
