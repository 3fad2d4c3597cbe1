import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aFeedbackItem, aFeedbackRecord, anInfusion, encounterSignRequest } from '../../test-support/builders.js';
import { createTestDatabase, type TestDatabase } from '../../test-support/postgres.js';
import { openPostgresStore } from '../../src/store/postgres-store.js';
import { StoreUnavailableError } from '../../src/store/store.js';
import { ENCOUNTER_SIGN, startHarness, type Harness } from '../../test-support/service-harness.js';
import { startServerProcess } from '../../test-support/server-process.js';
import { startTcpProxy, type TcpProxy } from '../../test-support/tcp-proxy.js';

/*
 * The shared database goes away while clinicians sign. The service (real HTTP, real JWTs) reaches a real
 * PostgreSQL through a proxy that the test cuts: first refused connections (the server is down), then a
 * partition (nothing answers). Cards must keep coming, quickly; a replay at the same replica is still refused;
 * feedback is refused with 503 (retry), never half-stored; the replica stays ready; all recovers on its own.
 */

let database: TestDatabase;
let proxy: TcpProxy;
let h: Harness;

beforeAll(async () => {
  database = await createTestDatabase();
  proxy = await startTcpProxy(database.url);
  h = await startHarness({ env: { DATABASE_URL: proxy.url } });
});

afterAll(async () => {
  await h.close();
  await proxy.close();
  await database.drop();
});

const openInfusion = () => anInfusion({ effectivePeriod: { start: '2025-03-04T10:00:00-05:00' } });
const cardCodes = (body: unknown): string[] =>
  (body as { cards: { source: { topic: { code: string } } }[] }).cards.map((c) => c.source.topic.code);
const FEEDBACK = `${ENCOUNTER_SIGN}/feedback`;

/** The value of oncosign_store_failures_total for one operation and kind (0 when absent). */
function failures(metricsText: string, operation: string, kind: string): number {
  const line = metricsText
    .split('\n')
    .find(
      (l) =>
        l.startsWith('oncosign_store_failures_total{') &&
        l.includes(`operation="${operation}"`) &&
        l.includes(`kind="${kind}"`),
    );
  return line === undefined ? 0 : Number(line.split(' ').at(-1));
}

/** The value of one metric line, named with its labels exactly as exposed (NaN when absent). */
function metricValue(metricsText: string, series: string): number {
  const line = metricsText.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? Number.NaN : Number(line.split(' ').at(-1));
}

async function storedCards(): Promise<string[]> {
  return (await database.query<{ card_uuid: string }>('SELECT card_uuid FROM feedback')).map((r) => r.card_uuid);
}

