import { randomUUID } from 'node:crypto';
import {
  REPLICA_NAMES,
  callService,
  crashLines,
  emptyRace,
  raceOneToken,
  recordRace,
  sendFeedback,
  untilStoresOpen,
  type RaceFigures,
  type ReplicaName,
  type ReplicaRig,
} from './replica-rig.js';

/*
 * The operator's experiment from issue 12, as code: steady traffic at two replicas (service calls and feedback from
 * concurrent senders, and fresh tokens raced at both), while the rig's own PostgreSQL is stopped with
 * `pg_ctl stop -m fast`, restarted, stopped with `-m immediate`, restarted. It only measures; the test asserts on
 * the figures and scripts/db-outage.ts prints them.
 */

export type StopMode = 'fast' | 'immediate';

/** Where the database is in the experiment: `up` once both replicas' /readyz report the store open again. */
type Phase = 'up' | 'stopping' | 'down' | 'starting' | 'recovering';

export interface OutageFigures {
  readonly mode: StopMode;
  /** From `pg_ctl stop` being called until `pg_ctl start` returned. */
  downMs: number;
  /** Service calls sent between `pg_ctl stop` and the end of `pg_ctl start`, and how many got 200 with cards. */
  serviceCalls: number;
  serviceCallsWithCards: number;
  slowestServiceCallMs: number;
  /** Feedback sent and answered while the server was fully stopped, and how many were 503 with Retry-After. */
  feedbackWhileDown: number;
  feedback503WithRetryAfter: number;
  /** From `pg_ctl start` returning until each replica stored feedback again (undefined: it never did). */
  recoveryMs: Partial<Record<ReplicaName, number>>;
  /** Tokens raced at both replicas while the server was stopped: the documented local-only fallback. */
  racedWhileDown: RaceFigures;
}

export interface ScenarioFigures {
  outages: OutageFigures[];
  serviceCalls: { total: number; withCards: number; slowestMs: number; failures: string[] };
  feedback: {
    requests: number;
    /** Items answered 200: each must be in the table at the end. */
    acknowledgedItems: number;
    lostItems: number;
    /** Items answered 503 that were stored nonetheless (the commit landed, the answer did not): retries duplicate. */
    storedThough503: number;
    /** Answers other than 200 while the database was up, or other than 200/503 at any time. */
    unexpected: string[];
  };
  /** Tokens raced at both replicas while the database was up (both replicas' stores open): must be accepted once. */
  racedWhileUp: RaceFigures;
  /** Tokens raced while a replica may not have noticed the database's return yet (start to both stores open). */
  racedRecovering: RaceFigures;
  replicas: { name: ReplicaName; exit: string | null; crash: string[] }[];
  /** Replicas that did not report their store open again after a restart of the database. */
  notRecovered: string[];
}

