/**
 * Remembers each token id (`jti`, per issuer) until its token expires, so a captured token cannot be replayed.
 * In memory: a restart forgets them, and replicas do not share them (a shared store is the scale-out issue's).
 */
export interface ReplayGuard {
  /** True the first time an id is seen while unexpired; false for a replay. */
  firstUse(id: string, expiresAtMs: number, nowMs: number): boolean;
}

export function createMemoryReplayGuard(): ReplayGuard {
  const seen = new Map<string, number>();
  let nextSweep = 0;
  return {
    firstUse(id, expiresAtMs, nowMs) {
      if (nowMs >= nextSweep) {
        for (const [key, expiry] of seen) {
          if (expiry <= nowMs) {
            seen.delete(key);
          }
        }
        nextSweep = nowMs + 30_000;
      }
      const expiry = seen.get(id);
      if (expiry !== undefined && expiry > nowMs) {
        return false;
      }
      seen.set(id, expiresAtMs);
      return true;
    },
  };
}
