import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoreConfig } from '../../src/config/environment.js';
import type { CardIssue } from '../../src/store/issuance.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/store.js';
import { aFeedbackRecord, OVERRIDE_REASON_SYSTEM } from '../../test-support/builders.js';
import { createTestDatabase, type TestDatabase } from '../../test-support/postgres.js';

/*
 * The issuance record through the Store interface, against the embedded SQLite file and a real PostgreSQL database,
 * each with two store instances on the same data (two replicas, or a restarted process): cards recorded, feedback
 * joined to them or kept apart, the override memory, retention, the report's counts and the finding-key secret.
 */

interface Backend {
  readonly name: string;
  config(): StoreConfig;
}

let tempDir: string;
let database: TestDatabase;
beforeAll(async () => {
  tempDir = mkdtempSync(join(tmpdir(), 'oncosign-issuance-'));
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.drop();
  rmSync(tempDir, { recursive: true, force: true });
});

const backends: readonly Backend[] = [
  { name: 'sqlite', config: () => ({ backend: 'sqlite', path: join(tempDir, 'store.db') }) },
  { name: 'postgresql', config: () => ({ backend: 'postgresql', url: database.url, poolSize: 4 }) },
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

const ISSUER = 'https://ehr.example.org';

function anIssue(overrides: Partial<CardIssue> = {}): CardIssue {
  return {
    cardUuid: randomUUID(),
    findingKey: `key-${randomUUID()}`,
    ruleId: 'INF-001',
    variant: 'default',
    serviceId: 'oncology-encounter-sign',
    hookInstance: randomUUID(),
    issuer: ISSUER,
    tenant: 'clinic-7',
    disposition: 'shown',
    issuedAt: new Date().toISOString(),
    ...overrides,
  };
}

/** Feedback from the EHR the card was issued to. */
const feedbackOn = (card: CardIssue, overrides: Parameters<typeof aFeedbackRecord>[0] = {}) =>
  aFeedbackRecord({
    cardUuid: card.cardUuid,
    serviceId: card.serviceId,
    issuer: card.issuer,
    ...(card.tenant !== undefined ? { tenant: card.tenant } : {}),
    receivedAt: new Date().toISOString(),
    ...overrides,
  });

const longAgo = '2000-01-01T00:00:00.000Z';
const MEMORY_DEADLINE_MS = 1_000;

describe.each(backends)('issuance store: $name', (backend) => {
  it('joins feedback to the latest card of that uuid issued to the same EHR and tenant; keeps the rest apart', async () => {
    await withStores(2, backend, async ([a, b]) => {
      const card = anIssue({ ruleId: 'PAIN-004', variant: 'default' });
      const later = { ...card, hookInstance: randomUUID(), issuedAt: new Date(Date.now() + 1_000).toISOString() };
      await a!.recordIssuance([card, later]);
      const joins = await b!.saveJoinedFeedback([
        feedbackOn(card),
        feedbackOn(card, { tenant: 'clinic-8' }),
        feedbackOn(card, { issuer: 'https://other-ehr.example.org' }),
        feedbackOn(card, { serviceId: 'oncology-patient-view' }),
        feedbackOn(anIssue()),
      ]);
      expect(joins).toEqual([
        { known: true, ruleId: 'PAIN-004' },
        { known: false },
        { known: false },
        { known: false },
        { known: false },
      ]);
      // A shadow finding was never shown, so no feedback can be about it.
      const shadow = anIssue({ disposition: 'shadow' });
      await a!.recordIssuance([shadow]);
      expect(await a!.saveJoinedFeedback([feedbackOn(shadow)])).toEqual([{ known: false }]);
      // Joined feedback is also an ordinary feedback record.
      const all = await a!.listFeedback(100_000);
      expect(all.filter((r) => r.cardUuid === card.cardUuid)).toHaveLength(4);
    });
  });

  it('stores a batch of joined feedback all or nothing', async () => {
    await withStores(1, backend, async ([store]) => {
      const card = anIssue();
      await store!.recordIssuance([card]);
      const before = await store!.countFeedback();
      const bad = feedbackOn(card, { outcome: 'maybe' as 'accepted' });
      await expect(store!.saveJoinedFeedback([feedbackOn(card), bad])).rejects.toThrow();
      expect(await store!.countFeedback()).toBe(before);
    });
  });

  it('remembers, at another instance, a coded override for good and an acceptance within its window', async () => {
    await withStores(2, backend, async ([a, b]) => {
      const overridden = anIssue();
      const dismissed = anIssue();
      const commentOnly = anIssue();
      const accepted = anIssue({ ruleId: 'PAIN-004' });
      const acceptedLongAgo = anIssue({ ruleId: 'PAIN-004' });
      const neverShown = anIssue();
      await a!.recordIssuance([overridden, dismissed, commentOnly, accepted, acceptedLongAgo]);
      await a!.saveJoinedFeedback([
        feedbackOn(overridden, { receivedAt: longAgo }),
        feedbackOn(dismissed, { overrideReason: undefined, userComment: undefined }),
        feedbackOn(commentOnly, { overrideReason: undefined, userComment: 'not now' }),
        feedbackOn(accepted, { outcome: 'accepted', acceptedSuggestions: ['s'], overrideReason: undefined }),
        feedbackOn(acceptedLongAgo, {
          outcome: 'accepted',
          acceptedSuggestions: ['s'],
          overrideReason: undefined,
          receivedAt: longAgo,
        }),
      ]);
      const keys = [overridden, dismissed, commentOnly, accepted, acceptedLongAgo, neverShown].map((c) => c.findingKey);
      const since = new Date(Date.now() - 3_600_000).toISOString();
      const remembered = await b!.rememberedFindings(keys, since, MEMORY_DEADLINE_MS);
      expect(Object.fromEntries(remembered)).toEqual({
        [overridden.findingKey]: 'override',
        [accepted.findingKey]: 'accepted-suggestion',
      });
      expect(await b!.rememberedFindings([], since, MEMORY_DEADLINE_MS)).toEqual(new Map());
      // An override wins over an acceptance of the same finding.
      await b!.saveJoinedFeedback([feedbackOn(accepted)]);
      expect(
        (await a!.rememberedFindings([accepted.findingKey], since, MEMORY_DEADLINE_MS)).get(accepted.findingKey),
      ).toBe('override');
    });
  });

  it('answers override memory alike for any number of keys, asked again and again', async () => {
    await withStores(1, backend, async ([store]) => {
      const overridden = anIssue();
      await store!.recordIssuance([overridden]);
      await store!.saveJoinedFeedback([feedbackOn(overridden)]);
      const since = new Date(Date.now() - 3_600_000).toISOString();
      // Key counts either side of the SQLite store's cache of one statement per count (up to 64), some asked again.
      for (const count of [1, 2, 1, 3, 2, 64, 65, 200, 65, 1]) {
        const others = Array.from({ length: count - 1 }, () => anIssue().findingKey);
        const keys = [...others.slice(0, 1), overridden.findingKey, ...others.slice(1)];
        const remembered = await store!.rememberedFindings(keys, since, MEMORY_DEADLINE_MS);
        expect(Object.fromEntries(remembered)).toEqual({ [overridden.findingKey]: 'override' });
        expect(Object.fromEntries(await store!.rememberedFindings(others, since, MEMORY_DEADLINE_MS))).toEqual({});
      }
    });
  });

  it('forgets what is older than the retention, and keeps the rest', async () => {
    await withStores(1, backend, async ([store]) => {
      const old = anIssue({ issuedAt: '2001-01-01T00:00:00.000Z' });
      const recent = anIssue();
      await store!.recordIssuance([old, recent]);
      await store!.saveJoinedFeedback([
        feedbackOn(old, { receivedAt: '2001-01-02T00:00:00.000Z' }),
        feedbackOn(recent),
      ]);
      const deleted = await store!.sweepRetention('2002-01-01T00:00:00.000Z');
      expect(deleted.issuance).toBeGreaterThanOrEqual(1);
      expect(deleted.feedback).toBeGreaterThanOrEqual(1);
      const cards = (await store!.listFeedback(100_000)).map((r) => r.cardUuid);
      expect(cards).toContain(recent.cardUuid);
      expect(cards).not.toContain(old.cardUuid);
      // Forgotten cards are unknown to later feedback; the memory of an override goes with them.
      expect(await store!.saveJoinedFeedback([feedbackOn(old)])).toEqual([{ known: false }]);
      expect(await store!.saveJoinedFeedback([feedbackOn(recent)])).toEqual([{ known: true, ruleId: 'INF-001' }]);
    });
  });

  it('counts per rule and day for the report, a resent item once', async () => {
    const fresh: StoreConfig =
      backend.name === 'sqlite'
        ? { backend: 'sqlite', path: join(tempDir, `report-${randomUUID()}.db`) }
        : await (async () => {
            const db = await createTestDatabase();
            cleanups.push(() => db.drop());
            return { backend: 'postgresql' as const, url: db.url, poolSize: 2 };
          })();
    const store = await openStore(fresh);
    try {
      const day = '2026-02-09T10:00:00.000Z';
      const shown = anIssue({ ruleId: 'INF-001', issuedAt: day });
      const other = anIssue({ ruleId: 'PAIN-004', issuedAt: day });
      await store.recordIssuance([
        shown,
        other,
        anIssue({ ruleId: 'INF-001', issuedAt: day, disposition: 'suppressed', suppressedBy: 'override' }),
        anIssue({ ruleId: 'INF-002', issuedAt: day, disposition: 'shadow' }),
      ]);
      const override = feedbackOn(shown, {
        receivedAt: '2026-02-09T10:05:00.000Z',
        outcomeTimestamp: '2026-02-09T10:04:59Z',
        overrideReason: { system: OVERRIDE_REASON_SYSTEM, code: 'coder-reviewed' },
      });
      await store.saveJoinedFeedback([override]);
      // The client sends the same item again the next day: still one override.
      await store.saveJoinedFeedback([{ ...override, receivedAt: '2026-02-10T08:00:00.000Z' }]);
      await store.saveJoinedFeedback([
        feedbackOn(other, {
          outcome: 'accepted',
          acceptedSuggestions: ['s'],
          overrideReason: undefined,
          receivedAt: '2026-02-09T11:00:00.000Z',
        }),
        feedbackOn(anIssue(), { receivedAt: '2026-02-09T12:00:00.000Z' }),
      ]);
      const data = await store.feedbackReportData();
      const sortKey = (r: object) => JSON.stringify(Object.values(r));
      expect([...data.issuance].sort((x, y) => sortKey(x).localeCompare(sortKey(y)))).toEqual(
        [
          { ruleId: 'INF-001', day: '2026-02-09', disposition: 'shown', suppressedBy: null, count: 1 },
          { ruleId: 'INF-001', day: '2026-02-09', disposition: 'suppressed', suppressedBy: 'override', count: 1 },
          { ruleId: 'INF-002', day: '2026-02-09', disposition: 'shadow', suppressedBy: null, count: 1 },
          { ruleId: 'PAIN-004', day: '2026-02-09', disposition: 'shown', suppressedBy: null, count: 1 },
        ].sort((x, y) => sortKey(x).localeCompare(sortKey(y))),
      );
      expect([...data.feedback].sort((x, y) => x.ruleId.localeCompare(y.ruleId))).toEqual([
        {
          ruleId: 'INF-001',
          day: '2026-02-09',
          outcome: 'overridden',
          reasonSystem: OVERRIDE_REASON_SYSTEM,
          reasonCode: 'coder-reviewed',
          count: 1,
        },
        { ruleId: 'PAIN-004', day: '2026-02-09', outcome: 'accepted', reasonSystem: null, reasonCode: null, count: 1 },
      ]);
      expect(data.unknownCards).toEqual([{ day: '2026-02-09', count: 1 }]);
      expect(data.unjoinedLegacy).toBe(0);
      // Feedback stored through the older path (no join attempted) is counted as such.
      await store.saveFeedback([aFeedbackRecord()]);
      expect((await store.feedbackReportData()).unjoinedLegacy).toBe(1);
    } finally {
      await store.close();
    }
  });

  it('persists one generated finding-key secret, the same for every instance, outside the SQLite file', async () => {
    const fresh: StoreConfig =
      backend.name === 'sqlite'
        ? { backend: 'sqlite', path: join(tempDir, `secret-${randomUUID()}.db`) }
        : await (async () => {
            const db = await createTestDatabase();
            cleanups.push(() => db.drop());
            return { backend: 'postgresql' as const, url: db.url, poolSize: 2 };
          })();
    const stores = await Promise.all([openStore(fresh), openStore(fresh)]);
    try {
      const [first, second] = await Promise.all([
        stores[0].persistedFindingKeySecret('candidate-one-0123456789abcdef0123456789'),
        stores[1].persistedFindingKeySecret('candidate-two-0123456789abcdef0123456789'),
      ]);
      expect(first).toBe(second);
      expect(['candidate-one-0123456789abcdef0123456789', 'candidate-two-0123456789abcdef0123456789']).toContain(first);
      expect(await stores[0].persistedFindingKeySecret('candidate-three-0123456789abcdef012345')).toBe(first);
      if (fresh.backend === 'sqlite') {
        const file = `${fresh.path}.finding-key`;
        expect(existsSync(file)).toBe(true);
        expect(readFileSync(file, 'utf8').trim()).toBe(first);
        const db = new Database(fresh.path, { readonly: true });
        try {
          const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all();
          const dump = JSON.stringify(tables.map((t) => db.prepare(`SELECT * FROM ${String(t)}`).all()));
          expect(dump).not.toContain(first);
        } finally {
          db.close();
        }
      }
    } finally {
      await Promise.all(stores.map((s) => s.close()));
    }
  });
});

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  await Promise.all(cleanups.map((c) => c()));
});