describe.each(['refuse', 'blackhole'] as const)('PostgreSQL unreachable (%s)', (outage) => {
  it('still answers with cards quickly, refuses a local replay, answers feedback 503 and stays ready', async () => {
    const before = randomUUID();
    expect(
      (
        await h.request
          .post(FEEDBACK)
          .set('Authorization', h.bearer(FEEDBACK))
          .send({ feedback: [aFeedbackItem(before, 'accepted')] })
      ).status,
    ).toBe(200);

    proxy.setMode(outage);
    const token = h.bearer(ENCOUNTER_SIGN);
    const started = performance.now();
    const res = await h.request
      .post(ENCOUNTER_SIGN)
      .set('Authorization', token)
      .send(encounterSignRequest({ administrations: [openInfusion()] }));
    const elapsed = performance.now() - started;
    expect(res.status).toBe(200);
    expect(cardCodes(res.body)).toContain('INF-001');
    // Refused: the liveness probe fails at once. A partition: the check waits 250 ms for its statement, then up to
    // 1 s for the probe, before it goes on with the local check (docs/deploy.md, the trade-off).
    expect(elapsed).toBeLessThan(outage === 'refuse' ? 1_000 : 2_500);

    const replay = await h.request.post(ENCOUNTER_SIGN).set('Authorization', token).send(encounterSignRequest());
    expect(replay.status).toBe(401);

    const during = randomUUID();
    const refused = await h.request
      .post(FEEDBACK)
      .set('Authorization', h.bearer(FEEDBACK))
      .send({ feedback: [aFeedbackItem(during, 'accepted')] });
    expect(refused.status).toBe(503);
    expect(refused.headers['retry-after']).toBe('5');
    expect(refused.body.issue[0].details.coding[0].code).toBe('UNAVAILABLE');

    const ready = await h.request.get('/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body.checks).toMatchObject({ store: 'unreachable', storeBackend: 'postgresql' });
    const metrics = (await h.request.get('/metrics')).text;
    expect(failures(metrics, 'replay-check', 'unavailable')).toBeGreaterThan(0);
    expect(failures(metrics, 'feedback', 'unavailable')).toBeGreaterThan(0);
    expect(metricValue(metrics, 'oncosign_replay_checks_total{decided_by="local-fallback"}')).toBeGreaterThan(0);
    expect(metricValue(metrics, 'oncosign_store_reachable')).toBe(0);

    proxy.setMode('forward');
    const after = randomUUID();
    expect(
      (
        await h.request
          .post(FEEDBACK)
          .set('Authorization', h.bearer(FEEDBACK))
          .send({ feedback: [aFeedbackItem(after, 'accepted')] })
      ).status,
    ).toBe(200);
    expect((await h.request.get('/readyz')).body.checks.store).toBe('open');
    expect(metricValue((await h.request.get('/metrics')).text, 'oncosign_store_reachable')).toBe(1);
    const stored = await storedCards();
    expect(stored).toContain(before);
    expect(stored).toContain(after);
    expect(stored).not.toContain(during);
    console.log(`store outage (${outage}): cards in ${elapsed.toFixed(0)} ms, feedback 503, recovered`);
  }, 30_000);
});

describe('PostgreSQL not accepting connections yet at start-up', () => {
  const options = { poolSize: 2, claimTimeoutMs: 250, queryTimeoutMs: 2_000 };

  it('waits for the database and migrates once it answers', async () => {
    proxy.setMode('refuse');
    const opening = openPostgresStore(proxy.url, { ...options, startupTimeoutMs: 10_000 });
    await new Promise((resolve) => setTimeout(resolve, 700));
    proxy.setMode('forward');
    const store = await opening;
    try {
      expect(await store.health()).toBe('open');
    } finally {
      await store.close();
    }
  });

  it('gives up after its start-up timeout', async () => {
    proxy.setMode('refuse');
    const started = performance.now();
    try {
      await expect(openPostgresStore(proxy.url, { ...options, startupTimeoutMs: 1_000 })).rejects.toThrow();
      expect(performance.now() - started).toBeLessThan(4_000);
    } finally {
      proxy.setMode('forward');
    }
  });
});

describe('a busy database is not an outage', () => {
  it('checks replay in the store while every feedback connection waits on a lock', async () => {
    const locker = await database.connect();
    try {
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE feedback IN ACCESS EXCLUSIVE MODE');
      // More feedback writes than DATABASE_POOL_SIZE (10, both pools together): all of them wait on the lock.
      const waiting = Array.from({ length: 12 }, () =>
        h.request
          .post(FEEDBACK)
          .set('Authorization', h.bearer(FEEDBACK))
          .send({ feedback: [aFeedbackItem(randomUUID(), 'accepted')] }),
      );
      const pending = Promise.all(waiting.map((w) => w.then((r) => r.status)));
      await new Promise((resolve) => setTimeout(resolve, 300));

      const before = failures((await h.request.get('/metrics')).text, 'replay-check', 'unavailable');
      const keysBefore = Number((await database.query<{ n: string }>('SELECT COUNT(*) AS n FROM token_keys'))[0]?.n);
      const res = await h.request
        .post(ENCOUNTER_SIGN)
        .set('Authorization', h.bearer(ENCOUNTER_SIGN))
        .send(encounterSignRequest());
      expect(res.status).toBe(200);
      const keysAfter = Number((await database.query<{ n: string }>('SELECT COUNT(*) AS n FROM token_keys'))[0]?.n);
      expect(keysAfter).toBeGreaterThan(keysBefore);
      expect(failures((await h.request.get('/metrics')).text, 'replay-check', 'unavailable')).toBe(before);

      await locker.query('COMMIT');
      expect(await pending).toEqual(Array.from({ length: 12 }, () => 200));
    } finally {
      await locker.query('ROLLBACK').catch(() => undefined);
      locker.release();
    }
  }, 30_000);
});

describe('a replay check the database cannot decide in time', () => {
  it('refuses the call (503, Retry-After) rather than accept a token the shared replay set has not seen', async () => {
    const locker = await database.connect();
    try {
      await locker.query('BEGIN');
      // Every claim now waits on the lock, while the liveness probe (SELECT 1) still answers: reachable, not deciding.
      await locker.query('LOCK TABLE token_keys IN ACCESS EXCLUSIVE MODE');
      const before = (await h.request.get('/metrics')).text;
      const res = await h.request
        .post(ENCOUNTER_SIGN)
        .set('Authorization', h.bearer(ENCOUNTER_SIGN))
        .send(encounterSignRequest());
      expect(res.status).toBe(503);
      expect(res.headers['retry-after']).toBe('1');
      expect(res.body.issue[0].details.coding[0].code).toBe('UNAVAILABLE');
      const after = (await h.request.get('/metrics')).text;
      expect(failures(after, 'replay-check', 'busy')).toBe(failures(before, 'replay-check', 'busy') + 1);
      // Not the local fallback: the database was there the whole time.
      expect(failures(after, 'replay-check', 'unavailable')).toBe(failures(before, 'replay-check', 'unavailable'));
      expect(metricValue(after, 'oncosign_store_reachable')).toBe(1);
    } finally {
      await locker.query('ROLLBACK').catch(() => undefined);
      locker.release();
    }
  }, 30_000);
});

describe('a statement that runs out of time', () => {
  it('is an outage (503 for feedback), whichever of the server and the driver gives up first', async () => {
    const store = await openPostgresStore(database.url, {
      poolSize: 4,
      claimTimeoutMs: 250,
      queryTimeoutMs: 300,
      startupTimeoutMs: 5_000,
    });
    const locker = await database.connect();
    try {
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE feedback IN ACCESS EXCLUSIVE MODE');
      const outcomes = await Promise.all(
        Array.from({ length: 6 }, (_, i) =>
          store.saveFeedback([aFeedbackRecord({ cardUuid: `timeout-${String(i)}` })]).then(
            () => 'stored',
            (error: unknown) => (error instanceof StoreUnavailableError ? 'unavailable' : String(error)),
          ),
        ),
      );
      expect(outcomes).toEqual(Array.from({ length: 6 }, () => 'unavailable'));
    } finally {
      await locker.query('ROLLBACK').catch(() => undefined);
      locker.release();
      await store.close();
    }
  });
});

describe('a store error that is not an outage', () => {
  const role = `oncosign_app_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  const password = randomUUID();
  let limitedUrl: string;

  beforeAll(async () => {
    await database.query(`CREATE ROLE ${role} LOGIN PASSWORD '${password}'`);
    await database.query(`GRANT USAGE ON SCHEMA public TO ${role}`);
    await database.query(`GRANT SELECT ON schema_migrations TO ${role}`);
    const url = new URL(database.url);
    url.username = role;
    url.password = password;
    limitedUrl = url.toString();
  });
  afterAll(async () => {
    await database.query(`DROP OWNED BY ${role}`);
    await database.query(`DROP ROLE ${role}`);
  });

  const options = { poolSize: 2, claimTimeoutMs: 250, queryTimeoutMs: 2_000, startupTimeoutMs: 5_000 };

  it('stops start-up when the role cannot write what the replay check writes', async () => {
    await database.query(`GRANT SELECT, INSERT, DELETE ON token_keys, feedback TO ${role}`);
    const started = performance.now();
    await expect(openPostgresStore(limitedUrl, options)).rejects.toMatchObject({
      code: '42501',
      message: expect.stringContaining('token_keys'),
    });
    // Not retried as if the database were unreachable.
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it('makes the server process exit 1 at start-up, naming the error class and never the connection string', async () => {
    await database.query(`GRANT SELECT, INSERT, DELETE ON token_keys, feedback TO ${role}`);
    await database.query(`REVOKE UPDATE ON token_keys FROM ${role}`);
    const failure = await startServerProcess({ DATABASE_URL: limitedUrl }).then(
      () => 'started',
      (error: unknown) => (error instanceof Error ? error.message : String(error)),
    );
    expect(failure).toMatch(/exited \(1\) before listening/);
    expect(failure).toContain('start-up failed: the store could not be opened');
    expect(failure).toContain('"code":"42501"');
    expect(failure).not.toContain(password);
    expect(failure).not.toContain(role);
    // startServerProcess gives a process 30 s to start; a loaded machine (load 14 on 2 cores) took over 20 s.
  }, 45_000);

  it('refuses tokens (never accepts them unchecked) when the replay check fails for another reason', async () => {
    await database.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON token_keys, feedback TO ${role}`);
    await database.query(`GRANT USAGE ON SEQUENCE feedback_id_seq TO ${role}`);
    // The card-issuance record and the generated finding-key secret (docs/deploy.md, Privileges).
    await database.query(`GRANT SELECT, INSERT, DELETE ON card_issuance, finding_key_secret TO ${role}`);
    await database.query(`GRANT USAGE ON SEQUENCE card_issuance_id_seq TO ${role}`);
    const limited = await startHarness({ env: { DATABASE_URL: limitedUrl } });
    try {
      const ok = await limited.request
        .post(ENCOUNTER_SIGN)
        .set('Authorization', limited.bearer(ENCOUNTER_SIGN))
        .send(encounterSignRequest());
      expect(ok.status).toBe(200);

      await database.query(`REVOKE INSERT, UPDATE ON token_keys FROM ${role}`);
      const refused = await limited.request
        .post(ENCOUNTER_SIGN)
        .set('Authorization', limited.bearer(ENCOUNTER_SIGN))
        .send(encounterSignRequest());
      expect(refused.status).toBe(401);
      // Told apart from a replay in the call's log line.
      const line = limited.logs().find((l) => l.requestId === refused.headers['x-request-id'] && l.msg === 'request');
      expect(line?.authFailure).toBe('replay-check-failed');
      const metrics = (await limited.request.get('/metrics')).text;
      expect(failures(metrics, 'replay-check', 'error')).toBe(1);
      expect(failures(metrics, 'replay-check', 'unavailable')).toBe(0);
      expect(
        limited.logs().some((l) => l.msg === 'store error on replay check: tokens are refused until it is fixed'),
      ).toBe(true);
    } finally {
      await limited.close();
    }
  });
});

describe('feedback text the store cannot hold', () => {
  it.each([
    ['a NUL in the comment', { userComment: 'see note\u0000' }],
    ['a lone surrogate in the comment', { userComment: 'pain \ud83d' }],
  ])('is refused with 400 (%s), identically on both back ends', async (_name, reason) => {
    const body = {
      feedback: [
        {
          card: randomUUID(),
          outcome: 'overridden',
          overrideReason: { reason: { code: 'rule-not-applicable' }, ...reason },
          outcomeTimestamp: new Date().toISOString(),
        },
      ],
    };
    const sqlite = await startHarness();
    try {
      for (const harness of [h, sqlite]) {
        const res = await harness.request.post(FEEDBACK).set('Authorization', harness.bearer(FEEDBACK)).send(body);
        expect(res.status).toBe(400);
        expect(res.body.issue[0].details.coding[0].code).toBe('INVALID_REQUEST');
      }
    } finally {
      await sqlite.close();
    }
  });
});
