import { closeSync, mkdirSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { EVIDENCE_EXTENSION, type CdsCard } from '../../cds/types.js';
import type { Engine } from '../../engine.js';
import type { RuleId } from '../../rules/types.js';
import { listFhirFiles, readFhirFileEntries, type FileEntry, type SkippedInput } from '../../fhir/fhir-files.js';
import { patientIdOf, referenceKey } from '../../fhir/references.js';
import { focusSnapshot } from '../../fhir/focus.js';
import { indexPatient, mayBeIndexed } from '../../fhir/patient-index.js';
import type { SourcedResource } from '../../fhir/snapshot.js';
import { evaluateSnapshot } from '../../rules/run-rules.js';
import { computeBurden, type Burden } from './burden.js';
import { writeHtmlReport } from './report-html.js';

/*
 * `oncosign audit PATH... --out DIR`: every encounter in the input evaluated as if it were being signed, with the
 * same engine as the service. Inputs are staged to an on-disk SQLite table keyed by patient (one pass over the files,
 * each resource stored once), then read back one patient at a time: memory holds one patient, whatever the input
 * size, and Bulk Data NDJSON split by resource type groups correctly. Findings stream to findings.csv and to the
 * report's data file as they are made.
 */

export interface AuditSummary {
  readonly patients: number;
  readonly encounters: number;
  readonly findings: Record<string, number>;
  readonly skipped: SkippedInput[];
  /** Cards per 100 encounters, per rule, audience and mode: what each rule would cost if it were shown. */
  readonly burden: Burden;
}

export interface AuditOptions {
  readonly now?: () => Date;
  /** Called after each patient with (done, total); the CLI draws a progress bar with it on a terminal. */
  readonly onProgress?: (done: number, total: number) => void;
  /** Evaluates the rules this site has off as well (their burden is reported with mode `off`). */
  readonly allRules?: boolean;
}

/** Report rows: one per encounter with findings. Kept small; cards carry only what the report shows. */
export interface ReportEncounter {
  readonly patient: string;
  readonly encounter: string;
  readonly date: string;
  readonly cards: readonly {
    rule: string;
    indicator: string;
    summary: string;
    detail: string;
    evidence: readonly string[];
  }[];
}

const csvHeader = ['patient', 'encounter', 'date', 'rule_id', 'indicator', 'summary', 'evidence'];

function csvField(value: string): string {
  return /[",\n\r]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

function medicationReferences(resources: readonly SourcedResource[]): string[] {
  const keys = new Set<string>();
  for (const { resource } of resources) {
    const reference = (resource as { medicationReference?: { reference?: string } }).medicationReference?.reference;
    const key = referenceKey(reference);
    if (key !== undefined && reference?.startsWith('#') !== true) {
      keys.add(key);
    }
  }
  return [...keys];
}

export async function runAudit(
  paths: readonly string[],
  outDir: string,
  engine: Engine,
  options: AuditOptions = {},
): Promise<AuditSummary> {
  mkdirSync(outDir, { recursive: true });
  const stagingPath = join(outDir, `.oncosign-staging-${String(process.pid)}.db`);
  const reportDataPath = join(outDir, `.oncosign-report-${String(process.pid)}.ndjson`);
  const db = new Database(stagingPath);
  db.pragma('journal_mode = OFF');
  db.pragma('synchronous = OFF');
  db.exec(`CREATE TABLE staged (patient TEXT NOT NULL, resource TEXT NOT NULL);
           CREATE TABLE shared (key TEXT PRIMARY KEY, resource TEXT NOT NULL);
           CREATE TABLE patients (patient TEXT PRIMARY KEY);`);
  const stage = db.prepare('INSERT INTO staged (patient, resource) VALUES (?, ?)');
  const share = db.prepare('INSERT OR REPLACE INTO shared (key, resource) VALUES (?, ?)');
  // Every patient any resource names, including those with nothing the rules read (they still count as audited).
  const notePatient = db.prepare('INSERT OR IGNORE INTO patients (patient) VALUES (?)');
  const { files, skipped } = await listFhirFiles(paths);

  try {
    for (const file of files) {
      const batch: FileEntry[] = [];
      const flush = db.transaction((entries: readonly FileEntry[]) => {
        for (const { resource, text } of entries) {
          const patient = patientIdOf(resource);
          if (patient !== undefined) {
            notePatient.run(patient);
          }
          // What the index would drop anyway (types no rule reads, Observations outside the filter) is not kept,
          // so it is neither stored nor parsed a second time.
          if (!mayBeIndexed(resource, engine.observationFilter)) {
            continue;
          }
          if (patient !== undefined) {
            stage.run(patient, text ?? JSON.stringify(resource));
          } else if (resource.id !== undefined) {
            share.run(`${resource.resourceType}/${resource.id}`, text ?? JSON.stringify(resource));
          }
        }
      });
      for await (const entry of readFhirFileEntries(file, (reason) => skipped.push({ file, reason }))) {
        batch.push(entry);
        if (batch.length >= 1000) {
          flush(batch.splice(0));
        }
      }
      flush(batch);
    }
    db.exec('CREATE INDEX staged_patient ON staged (patient)');

    const patients = (db.prepare('SELECT patient FROM patients ORDER BY patient').all() as { patient: string }[]).map(
      (r) => r.patient,
    );
    const resourcesOf = db.prepare('SELECT resource FROM staged WHERE patient = ?').pluck();
    const sharedByKey = db.prepare('SELECT resource FROM shared WHERE key = ?').pluck();

    const csv = openSync(join(outDir, 'findings.csv'), 'w');
    const reportData = openSync(reportDataPath, 'w');
    writeSync(csv, `${csvHeader.join(',')}\n`);
    // Active and shadow rules alike: the audit says what each would find, shown or not.
    const rules = options.allRules === true ? engine.allRules : engine.rules;
    const findings: Record<string, number> = Object.fromEntries(rules.map((r) => [r.id, 0]));
    const byMonth: Record<string, Record<string, number>> = {};
    let encounters = 0;
    const deps = { ...engine, rules, now: options.now ?? (() => new Date()) };
    try {
      patients.forEach((patientId, done) => {
        const own: SourcedResource[] = (resourcesOf.all(patientId) as string[]).map((json) => ({
          resource: JSON.parse(json) as unknown,
        }));
        const medications = medicationReferences(own)
          .map((key) => sharedByKey.get(key) as string | undefined)
          .filter((json): json is string => json !== undefined)
          .map((json) => ({ resource: JSON.parse(json) as unknown }));
        const index = indexPatient({
          patientId,
          resources: [...own, ...medications],
          keepObservation: engine.observationFilter,
        });
        for (const encounter of index.lists.Encounter) {
          encounters += 1;
          const result = evaluateSnapshot(focusSnapshot(index, encounter.id), deps);
          if (result.findings.length === 0) {
            continue;
          }
          const { cards } = engine.cards.render(result.findings, engine.rulesById, {
            maxCards: Number.MAX_SAFE_INTEGER,
          });
          const date = (encounter.period?.start ?? '').slice(0, 10);
          const month = date.slice(0, 7) || 'unknown';
          for (const card of cards) {
            const rule = card.source.topic.code;
            findings[rule] = (findings[rule] ?? 0) + 1;
            byMonth[month] = byMonth[month] ?? {};
            const monthCounts = byMonth[month];
            monthCounts[rule] = (monthCounts[rule] ?? 0) + 1;
            writeSync(
              csv,
              `${[patientId, encounter.id ?? '', date, rule, card.indicator, card.summary, evidenceOf(card).join(' ')]
                .map(csvField)
                .join(',')}\n`,
            );
          }
          const row: ReportEncounter = {
            patient: patientId,
            encounter: encounter.id ?? '',
            date,
            cards: cards.map((card) => ({
              rule: card.source.topic.code,
              indicator: card.indicator,
              summary: card.summary,
              detail: card.detail ?? '',
              evidence: evidenceOf(card),
            })),
          };
          writeSync(reportData, `${JSON.stringify(row)}\n`);
        }
        options.onProgress?.(done + 1, patients.length);
      });
    } finally {
      closeSync(csv);
      closeSync(reportData);
    }

    const burden = computeBurden(findings, encounters, (id) => engine.ruleModes.get(id as RuleId) ?? 'off');
    const summary: AuditSummary = { patients: patients.length, encounters, findings, skipped, burden };
    writeFileSync(join(outDir, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
    await writeHtmlReport(join(outDir, 'report.html'), reportDataPath, { summary, byMonth, generatedAt: deps.now() });
    return summary;
  } finally {
    db.close();
    rmSync(stagingPath, { force: true });
    rmSync(reportDataPath, { force: true });
  }
}

function evidenceOf(card: CdsCard): string[] {
  const evidence = card.extension?.[EVIDENCE_EXTENSION];
  return Array.isArray(evidence) ? evidence.filter((e): e is string => typeof e === 'string') : [];
}
