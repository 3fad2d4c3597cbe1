import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoreConfig } from '../../src/config/environment.js';
import { openStore } from '../../src/store/open-store.js';
import type { FeedbackRecord, Store } from '../../src/store/store.js';
import { aFeedbackRecord } from '../../test-support/builders.js';
import { createTestDatabase, type TestDatabase } from '../../test-support/postgres.js';

/*
 * One suite, both back ends: the embedded SQLite file and PostgreSQL (a fresh database on a real server). Every
 * property the service relies on is checked against each through the same Store interface, and where it matters
 * through two store instances on the same data, as two replicas (or a restarted process) would have.
 */

interface Backend {
  readonly name: string;
  /** A store config over this suite's data; every call opens another instance on the same data. */
  config(): StoreConfig;
  /** The token keys stored, read over a connection of the test's own. */
  tokenKeys(): Promise<string[]>;
}

let tempDir: string;
let database: TestDatabase;
beforeAll(async () => {
  tempDir = mkdtempSync(join(tmpdir(), 'oncosign-store-'));
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.drop();
  rmSync(tempDir, { recursive: true, force: true });
});

const backends: readonly Backend[] = [
  {
    name: 'sqlite',
    config: () => ({ backend: 'sqlite', path: join(tempDir, 'store.db') }),
    tokenKeys: () => {
      const db = new Database(join(tempDir, 'store.db'), { readonly: true });
      try {
        return Promise.resolve((db.prepare('SELECT key FROM token_keys').all() as { key: string }[]).map((r) => r.key));
      } finally {
        db.close();
      }
    },
  },
  {
    name: 'postgresql',
    config: () => ({ backend: 'postgresql', url: database.url, poolSize: 4 }),
    tokenKeys: async () => (await database.query<{ key: string }>('SELECT key FROM token_keys')).map((r) => r.key),
  },
];

async function withStores<T>(count: number, backend: Backend, use: (stores: Store[]) => Promise<T>): Promise<T> {
  const stores: Store[] = [];
  try {
    for (let i = 0; i < count; i += 1) {
      stores.push(await openStore(backend.config()));
    }
    return await use(stores);
  } finally {
    await Promise.all(stores.map((s) => s.close()));
  }
}

async function listAll(store: Store): Promise<FeedbackRecord[]> {
  return store.listFeedback(100_000);
}

