import { describe, expect, it } from 'vitest';
import { isTransient } from '../../src/store/postgres-store.js';
import { openSqliteStore } from '../../src/store/sqlite-store.js';
import { StoreUnavailableError, type FeedbackRecord } from '../../src/store/store.js';
import { aFeedbackRecord } from '../../test-support/builders.js';

/*
 * Which store errors are an outage ("retry later": the replay check goes on locally, feedback gets 503) and which
 * are not (the token is refused, feedback gets 500). Misfiling either way is a real harm: an outage taken for an
 * error refuses every clinician's cards; an error taken for an outage switches replay protection off.
 */

const withCode = (code: string) => Object.assign(new Error(`code ${code}`), { code });

describe('isTransient (PostgreSQL)', () => {
  it.each([
    ['08006', 'connection failure'],
    ['08001', 'cannot establish connection'],
    ['57P01', 'admin shutdown'],
    ['57P03', 'cannot connect now (starting up)'],
    ['57014', 'statement timeout'],
    ['53300', 'too many connections'],
    ['53100', 'disk full'],
    ['25006', 'read-only transaction (after a failover)'],
    ['55P03', 'lock not available'],
    ['40001', 'serialization failure'],
    ['58030', 'I/O error'],
    ['ECONNREFUSED', 'connection refused'],
    ['ENETDOWN', 'network down'],
    ['ECONNABORTED', 'connection aborted'],
  ])('%s (%s) is an outage', (code) => {
    expect(isTransient(withCode(code))).toBe(true);
  });

  it.each([
    ['42501', 'insufficient privilege'],
    ['42P01', 'undefined table'],
    ['22021', 'invalid byte sequence'],
    ['23505', 'unique violation'],
    ['28P01', 'wrong password'],
    ['3D000', 'no such database'],
  ])('%s (%s) is not an outage', (code) => {
    expect(isTransient(withCode(code))).toBe(false);
  });

  it("recognises node-postgres's own timeouts and dropped connections, and nothing else without a code", () => {
    expect(isTransient(new Error('timeout exceeded when trying to connect'))).toBe(true);
    expect(isTransient(new Error('Query read timeout'))).toBe(true);
    expect(isTransient(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isTransient(new TypeError("Cannot read properties of undefined (reading 'rows')"))).toBe(false);
  });
});

describe('SQLite store errors', () => {
  it('a closed database is an outage', async () => {
    const store = openSqliteStore(':memory:');
    await store.close();
    await expect(store.saveFeedback([aFeedbackRecord()])).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(store.claimTokenKey('k', 2, 1)).rejects.toBeInstanceOf(StoreUnavailableError);
  });

  it('a refused record is not', async () => {
    const store = openSqliteStore(':memory:');
    try {
      const refused = store.saveFeedback([aFeedbackRecord({ outcome: 'maybe' as FeedbackRecord['outcome'] })]);
      await expect(refused).rejects.toThrow(/CHECK constraint/);
      await expect(refused).rejects.not.toBeInstanceOf(StoreUnavailableError);
    } finally {
      await store.close();
    }
  });
});
