import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalIssuer, type LocalIssuer } from '../../src/devtools/local-issuer.js';
import { aFeedbackItem } from '../../test-support/builders.js';
import { killAll, startServerProcess, type ServerProcess } from '../../test-support/server-process.js';

/*
 * "Stored durably before the 200 is sent" (README, feedback endpoint), checked the hard way: the real server
 * (`node --import tsx src/server.ts`, real config from the environment, the SQLite file on disk) takes feedback from
 * 8 concurrent senders, is SIGKILLed mid-stream after ~300 acknowledged items, and is restarted on the same
 * FEEDBACK_DB. Every card uuid that was answered 200 must be in the file; items in flight at the kill may or may not
 * be; nothing that was never sent may be. The restarted server must answer /healthz and take new feedback.
 */

const SERVICE = 'oncology-encounter-sign';
const SENDERS = 8;
const KILL_AFTER_ACKNOWLEDGED = 300;

let issuer: LocalIssuer;
let dir: string;
let dbPath: string;
const servers: ServerProcess[] = [];

async function startServer(): Promise<ServerProcess> {
  const server = await startServerProcess({
    CDS_TRUSTED_ISSUERS: JSON.stringify([{ iss: issuer.iss, jku: issuer.jku }]),
    FEEDBACK_DB: dbPath,
  });
  servers.push(server);
  return server;
}

beforeAll(async () => {
  issuer = await startLocalIssuer();
  dir = mkdtempSync(join(tmpdir(), 'oncosign-crash-'));
  dbPath = join(dir, 'feedback.db');
});

afterAll(async () => {
  killAll(servers);
  await issuer.close();
  rmSync(dir, { recursive: true, force: true });
});

async function postFeedback(server: ServerProcess, cards: readonly string[]): Promise<Response> {
  const url = `${server.baseUrl}/cds-services/${SERVICE}/feedback`;
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${issuer.sign(url)}` },
    body: JSON.stringify({ feedback: cards.map((card) => aFeedbackItem(card)) }),
    signal: AbortSignal.timeout(10_000),
  });
}

describe('feedback survives SIGKILL of the real server', () => {
  it('keeps every acknowledged card uuid, and the restarted server answers and accepts feedback', async () => {
    const first = await startServer();

    const sent = new Set<string>();
    const acknowledged = new Set<string>();
    const unexpected: string[] = [];
    const state = { killed: false };

    const killAtThreshold = (): void => {
      if (!state.killed && acknowledged.size >= KILL_AFTER_ACKNOWLEDGED) {
        state.killed = true;
        first.child.kill('SIGKILL');
      }
    };
    const sender = async (id: number): Promise<void> => {
      for (let n = 0; !state.killed; n += 1) {
        // 1 to 3 items per request: an acknowledged request's items are committed together or not at all.
        const cards = Array.from({ length: 1 + ((id + n) % 3) }, () => randomUUID());
        cards.forEach((c) => sent.add(c));
        let res: Response;
        try {
          res = await postFeedback(first, cards);
        } catch {
          return; // the server is gone
        }
        if (res.status !== 200) {
          unexpected.push(`${String(res.status)} ${await res.text().catch(() => '')}`);
          continue;
        }
        let body: { accepted?: unknown; unknownCards?: unknown };
        try {
          body = (await res.json()) as { accepted?: unknown; unknownCards?: unknown };
        } catch {
          return; // killed between the status line and the body: not counted as acknowledged
        }
        // Random card uuids: stored, flagged as naming no issued card.
        expect(body).toEqual({ accepted: 0, unknownCards: cards.length });
        cards.forEach((c) => acknowledged.add(c));
        killAtThreshold();
      }
    };
    await Promise.all(Array.from({ length: SENDERS }, (_, i) => sender(i)));
    const [, signal] = await first.exited;
    expect(state.killed).toBe(true);
    expect(signal).toBe('SIGKILL');
    expect(unexpected).toEqual([]);

    // Restart on the same file: it must come up, answer liveness and readiness, and take new feedback.
    const second = await startServer();
    const health = await fetch(`${second.baseUrl}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    expect((await fetch(`${second.baseUrl}/readyz`)).status).toBe(200);
    const afterRestart = randomUUID();
    const accepted = await postFeedback(second, [afterRestart]);
    expect(accepted.status).toBe(200);
    expect(await accepted.json()).toEqual({ accepted: 0, unknownCards: 1 });

    // Graceful stop (SIGTERM drains and closes the store), then read the file as it is on disk.
    second.child.kill('SIGTERM');
    const [code] = await second.exited;
    expect(code).toBe(0);

    const db = new Database(dbPath, { readonly: true, fileMustExist: true });
    let stored: string[];
    try {
      stored = (db.prepare('SELECT card_uuid FROM feedback').all() as { card_uuid: string }[]).map((r) => r.card_uuid);
    } finally {
      db.close();
    }
    const storedSet = new Set(stored);
    const found = [...acknowledged].filter((c) => storedSet.has(c)).length;
    const inFlightStored = [...sent].filter((c) => !acknowledged.has(c) && storedSet.has(c)).length;
    const inFlight = sent.size - acknowledged.size;
    console.log(
      `crash-safety: acknowledged ${String(acknowledged.size)}, found ${String(found)} after SIGKILL ` +
        `(${String(inFlight)} sent but unacknowledged, ${String(inFlightStored)} of them stored)`,
    );

    expect(acknowledged.size).toBeGreaterThanOrEqual(KILL_AFTER_ACKNOWLEDGED);
    expect([...acknowledged].filter((c) => !storedSet.has(c))).toEqual([]);
    expect(storedSet.has(afterRestart)).toBe(true);
    // Nothing that was never sent, and nothing twice.
    expect(stored.filter((c) => !sent.has(c) && c !== afterRestart)).toEqual([]);
    expect(stored.length).toBe(storedSet.size);
  }, 120_000);
});
