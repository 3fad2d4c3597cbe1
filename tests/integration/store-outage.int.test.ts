import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anInfusion, encounterSignRequest } from '../helpers/builders.js';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres.js';
import { openPostgresStore } from '../../src/store/postgres-store.js';
import { ENCOUNTER_SIGN, startHarness, type Harness } from '../helpers/service-harness.js';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js';

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
  const target = new URL(database.url);
  proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port) });
  const viaProxy = new URL(database.url);
  viaProxy.port = String(proxy.port);
  h = await startHarness({ env: { DATABASE_URL: viaProxy.toString() } });
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
const feedbackBody = (card: string) => ({
  feedback: [
    { card, outcome: 'accepted', acceptedSuggestions: [{ id: 's1' }], outcomeTimestamp: new Date().toISOString() },
  ],
});

async function storedCards(): Promise<string[]> {
  return (await database.query<{ card_uuid: string }>('SELECT card_uuid FROM feedback')).map((r) => r.card_uuid);
}

describe.each(['refuse', 'blackhole'] as const)('PostgreSQL unreachable (%s)', (outage) => {
  it('still answers with cards quickly, refuses a local replay, answers feedback 503 and stays ready', async () => {
    const before = randomUUID();
    expect(
      (await h.request.post(FEEDBACK).set('Authorization', h.bearer(FEEDBACK)).send(feedbackBody(before))).status,
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
    // The replay check waits at most 250 ms for the database.
    expect(elapsed).toBeLessThan(1_000);

    const replay = await h.request.post(ENCOUNTER_SIGN).set('Authorization', token).send(encounterSignRequest());
    expect(replay.status).toBe(401);

    const during = randomUUID();
    const refused = await h.request.post(FEEDBACK).set('Authorization', h.bearer(FEEDBACK)).send(feedbackBody(during));
    expect(refused.status).toBe(503);
    expect(refused.headers['retry-after']).toBe('5');
    expect(refused.body.issue[0].details.coding[0].code).toBe('UNAVAILABLE');

    const ready = await h.request.get('/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body.checks).toMatchObject({ store: 'unreachable', storeBackend: 'postgresql' });
    const metrics = (await h.request.get('/metrics')).text;
    expect(metrics).toMatch(/oncosign_store_unavailable_total\{operation="replay-check"\} [1-9]/);
    expect(metrics).toMatch(/oncosign_store_unavailable_total\{operation="feedback"\} [1-9]/);

    proxy.setMode('forward');
    const after = randomUUID();
    expect(
      (await h.request.post(FEEDBACK).set('Authorization', h.bearer(FEEDBACK)).send(feedbackBody(after))).status,
    ).toBe(200);
    expect((await h.request.get('/readyz')).body.checks.store).toBe('open');
    const stored = await storedCards();
    expect(stored).toContain(before);
    expect(stored).toContain(after);
    expect(stored).not.toContain(during);
    console.log(`store outage (${outage}): cards in ${elapsed.toFixed(0)} ms, feedback 503, recovered`);
  });
});

describe('PostgreSQL not accepting connections yet at start-up', () => {
  const options = { poolSize: 2, claimTimeoutMs: 250, queryTimeoutMs: 2_000 };
  const viaProxy = (): string => {
    const url = new URL(database.url);
    url.port = String(proxy.port);
    return url.toString();
  };

  it('waits for the database and migrates once it answers', async () => {
    proxy.setMode('refuse');
    const opening = openPostgresStore(viaProxy(), { ...options, startupTimeoutMs: 10_000 });
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
      await expect(openPostgresStore(viaProxy(), { ...options, startupTimeoutMs: 1_000 })).rejects.toThrow();
      expect(performance.now() - started).toBeLessThan(4_000);
    } finally {
      proxy.setMode('forward');
    }
  });
});
