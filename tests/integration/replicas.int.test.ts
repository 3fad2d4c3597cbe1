import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalIssuer, type LocalIssuer } from '../../src/devtools/local-issuer.js';
import { aFeedbackItem, encounterSignRequest } from '../../test-support/builders.js';
import { createTestDatabase, type TestDatabase } from '../../test-support/postgres.js';
import { killAll, startServerProcess, type ServerProcess } from '../../test-support/server-process.js';

/*
 * Two replicas behind one load balancer: two real server processes (`src/server.ts`) on one PostgreSQL database,
 * sharing the public URL the EHR calls (so a token's `aud` is valid at both). A token used at one replica must be
 * refused at the other, also when both receive it at the same moment; feedback sent to either lands in one table.
 */

const PUBLIC_BASE_URL = 'https://oncosign.example.org';
const SERVICE_PATH = '/cds-services/oncology-encounter-sign';
const TOKENS = 100;

let issuer: LocalIssuer;
let database: TestDatabase;
let replicaA: ServerProcess;
let replicaB: ServerProcess;
const servers: ServerProcess[] = [];

beforeAll(async () => {
  issuer = await startLocalIssuer();
  database = await createTestDatabase();
  const env = {
    PUBLIC_BASE_URL,
    CDS_TRUSTED_ISSUERS: JSON.stringify([{ iss: issuer.iss, jku: issuer.jku }]),
    DATABASE_URL: database.url,
    DATABASE_POOL_SIZE: '4',
  };
  // Started together, as a Deployment's pods are: both run the migrations against the empty database.
  [replicaA, replicaB] = await Promise.all([startServerProcess(env), startServerProcess(env)]);
  servers.push(replicaA, replicaB);
}, 60_000);

afterAll(async () => {
  killAll(servers);
  await database.drop();
  await issuer.close();
});

const body = JSON.stringify(encounterSignRequest());

async function callService(replica: ServerProcess, token: string): Promise<number> {
  const res = await fetch(`${replica.baseUrl}${SERVICE_PATH}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body,
    signal: AbortSignal.timeout(10_000),
  });
  await res.arrayBuffer();
  return res.status;
}

const signForService = (): string => issuer.sign(`${PUBLIC_BASE_URL}${SERVICE_PATH}`);

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

describe('two replicas on one PostgreSQL database', () => {
  it('migrated the empty database once, though both replicas started together', async () => {
    const versions = await database.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY 1');
    expect(versions.map((v) => v.version)).toEqual([1, 2, 3]);
  });

  it('refuses at one replica a token already used at the other', async () => {
    const firstUse: number[] = [];
    const replayTimes: number[] = [];
    for (let i = 0; i < TOKENS; i += 1) {
      const [first, second] = i % 2 === 0 ? [replicaA, replicaB] : [replicaB, replicaA];
      const token = signForService();
      const started = performance.now();
      expect(await callService(first, token)).toBe(200);
      firstUse.push(performance.now() - started);
      const replayed = performance.now();
      expect(await callService(second, token)).toBe(401);
      replayTimes.push(performance.now() - replayed);
    }
    console.log(
      `replicas: ${String(TOKENS)} tokens used at one replica, all ${String(TOKENS)} refused at the other; ` +
        `median ${median(firstUse).toFixed(2)} ms first use, ${median(replayTimes).toFixed(2)} ms replay refusal`,
    );
  }, 60_000);

  it('accepts a token sent to both replicas at the same moment exactly once', async () => {
    let accepted = 0;
    let refused = 0;
    for (let i = 0; i < TOKENS; i += 1) {
      const token = signForService();
      const statuses = await Promise.all([callService(replicaA, token), callService(replicaB, token)]);
      expect([...statuses].sort()).toEqual([200, 401]);
      accepted += statuses.filter((s) => s === 200).length;
      refused += statuses.filter((s) => s === 401).length;
    }
    console.log(
      `replicas: ${String(TOKENS)} tokens raced at both replicas: ${String(accepted)} accepted, ${String(refused)} refused`,
    );
    expect(accepted).toBe(TOKENS);
  }, 60_000);

  it('stores feedback sent to either replica in one table', async () => {
    const path = `${SERVICE_PATH}/feedback`;
    const sentTo = new Map<string, 'A' | 'B'>();
    const send = async (replica: ServerProcess, name: 'A' | 'B', requests: number): Promise<void> => {
      for (let n = 0; n < requests; n += 1) {
        const cards = [randomUUID(), randomUUID()];
        const res = await fetch(`${replica.baseUrl}${path}`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            authorization: `Bearer ${issuer.sign(`${PUBLIC_BASE_URL}${path}`)}`,
          },
          body: JSON.stringify({ feedback: cards.map((card) => aFeedbackItem(card, 'accepted')) }),
          signal: AbortSignal.timeout(10_000),
        });
        expect(res.status).toBe(200);
        // Random card uuids: stored, flagged as naming no issued card.
        expect(await res.json()).toEqual({ accepted: 0, unknownCards: 2 });
        cards.forEach((c) => sentTo.set(c, name));
      }
    };
    const started = performance.now();
    // Four senders per replica at once, each sending 25 requests of 2 items.
    const sendersPerReplica = 4;
    const requestsPerSender = 25;
    await Promise.all([
      ...Array.from({ length: sendersPerReplica }, () => send(replicaA, 'A', requestsPerSender)),
      ...Array.from({ length: sendersPerReplica }, () => send(replicaB, 'B', requestsPerSender)),
    ]);
    const elapsed = performance.now() - started;
    const rows = await database.query<{ card_uuid: string; service_id: string; issuer: string }>(
      'SELECT card_uuid, service_id, issuer FROM feedback',
    );
    const stored = new Set(rows.map((r) => r.card_uuid));
    expect(rows).toHaveLength(sentTo.size);
    expect([...sentTo.keys()].filter((c) => !stored.has(c))).toEqual([]);
    expect(new Set(rows.map((r) => `${r.service_id} ${r.issuer}`))).toEqual(
      new Set([`oncology-encounter-sign ${issuer.iss}`]),
    );
    const viaA = [...sentTo.values()].filter((v) => v === 'A').length;
    console.log(
      `replicas: ${String(rows.length)} feedback items in one table (${String(viaA)} via A, ${String(rows.length - viaA)} via B), ` +
        `${String(2 * sendersPerReplica * requestsPerSender)} requests in ${elapsed.toFixed(0)} ms`,
    );
  }, 60_000);
});