export interface ScenarioOptions {
  /**
   * How long the database stays stopped in each outage, at least: it stays stopped until some service calls,
   * feedback and raced tokens have also been answered in that time (a loaded machine answers fewer per second).
   */
  readonly outageMs: number;
  /** Traffic with the database up, before, between and after the outages, at least (and as above). */
  readonly steadyMs: number;
  readonly modes?: readonly StopMode[];
  readonly log?: (line: string) => void;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Each phase lasts until this much of each kind of traffic was answered in it, or this long at the most. */
const ENOUGH = { serviceCalls: 20, feedback: 8, races: 10 };
const PHASE_LIMIT_MS = 30_000;

export async function runDbOutageScenario(rig: ReplicaRig, options: ScenarioOptions): Promise<ScenarioFigures> {
  const cluster = rig.cluster;
  if (cluster === undefined) {
    throw new Error('the outage scenario stops the database: give it a rig with a cluster of its own');
  }
  const log = options.log ?? (() => undefined);
  const modes = options.modes ?? ['fast', 'immediate'];
  let phase: Phase = 'up';
  let outage = -1;
  let running = true;
  const outages: OutageFigures[] = [];
  const figures: ScenarioFigures = {
    outages,
    serviceCalls: { total: 0, withCards: 0, slowestMs: 0, failures: [] },
    feedback: { requests: 0, acknowledgedItems: 0, lostItems: 0, storedThough503: 0, unexpected: [] },
    racedWhileUp: emptyRace(),
    racedRecovering: emptyRace(),
    replicas: [],
    notRecovered: [],
  };
  const acknowledged = new Set<string>();
  const refused = new Set<string>();
  /** When the current outage's `pg_ctl start` returned (performance.now()), for the recovery figure. */
  let restartedAt = Number.POSITIVE_INFINITY;
  /** Traffic answered within the current phase (begun and ended in it), to know when a phase has seen enough. */
  let seen = { serviceCalls: 0, feedback: 0, races: 0 };
  let phaseNumber = 0;
  const enter = (next: Phase): void => {
    phase = next;
    phaseNumber += 1;
    seen = { serviceCalls: 0, feedback: 0, races: 0 };
  };
  const count = (kind: keyof typeof seen, startedInPhase: number): void => {
    if (startedInPhase === phaseNumber) {
      seen[kind] += 1;
    }
  };
  /** Waits at least `ms`, then until the phase has seen enough traffic (or PHASE_LIMIT_MS have passed). */
  const hold = async (ms: number): Promise<void> => {
    const limit = Date.now() + PHASE_LIMIT_MS;
    await sleep(ms);
    while (
      Date.now() < limit &&
      (seen.serviceCalls < ENOUGH.serviceCalls || seen.feedback < ENOUGH.feedback || seen.races < ENOUGH.races)
    ) {
      await sleep(50);
    }
  };

  const inOutage = (p: Phase): boolean => p === 'stopping' || p === 'down' || p === 'starting';

  const serviceSender = async (name: ReplicaName): Promise<void> => {
    while (running) {
      const [startPhase, startOutage, startNumber] = [phase, outage, phaseNumber];
      const result = await callService(rig, rig.replica(name));
      count('serviceCalls', startNumber);
      figures.serviceCalls.total += 1;
      figures.serviceCalls.slowestMs = Math.max(figures.serviceCalls.slowestMs, result.ms);
      const ok = result.status === 200 && result.cards > 0;
      if (ok) {
        figures.serviceCalls.withCards += 1;
      } else if (figures.serviceCalls.failures.length < 10) {
        figures.serviceCalls.failures.push(
          `${name}: ${String(result.status)} with ${String(result.cards)} cards (${startPhase})`,
        );
      }
      const current = outages[startOutage];
      if (current !== undefined && inOutage(startPhase)) {
        current.serviceCalls += 1;
        current.serviceCallsWithCards += ok ? 1 : 0;
        current.slowestServiceCallMs = Math.max(current.slowestServiceCallMs, result.ms);
      }
      await sleep(10);
    }
  };

  const feedbackSender = async (name: ReplicaName): Promise<void> => {
    while (running) {
      const [startPhase, startOutage, startNumber] = [phase, outage, phaseNumber];
      const started = performance.now();
      const cards = [randomUUID(), randomUUID()];
      const result = await sendFeedback(rig, rig.replica(name), cards);
      const endPhase = phase;
      count('feedback', startNumber);
      figures.feedback.requests += 1;
      if (result.status === 200) {
        cards.forEach((c) => acknowledged.add(c));
        const current = outages[startOutage];
        if (current !== undefined && started >= restartedAt && current.recoveryMs[name] === undefined) {
          current.recoveryMs[name] = Math.round(performance.now() - restartedAt);
        }
      } else {
        cards.forEach((c) => refused.add(c));
      }
      const expectedOk = startPhase === 'up' && endPhase === 'up';
      if ((expectedOk && result.status !== 200) || ![200, 503].includes(result.status)) {
        figures.feedback.unexpected.push(`${name}: ${String(result.status)} (${startPhase} → ${endPhase})`);
      }
      const current = outages[startOutage];
      if (current !== undefined && startPhase === 'down' && endPhase === 'down' && outage === startOutage) {
        current.feedbackWhileDown += 1;
        current.feedback503WithRetryAfter += result.status === 503 && result.retryAfter !== null ? 1 : 0;
      }
      await sleep(20);
    }
  };

  const racer = async (): Promise<void> => {
    while (running) {
      const [startPhase, startOutage, startNumber] = [phase, outage, phaseNumber];
      const statuses = await raceOneToken(rig);
      const endPhase = phase;
      count('races', startNumber);
      const current = outages[startOutage];
      if (startPhase === 'up' && endPhase === 'up') {
        recordRace(figures.racedWhileUp, statuses);
      } else if (current !== undefined && inOutage(startPhase) && inOutage(endPhase) && outage === startOutage) {
        recordRace(current.racedWhileDown, statuses);
      } else {
        recordRace(figures.racedRecovering, statuses);
      }
      await sleep(10);
    }
  };

  const senders = [
    ...REPLICA_NAMES.flatMap((n) => [serviceSender(n), serviceSender(n), feedbackSender(n), feedbackSender(n)]),
    racer(),
  ];
  try {
    await hold(options.steadyMs);
    for (const mode of modes) {
      outages.push({
        mode,
        downMs: 0,
        serviceCalls: 0,
        serviceCallsWithCards: 0,
        slowestServiceCallMs: 0,
        feedbackWhileDown: 0,
        feedback503WithRetryAfter: 0,
        recoveryMs: {},
        racedWhileDown: emptyRace(),
      });
      outage = outages.length - 1;
      const current = outages[outage]!;
      restartedAt = Number.POSITIVE_INFINITY;
      const stopCalled = performance.now();
      enter('stopping');
      log(`pg_ctl stop -m ${mode}`);
      await cluster.stop(mode);
      enter('down');
      await hold(options.outageMs);
      enter('starting');
      log('pg_ctl start');
      await cluster.start();
      restartedAt = performance.now();
      current.downMs = Math.round(restartedAt - stopCalled);
      enter('recovering');
      const notRecovered = await untilStoresOpen(rig, 30_000);
      figures.notRecovered.push(...notRecovered.map((p) => `after -m ${mode}: ${p}`));
      const deadline = Date.now() + (notRecovered.length > 0 ? 0 : 30_000);
      while (REPLICA_NAMES.some((n) => current.recoveryMs[n] === undefined) && Date.now() < deadline) {
        await sleep(50);
      }
      enter('up');
      log(`recovered after -m ${mode}: ${JSON.stringify(current.recoveryMs)} ms to the first stored feedback`);
      await hold(options.steadyMs);
    }
  } finally {
    running = false;
    await Promise.all(senders);
  }

  const stored = new Set(
    (await rig.query<{ card_uuid: string }>('SELECT card_uuid FROM feedback')).map((r) => r.card_uuid),
  );
  figures.feedback.acknowledgedItems = acknowledged.size;
  figures.feedback.lostItems = [...acknowledged].filter((c) => !stored.has(c)).length;
  figures.feedback.storedThough503 = [...refused].filter((c) => stored.has(c)).length;
  figures.replicas = [...rig.processes]
    .sort((x, y) => x.name.localeCompare(y.name))
    .map(({ name, process }) => ({
      name,
      exit:
        process.child.exitCode === null && process.child.signalCode === null
          ? null
          : String(process.child.exitCode ?? process.child.signalCode),
      crash: crashLines(process.output),
    }));
  return figures;
}
