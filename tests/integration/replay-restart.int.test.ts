import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { raceAcrossRestarts, startReplicaRig, type ReplicaRig } from '../../test-support/replica-rig.js';

/*
 * Issue 12: with PostgreSQL up, a token must be accepted exactly once across replicas, also when it arrives the
 * moment a replica has (re)started, when its connection pool used to be cold and the replay check's deadline
 * passed while it was still connecting (the call then went on with the local check alone). Two real replicas on
 * the shared test cluster (a fresh database); each token is sent to both at the same moment.
 */

const TOKENS = 1_000;

let rig: ReplicaRig;

beforeAll(async () => {
  const postgres = inject('postgres');
  if ('unavailable' in postgres) {
    throw new Error(postgres.unavailable);
  }
  rig = await startReplicaRig({ adminUrl: postgres.adminUrl });
}, 60_000);

afterAll(async () => {
  await rig.close();
});

describe('the same token at two replicas, PostgreSQL up', () => {
  it(`accepts each of ${String(TOKENS)} tokens exactly once, bursts right after each replica restarts included`, async () => {
    const { all, afterRestart } = await raceAcrossRestarts(rig, TOKENS, { concurrency: 8, burst: 32 });
    console.log(`replay across restarts: ${JSON.stringify({ all, afterRestart })}`);
    expect(all.tokens).toBeGreaterThanOrEqual(TOKENS);
    expect(afterRestart.tokens).toBe(64);
    expect(all.other).toEqual({});
    expect(all.acceptedTwice).toBe(0);
    expect(all.acceptedOnce).toBe(all.tokens);
    const keys = await rig.query<{ n: string }>('SELECT COUNT(*) AS n FROM token_keys');
    // Every accepted token was decided by the shared set: its key is in the table.
    expect(Number(keys[0]?.n)).toBeGreaterThanOrEqual(all.tokens);
  }, 150_000);
});
