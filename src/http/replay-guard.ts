import { createHash } from 'node:crypto';
import { CdsError } from '../errors.js';
import { StoreBusyError, StoreUnavailableError, type Store } from '../store/store.js';
import { REPLAY_SET_SWEEP_INTERVAL_MS } from '../config/limits.js';

/**
 * Remembers each token id (`jti`, per issuer) until its token expires, so a captured token cannot be replayed.
 */
export interface ReplayGuard {
  /**
   * True the first time a token is seen while unexpired; false for a replay. Throws CdsError UNAVAILABLE (503)
   * when the shared replay set is reachable but could not decide in time, and ReplayCheckError when the store fails in
   * a way that must refuse the token (see createReplayGuard), so that refusal is not logged as a replay.
   */
  firstUse(issuer: string, jti: string, expiresAtMs: number, nowMs: number): Promise<boolean>;
}

export class ReplayCheckError extends Error {
  override readonly name = 'ReplayCheckError';
}

/** What decided a replay check (the label of oncosign_replay_checks_total). */
export type ReplayDecision = 'database' | 'memory' | 'local-fallback' | 'refused';

export interface ReplayGuardEvents {
  /** The store failed: unreachable (the local check decided), busy (refused, 503) or another error (refused, 401). */
  onStoreProblem(problem: 'unavailable' | 'busy' | 'error', error: unknown): void;
  onDecision(decidedBy: ReplayDecision): void;
}

/**
 * A fixed-size key for (issuer, jti): the pair is length-delimited before hashing, so no two pairs collide by
 * concatenation, and a jti with a NUL or 8 KB of text stores like any other.
 */
export function tokenKey(issuer: string, jti: string): string {
  return createHash('sha256')
    .update(JSON.stringify([issuer, jti]))
    .digest('base64url');
}

/** This process's own memory of token keys; a restart forgets them, another replica never knew them. */
function createMemoryReplaySet() {
  const seen = new Map<string, number>();
  return {
    firstUse(key: string, expiresAtMs: number, nowMs: number): boolean {
      const expiry = seen.get(key);
      if (expiry !== undefined && expiry > nowMs) {
        return false;
      }
      seen.set(key, expiresAtMs);
      return true;
    },
    deleteExpired(nowMs: number): void {
      for (const [key, expiry] of seen) {
        if (expiry <= nowMs) {
          seen.delete(key);
        }
      }
    },
  };
}

/**
 * The store's replay set (shared by every replica on the same database), in front of which this process's memory
 * answers a local replay without a round trip.
 *
 * While the database is reachable, the shared set decides, however long that takes up to the store's bound: a
 * slow answer is waited for, and a check the store cannot decide in time (StoreBusyError) refuses the call with
 * 503 instead of accepting a token another replica may accept too. Only when the store reports the database
 * unreachable (its liveness probe failed) does the call go on with the local check alone (JUDGMENT: the token's
 * signature, issuer, audience and age were verified; refusing every call while the database is down would take
 * the cards from every clinician, and a replay at another replica inside that window is the residual risk). Any
 * other store error (a missing privilege, a bug) is not an outage: the token is refused, so a misconfiguration
 * cannot quietly switch replay protection off. All of these are reported.
 */
export function createReplayGuard(store: Store, events: ReplayGuardEvents): ReplayGuard {
  const local = createMemoryReplaySet();
  let nextSweep = 0;
  return {
    async firstUse(issuer, jti, expiresAtMs, nowMs) {
      if (nowMs >= nextSweep) {
        nextSweep = nowMs + REPLAY_SET_SWEEP_INTERVAL_MS;
        local.deleteExpired(nowMs);
        // Not awaited: housekeeping must not add to a clinician's call, and a failed sweep is retried next time.
        void store.deleteExpiredTokenKeys(nowMs).catch(() => undefined);
      }
      const key = tokenKey(issuer, jti);
      if (!local.firstUse(key, expiresAtMs, nowMs)) {
        events.onDecision('memory');
        return false;
      }
      try {
        const first = await store.claimTokenKey(key, expiresAtMs, nowMs);
        events.onDecision('database');
        return first;
      } catch (error) {
        if (error instanceof StoreBusyError) {
          // The key stays in this replica's memory: a retry with the same token is refused here, as it may have
          // been stored after all. The EHR retries with a new token.
          events.onStoreProblem('busy', error);
          events.onDecision('refused');
          throw new CdsError('UNAVAILABLE', 'The replay check could not complete in time; retry with a new token');
        }
        if (error instanceof StoreUnavailableError) {
          events.onStoreProblem('unavailable', error);
          events.onDecision('local-fallback');
          return true;
        }
        events.onStoreProblem('error', error);
        events.onDecision('refused');
        throw new ReplayCheckError('the replay set could not be checked');
      }
    },
  };
}