describe.each(backends)('store: $name', (backend) => {
  it('round-trips feedback exactly, with and without the optional fields, in the order stored', async () => {
    await withStores(1, backend, async ([store]) => {
      const before = await store!.countFeedback();
      const full = aFeedbackRecord({ acceptedSuggestions: ['add-0521f', 'add-1125f'] });
      const bare: FeedbackRecord = {
        serviceId: 'oncology-patient-view',
        cardUuid: randomUUID(),
        outcome: 'accepted',
        acceptedSuggestions: [],
        outcomeTimestamp: '2026-11-22T14:00:00Z',
        receivedAt: '2026-11-22T14:00:01.000Z',
        issuer: 'https://other-ehr.example.org',
      };
      await store!.saveFeedback([full, bare]);
      expect(await store!.countFeedback()).toBe(before + 2);
      expect((await listAll(store!)).slice(before)).toEqual([full, bare]);
    });
  });

  it('stores a batch all or nothing: one bad record leaves no row of its batch', async () => {
    await withStores(1, backend, async ([store]) => {
      const before = await store!.countFeedback();
      const good = aFeedbackRecord();
      const bad = aFeedbackRecord({ outcome: 'maybe' as FeedbackRecord['outcome'] });
      await expect(store!.saveFeedback([good, bad])).rejects.toThrow();
      expect(await store!.countFeedback()).toBe(before);
      expect((await listAll(store!)).map((r) => r.cardUuid)).not.toContain(good.cardUuid);
    });
  });

  it('keeps what it accepted across a close and reopen', async () => {
    const record = aFeedbackRecord();
    const key = `reopen-${randomUUID()}`;
    const now = Date.now();
    await withStores(1, backend, async ([store]) => {
      await store!.saveFeedback([record]);
      expect(await store!.claimTokenKey(key, now + 60_000, now)).toBe(true);
    });
    await withStores(1, backend, async ([store]) => {
      expect((await listAll(store!)).map((r) => r.cardUuid)).toContain(record.cardUuid);
      expect(await store!.claimTokenKey(key, now + 60_000, now + 1)).toBe(false);
    });
  });

  it('claims a token key once while it is unexpired, and again once it has expired', async () => {
    await withStores(1, backend, async ([store]) => {
      const now = Date.now();
      const key = `once-${randomUUID()}`;
      expect(await store!.claimTokenKey(key, now + 1_000, now)).toBe(true);
      expect(await store!.claimTokenKey(key, now + 1_000, now + 999)).toBe(false);
      expect(await store!.claimTokenKey(`other-${randomUUID()}`, now + 1_000, now)).toBe(true);
      expect(await store!.claimTokenKey(key, now + 5_000, now + 1_000)).toBe(true);
      expect(await store!.claimTokenKey(key, now + 5_000, now + 4_999)).toBe(false);
    });
  });

  // On PostgreSQL the claims really race (two pools, one upsert); better-sqlite3 runs them one after another, so
  // there the case holds the contract rather than testing a race.
  it('forgets expired token keys when asked, and keeps the others', async () => {
    await withStores(1, backend, async ([store]) => {
      const now = Date.now();
      const expiring = `expiring-${randomUUID()}`;
      const lasting = `lasting-${randomUUID()}`;
      await store!.claimTokenKey(expiring, now + 1_000, now);
      await store!.claimTokenKey(lasting, now + 60_000, now);
      await store!.deleteExpiredTokenKeys(now + 1_000);
      const kept = await backend.tokenKeys();
      expect(kept).not.toContain(expiring);
      expect(kept).toContain(lasting);
    });
  });

  it('gives a key to exactly one of many concurrent claims from two store instances', async () => {
    await withStores(2, backend, async ([a, b]) => {
      const now = Date.now();
      for (let round = 0; round < 20; round += 1) {
        const key = `race-${randomUUID()}`;
        const claims = await Promise.all(
          Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? a! : b!).claimTokenKey(key, now + 60_000, now)),
        );
        expect(claims.filter(Boolean)).toHaveLength(1);
      }
    });
  });

  it('sees feedback saved by another instance: one place to report from', async () => {
    await withStores(2, backend, async ([a, b]) => {
      const fromA = Array.from({ length: 25 }, () => aFeedbackRecord());
      const fromB = Array.from({ length: 25 }, () =>
        aFeedbackRecord({ outcome: 'accepted', acceptedSuggestions: ['x'] }),
      );
      await Promise.all([...fromA.map((r) => a!.saveFeedback([r])), ...fromB.map((r) => b!.saveFeedback([r]))]);
      const seenByA = new Set((await listAll(a!)).map((r) => r.cardUuid));
      for (const r of [...fromA, ...fromB]) {
        expect(seenByA.has(r.cardUuid)).toBe(true);
      }
      expect(await a!.countFeedback()).toBe(await b!.countFeedback());
    });
  });

  it('migrates idempotently, also when several instances open a fresh store at once', async () => {
    const fresh: StoreConfig =
      backend.name === 'sqlite'
        ? { backend: 'sqlite', path: join(tempDir, `fresh-${randomUUID()}.db`) }
        : await (async () => {
            const db = await createTestDatabase();
            cleanups.push(() => db.drop());
            return { backend: 'postgresql' as const, url: db.url, poolSize: 2 };
          })();
    const stores = await Promise.all(Array.from({ length: 4 }, () => openStore(fresh)));
    try {
      await stores[0]!.saveFeedback([aFeedbackRecord()]);
      expect(await stores[3]!.countFeedback()).toBe(1);
    } finally {
      await Promise.all(stores.map((s) => s.close()));
    }
    const reopened = await openStore(fresh);
    try {
      expect(await reopened.countFeedback()).toBe(1);
    } finally {
      await reopened.close();
    }
  });

  it('reports its health, and refuses work once closed', async () => {
    const store = await openStore(backend.config());
    expect(await store.health()).toBe('open');
    await store.close();
    expect(await store.health()).toBe('closed');
    await expect(store.saveFeedback([aFeedbackRecord()])).rejects.toThrow();
  });
});

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  await Promise.all(cleanups.map((c) => c()));
});
