import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../config/environment.js';
import { loadEngine } from '../engine.js';
import { runAudit } from './audit/audit.js';
import { evaluateRequestFile } from './evaluate.js';

const usage = `oncosign: the OncoSign rules outside the service.

  oncosign evaluate REQUEST.json [--json] [--service ID]
      Run a CDS Hooks request file (prefetch, or fhirServer to read from) and print the cards.
      --json prints the exact response body the service would send.
  oncosign audit PATH... --out DIR [--all-rules]
      Evaluate every encounter in FHIR Bundles (.json) and Bulk Data exports (.ndjson), files or folders.
      Writes DIR/findings.csv, DIR/summary.json and DIR/report.html, with the alert burden of each rule
      (cards per 100 encounters, per clinician- and coder-facing rule). Shadow rules are evaluated too;
      --all-rules also evaluates the rules this site has off.
  oncosign feedback-report --out DIR
      What was done with each rule's cards, per rule and ISO week: cards issued, accepted, overridden (by reason),
      dismissed without a reason, held back by override memory, acceptance rate. Reads the service's store
      (FEEDBACK_DB, or DATABASE_URL when set). Writes DIR/feedback.csv, DIR/summary.json and DIR/report.html.
  oncosign fhir-server --load PATH... [--port N]
      A local in-memory FHIR R4 server loaded from files, on 127.0.0.1 (for the CDS Hooks sandbox and test
      harnesses): CORS for browsers, search by GET or by POST [type]/_search with form-encoded parameters.

Rules, thresholds and the card budget follow SITE_CONFIG, as in the service.
Exit codes: 0 done, 2 invalid input (the reason on one line of stderr).
`;

function fail(reason: string): never {
  process.stderr.write(`${reason}\n`);
  process.exit(2);
}

function progressBar(done: number, total: number): void {
  const width = 30;
  const filled = Math.round((width * done) / Math.max(1, total));
  process.stderr.write(
    `\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(done)}/${String(total)} patients${done === total ? '\n' : ''}`,
  );
}

async function main(argv: readonly string[]): Promise<void> {
  const [command, ...rest] = argv;
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
    process.stdout.write(usage);
    return;
  }
  let engine;
  try {
    engine = loadEngine(process.env.SITE_CONFIG);
  } catch (error) {
    fail(error instanceof ConfigError ? error.message : `cannot load the rules: ${String(error)}`);
  }
  switch (command) {
    case 'evaluate': {
      const { values, positionals } = parseArgs({
        args: rest,
        allowPositionals: true,
        options: { json: { type: 'boolean', default: false }, service: { type: 'string' } },
      });
      const [file, ...extra] = positionals;
      if (file === undefined || extra.length > 0) {
        fail('usage: oncosign evaluate REQUEST.json [--json] [--service ID]');
      }
      const result = await evaluateRequestFile(file, engine, {
        json: values.json,
        ...(values.service !== undefined ? { serviceId: values.service } : {}),
      });
      process.stdout.write(result.stdout);
      process.stderr.write(result.stderr);
      process.exitCode = result.exitCode;
      return;
    }
    case 'audit': {
      const { values, positionals } = parseArgs({
        args: rest,
        allowPositionals: true,
        options: { out: { type: 'string' }, 'all-rules': { type: 'boolean', default: false } },
      });
      if (positionals.length === 0 || values.out === undefined) {
        fail('usage: oncosign audit PATH... --out DIR [--all-rules]');
      }
      const summary = await runAudit(positionals, values.out, engine, {
        allRules: values['all-rules'],
        ...(process.stderr.isTTY ? { onProgress: progressBar } : {}),
      });
      const total = Object.values(summary.findings).reduce((a, b) => a + b, 0);
      const { perAudience } = summary.burden;
      process.stdout.write(
        `${String(summary.patients)} patients, ${String(summary.encounters)} encounters, ${String(total)} findings, ${String(summary.skipped.length)} inputs skipped\n` +
          `alert burden: ${perAudience.clinician.per100Encounters.toFixed(2)} clinician-facing and ${perAudience.coder.per100Encounters.toFixed(2)} coder-facing cards per 100 encounters\n` +
          `wrote ${values.out}/findings.csv, ${values.out}/summary.json, ${values.out}/report.html\n`,
      );
      return;
    }
    case 'feedback-report': {
      const { values } = parseArgs({ args: rest, options: { out: { type: 'string' } } });
      if (values.out === undefined) {
        fail('usage: oncosign feedback-report --out DIR');
      }
      let config;
      try {
        config = loadConfig(process.env);
      } catch (error) {
        fail(error instanceof ConfigError ? error.message : String(error));
      }
      // Opening a SQLite path creates the file: a mistyped FEEDBACK_DB must not give an empty report.
      if (config.store.backend === 'sqlite' && !existsSync(config.store.path)) {
        fail(`no feedback store at ${config.store.path} (set FEEDBACK_DB, or DATABASE_URL)`);
      }
      // Loaded here, not at start: the other commands need neither the database drivers nor the report.
      const [{ openStore }, { buildFeedbackReport, writeFeedbackReport }] = await Promise.all([
        import('../store/open-store.js'),
        import('./feedback-report/report.js'),
      ]);
      const store = await openStore(config.store);
      let data;
      try {
        data = await store.feedbackReportData();
      } finally {
        await store.close();
      }
      const report = buildFeedbackReport(data, store.backend, new Date());
      writeFeedbackReport(values.out, report);
      const { totals } = report;
      const rate = totals.acceptanceRate === null ? 'n/a' : `${(totals.acceptanceRate * 100).toFixed(1)}%`;
      process.stdout.write(
        `${String(report.perRule.length)} rules, ${String(report.perWeek.length)} weeks: ${String(totals.issued)} cards issued, ` +
          `${String(totals.accepted)} accepted, ${String(totals.overridden)} overridden, ${String(totals.dismissed)} dismissed, ` +
          `${String(totals.suppressedByOverride + totals.suppressedByAcceptedSuggestion)} held back; acceptance ${rate}; ` +
          `${String(totals.unknownCardFeedback)} feedback items for unknown cards\n` +
          `wrote ${values.out}/feedback.csv, ${values.out}/summary.json, ${values.out}/report.html\n`,
      );
      return;
    }
    case 'fhir-server': {
      const { values } = parseArgs({
        args: rest,
        options: { load: { type: 'string', multiple: true, default: [] }, port: { type: 'string', default: '8080' } },
      });
      let devtools;
      try {
        devtools = await import('../devtools/memory-fhir-server.js');
      } catch {
        fail('fhir-server needs the development dependencies (install with npm ci, not --omit=dev)');
      }
      const { resources, skipped } = await devtools.loadFhirResources(values.load);
      for (const s of skipped) {
        process.stderr.write(`skipped ${s.file}: ${s.reason}\n`);
      }
      const server = await devtools.startMemoryFhirServer({ resources, port: Number(values.port) });
      process.stdout.write(`FHIR R4 server with ${String(server.resourceCount)} resources at ${server.baseUrl}\n`);
      const stop = (): void => {
        void server.close().then(() => process.exit(0));
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
      return;
    }
    default:
      fail(`unknown command ${command}; try oncosign --help`);
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  fail(error instanceof Error ? error.message : String(error));
});
