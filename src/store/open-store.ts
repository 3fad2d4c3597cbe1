import type { StoreConfig } from '../config/environment.js';
import { openPostgresStore } from './postgres-store.js';
import { openSqliteStore } from './sqlite-store.js';
import type { Store } from './store.js';
import {
  PROBE_TIMEOUT_MS,
  QUERY_TIMEOUT_MS,
  STARTUP_TIMEOUT_MS,
  TOKEN_CLAIM_MAX_WAIT_MS,
  TOKEN_CLAIM_TIMEOUT_MS,
} from '../config/limits.js';

// The replay check's waits and their reasons: src/config/limits.ts (docs/deploy.md, "When PostgreSQL is down").

/** Opens the configured store and brings its schema up to date (idempotently; concurrent replicas are safe). */
export async function openStore(config: StoreConfig): Promise<Store> {
  if (config.backend === 'postgresql') {
    return openPostgresStore(config.url, {
      poolSize: config.poolSize,
      claimTimeoutMs: TOKEN_CLAIM_TIMEOUT_MS,
      claimMaxWaitMs: TOKEN_CLAIM_MAX_WAIT_MS,
      probeTimeoutMs: PROBE_TIMEOUT_MS,
      queryTimeoutMs: QUERY_TIMEOUT_MS,
      startupTimeoutMs: STARTUP_TIMEOUT_MS,
    });
  }
  return openSqliteStore(config.path);
}
