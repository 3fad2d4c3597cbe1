/*
 * The database-outage experiment of issue 12, with its figures printed: two real replicas on a PostgreSQL cluster
 * of their own, steady traffic (service calls, feedback, fresh tokens raced at both replicas), PostgreSQL stopped
 * with `pg_ctl stop -m fast` and then `-m immediate` and restarted each time; then tokens raced at both replicas
 * across a restart of each replica. The same scenario code as tests/integration/db-outage.int.test.ts and
 * replay-restart.int.test.ts.
 *
 *   npx tsx scripts/db-outage.ts [--outage-ms 5000] [--steady-ms 3000] [--tokens 1000]
 *
 * Needs PostgreSQL's server binaries (/usr/lib/postgresql/<version>/bin). Exits 1 if a replica exited, a token was
 * accepted twice while the database was up, or an acknowledged feedback item is missing.
 */
import { parseArgs } from 'node:util';
import { runDbOutageScenario } from '../test-support/db-outage-scenario.js';
import { raceAcrossRestarts, startReplicaRig, type RaceFigures } from '../test-support/replica-rig.js';

const { values } = parseArgs({
  options: {
    'outage-ms': { type: 'string', default: '5000' },
    'steady-ms': { type: 'string', default: '3000' },
    tokens: { type: 'string', default: '1000' },
  },
});
const outageMs = Number(values['outage-ms']);
const steadyMs = Number(values['steady-ms']);
const tokens = Number(values.tokens);

const race = (r: RaceFigures): string =>
  `${String(r.tokens)} tokens: ${String(r.acceptedOnce)} accepted once, ${String(r.acceptedTwice)} accepted twice` +
  (Object.keys(r.other).length > 0 ? `, other answers ${JSON.stringify(r.other)}` : '');

const log = (line: string): void => {
  console.log(`  ${new Date().toISOString().slice(11, 23)} ${line}`);
};

console.log(
  `starting a PostgreSQL cluster and two replicas (outage ${String(outageMs)} ms, steady ${String(steadyMs)} ms)`,
);
const rig = await startReplicaRig();
let failed: boolean;
try {
  const figures = await runDbOutageScenario(rig, { outageMs, steadyMs, log });
  console.log('\nPostgreSQL stopped and restarted under traffic');
  for (const o of figures.outages) {
    console.log(`  pg_ctl stop -m ${o.mode}: down ${String(o.downMs)} ms (stop called → start returned)`);
    console.log(
      `    service calls answered 200 with cards: ${String(o.serviceCallsWithCards)} of ${String(o.serviceCalls)}` +
        ` (slowest ${o.slowestServiceCallMs.toFixed(0)} ms)`,
    );
    console.log(
      `    feedback while stopped: ${String(o.feedback503WithRetryAfter)} of ${String(o.feedbackWhileDown)} answered 503 with Retry-After`,
    );
    console.log(`    stored feedback again after the restart: ${JSON.stringify(o.recoveryMs)} ms`);
    console.log(`    raced while stopped (local-only fallback, documented): ${race(o.racedWhileDown)}`);
  }
  console.log(
    `  service calls in all: ${String(figures.serviceCalls.withCards)} of ${String(figures.serviceCalls.total)} answered 200 with cards` +
      ` (slowest ${figures.serviceCalls.slowestMs.toFixed(0)} ms)${figures.serviceCalls.failures.length > 0 ? `; failures ${JSON.stringify(figures.serviceCalls.failures)}` : ''}`,
  );
  console.log(
    `  feedback: ${String(figures.feedback.requests)} requests, ${String(figures.feedback.acknowledgedItems)} items acknowledged, ` +
      `lost ${String(figures.feedback.lostItems)}, stored though answered 503 ${String(figures.feedback.storedThough503)}` +
      (figures.feedback.unexpected.length > 0 ? `, unexpected ${JSON.stringify(figures.feedback.unexpected)}` : ''),
  );
  console.log(`  raced while the database was up: ${race(figures.racedWhileUp)}`);
  console.log(`  raced between pg_ctl start and both replicas seeing it: ${race(figures.racedRecovering)}`);
  for (const r of figures.replicas) {
    console.log(
      `  replica ${r.name}: ${r.exit === null ? 'running' : `exited (${r.exit})`}${r.crash.length > 0 ? ` ${JSON.stringify(r.crash)}` : ''}`,
    );
  }
  if (figures.notRecovered.length > 0) {
    console.log(`  not recovered: ${JSON.stringify(figures.notRecovered)}`);
  }

  const restarts = await raceAcrossRestarts(rig, tokens, { concurrency: 8, burst: 32 });
  console.log('\nPostgreSQL up, each replica restarted once');
  console.log(`  raced at both replicas: ${race(restarts.all)}`);
  console.log(`  of which sent the moment a restarted replica listened: ${race(restarts.afterRestart)}`);

  const twice = figures.racedWhileUp.acceptedTwice + restarts.all.acceptedTwice;
  console.log('\nsummary');
  console.log(
    `  calls answered during each outage: ${figures.outages.map((o) => `-m ${o.mode} ${String(o.serviceCallsWithCards)}/${String(o.serviceCalls)}`).join(', ')}`,
  );
  console.log(`  tokens accepted twice while the database was up: ${String(twice)} (must be 0)`);
  console.log(`  acknowledged feedback lost: ${String(figures.feedback.lostItems)} (must be 0)`);
  failed =
    twice > 0 ||
    figures.feedback.lostItems > 0 ||
    figures.replicas.some((r) => r.exit !== null || r.crash.length > 0) ||
    figures.notRecovered.length > 0 ||
    figures.serviceCalls.withCards !== figures.serviceCalls.total;
} finally {
  await rig.close();
}
process.exit(failed ? 1 : 0);
