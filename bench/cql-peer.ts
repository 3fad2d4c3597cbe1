/*
 * npx tsx bench/cql-peer.ts [rounds] — CMS157 on our measure module and on the reference CQL engine
 * (cql-execution + cql-exec-fhir, FHIR 4.0.1 model info), same data, same measurement period, same machine.
 *
 * Method (../shared/reference/cql-peer-notes.md):
 * - The authors' ELM runs unmodified; the main library is resolved by name (its ELM says 0.2.000, the file 0.3.000).
 *   Value sets are loaded by url + version with codes from expansion.contains. Only the six population expressions
 *   are evaluated, in one PatientContext per patient (so shared definitions are computed once, as the engine's own
 *   Executor does); the population counts are the lengths of the Encounter lists they return.
 * - Setup is left out of per-patient time on both sides: ELM/library, value sets and one PatientSource.FHIRv401()
 *   (reused) for the engine; the one-off Terminology load for us. Per-patient time includes the engine loading the
 *   patient's Bundle and our indexPatient() over the same resources.
 * - Each set runs one untimed warm-up round (whose results are compared encounter by encounter) and then `rounds`
 *   timed rounds, ours then the engine's in each; the reported time is the median over rounds of round time / patients.
 * Not part of the test suite's timing claims: figures depend on the machine.
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { POPULATIONS, runCqlPeerComparison, type PeerReport, type PopulationCounts } from '../test-support/cql-peer.js';

// bench/run.ts runs the comparison through this module, as it did before the core moved to test-support/.
export { runCqlPeerComparison };
export type {
  Disagreement,
  PeerReport,
  PeerSetReport,
  PopulationCounts,
  PopulationKey,
} from '../test-support/cql-peer.js';

function pad(text: string, width: number, right = false): string {
  return right ? text.padStart(width) : text.padEnd(width);
}

export function formatPeerReport(report: PeerReport): string {
  const lines: string[] = [];
  const counts = (c: PopulationCounts): string => POPULATIONS.map((p) => c[p.key]).join('/');
  lines.push(
    `CMS157: our measure module vs cql-execution ${report.engines.cqlExecution} + cql-exec-fhir ${report.engines.cqlExecFhir}, median of ${report.rounds} warm round(s)`,
  );
  lines.push(
    `setup (excluded): fixtures ${report.setupMs.loadFixtures.toFixed(0)} ms; our Terminology ${report.setupMs.oursTerminology.toFixed(0)} ms; ` +
      `CQL library + value sets (${report.cqlValueSetCodes} codes) ${report.setupMs.cqlLibraryAndValueSets.toFixed(0)} ms; ` +
      `PatientSource.FHIRv401() ${report.setupMs.cqlPatientSource.toFixed(0)} ms`,
  );
  lines.push('');
  const header = [
    pad('set', 22),
    pad('pts', 4, true),
    pad('encs', 5, true),
    pad('ours ms/pt', 11, true),
    pad('CQL ms/pt', 10, true),
    pad('ratio', 8, true),
    pad('ours IP1/DEN1/NUM1/IP2/DEN2/NUM2', 33, true),
    pad('CQL IP1/DEN1/NUM1/IP2/DEN2/NUM2', 32, true),
    pad('disagree', 9, true),
  ].join(' ');
  lines.push(header);
  lines.push('-'.repeat(header.length));
  for (const s of report.sets) {
    lines.push(
      [
        pad(s.name, 22),
        pad(String(s.patients), 4, true),
        pad(String(s.encounters), 5, true),
        pad(s.oursMsPerPatient.toFixed(3), 11, true),
        pad(s.cqlMsPerPatient.toFixed(1), 10, true),
        pad(`${s.ratio.toFixed(1)}x`, 8, true),
        pad(counts(s.populationTotals.ours), 33, true),
        pad(counts(s.populationTotals.cql), 32, true),
        pad(String(s.disagreements.length), 9, true),
      ].join(' '),
    );
  }
  lines.push('');
  for (const s of report.sets) {
    lines.push(
      `${s.name}: slowest patient ours ${s.slowestPatient.ours.patient} ${s.slowestPatient.ours.ms.toFixed(3)} ms, ` +
        `CQL ${s.slowestPatient.cql.patient} ${s.slowestPatient.cql.ms.toFixed(1)} ms`,
    );
  }
  lines.push('');
  lines.push('Encounters in a population (ours | CQL):');
  for (const s of report.sets) {
    for (const e of s.encountersInAPopulation) {
      lines.push(
        `  ${s.name} ${e.patient} Encounter/${e.encounter}: ${e.ours.join(',') || '-'} | ${e.cql.join(',') || '-'}`,
      );
    }
  }
  const all = report.sets.flatMap((s) => s.disagreements);
  lines.push('');
  lines.push(all.length === 0 ? 'Disagreements: none (every encounter, all six populations).' : 'Disagreements:');
  for (const d of all) {
    lines.push(
      `  ${d.set} ${d.patient} (${d.patientId}) Encounter/${d.encounter} ${d.population}: ours=${d.ours} cql=${d.cql}`,
    );
  }
  lines.push(`total run ${(report.totalMs / 1000).toFixed(1)} s`);
  return lines.join('\n');
}

const invokedDirectly = process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (invokedDirectly) {
  const rounds = process.argv[2] !== undefined ? Number(process.argv[2]) : undefined;
  const report = await runCqlPeerComparison(rounds !== undefined ? { rounds } : {});
  console.log(formatPeerReport(report));
  console.log('');
  console.log(JSON.stringify(report, null, 2));
}
