import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDbOutageScenario, type ScenarioFigures } from '../../test-support/db-outage-scenario.js';
import { startReplicaRig, type ReplicaRig } from '../../test-support/replica-rig.js';

/*
 * Issue 12: two real replicas under steady traffic while PostgreSQL itself stops (`pg_ctl stop -m fast`, then
 * `-m immediate`) and restarts. The rig starts a PostgreSQL cluster of its own for this, since stopping the shared
 * test cluster would break the files running beside this one. store-outage.int.test.ts cuts the network instead;
 * this file is about the server going away under load, with connections checked out.
 */

let rig: ReplicaRig;
let figures: ScenarioFigures;

beforeAll(async () => {
  rig = await startReplicaRig();
  figures = await runDbOutageScenario(rig, { outageMs: 2_000, steadyMs: 1_500 });
  console.log(`db outage: ${JSON.stringify(figures)}`);
}, 240_000);

afterAll(async () => {
  await rig.close();
});

describe('two replicas while PostgreSQL stops and restarts', () => {
  it('neither replica exits or reports a crash', () => {
    expect(figures.notRecovered).toEqual([]);
    expect(figures.replicas).toEqual([
      { name: 'A', exit: null, crash: [] },
      { name: 'B', exit: null, crash: [] },
    ]);
  });

  it('answers every service call with cards, during each outage too', () => {
    expect(figures.serviceCalls.failures).toEqual([]);
    expect(figures.serviceCalls.withCards).toBe(figures.serviceCalls.total);
    for (const outage of figures.outages) {
      // Traffic really ran during the outage (no sender was stuck), and all of it got cards.
      expect(outage.serviceCalls, outage.mode).toBeGreaterThanOrEqual(10);
      expect(outage.serviceCallsWithCards, outage.mode).toBe(outage.serviceCalls);
    }
    // Each within the client's 10 s deadline (a call past it counts as a failure above); the slowest is printed.
  });

  it('refuses feedback with 503 and Retry-After while the database is stopped, and stores it again afterwards', () => {
    expect(figures.feedback.unexpected).toEqual([]);
    for (const outage of figures.outages) {
      expect(outage.feedbackWhileDown, outage.mode).toBeGreaterThanOrEqual(4);
      expect(outage.feedback503WithRetryAfter, outage.mode).toBe(outage.feedbackWhileDown);
      // Both replicas, neither restarted, stored feedback again once the database was back.
      expect(Object.keys(outage.recoveryMs).sort(), outage.mode).toEqual(['A', 'B']);
    }
  });

  it('loses no acknowledged feedback item', () => {
    expect(figures.feedback.acknowledgedItems).toBeGreaterThanOrEqual(40);
    expect(figures.feedback.lostItems).toBe(0);
  });

  it('accepts each token raced at both replicas exactly once while the database is up', () => {
    expect(figures.racedWhileUp.tokens).toBeGreaterThanOrEqual(20);
    expect(figures.racedWhileUp.acceptedTwice).toBe(0);
    expect(figures.racedWhileUp.other).toEqual({});
    expect(figures.racedWhileUp.acceptedOnce).toBe(figures.racedWhileUp.tokens);
  });
});
