import type { StoreConfig } from '../config.js';
import { openPostgresStore } from './postgres-store.js';
import { openSqliteStore } from './sqlite-store.js';
import type { Store } from './store.js';

/** A replay check waits this long for the shared database before the call goes on with the local check. */
const TOKEN_CLAIM_TIMEOUT_MS = 250;
/** A feedback write waits this long before the EHR is told 503 (retry). */
const QUERY_TIMEOUT_MS = 5_000;
/** Start-up waits this long for a database that is not accepting connections yet, then fails (exit 1). */
const STARTUP_TIMEOUT_MS = 20_000;

/** Opens the configured store and brings its schema up to date (idempotently; concurrent replicas are safe). */
export async function openStore(config: StoreConfig): Promise<Store> {
  if (config.backend === 'postgresql') {
    return openPostgresStore(config.url, {
      poolSize: config.poolSize,
      claimTimeoutMs: TOKEN_CLAIM_TIMEOUT_MS,
      queryTimeoutMs: QUERY_TIMEOUT_MS,
      startupTimeoutMs: STARTUP_TIMEOUT_MS,
    });
  }
  return openSqliteStore(config.path);
}
