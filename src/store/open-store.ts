import type { StoreConfig } from '../config/environment.js';
import { openPostgresStore } from './postgres-store.js';
import { openSqliteStore } from './sqlite-store.js';
import type { Store } from './store.js';

/*
 * The replay check's latency against its guarantee (docs/deploy.md, "When PostgreSQL is down"): it waits for its
 * statement; after TOKEN_CLAIM_TIMEOUT_MS without an answer it asks the liveness probe, which gets
 * PROBE_TIMEOUT_MS. Only a failed probe sends the call on with the local check; a live database keeps the check
 * waiting, up to TOKEN_CLAIM_MAX_WAIT_MS in all, after which the call is refused (503) rather than accepted.
 */
const TOKEN_CLAIM_TIMEOUT_MS = 250;
const PROBE_TIMEOUT_MS = 1_000;
// As long as the statement timeout: the database itself would let the check's statement run no longer.
const TOKEN_CLAIM_MAX_WAIT_MS = 5_000;
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
      claimMaxWaitMs: TOKEN_CLAIM_MAX_WAIT_MS,
      probeTimeoutMs: PROBE_TIMEOUT_MS,
      queryTimeoutMs: QUERY_TIMEOUT_MS,
      startupTimeoutMs: STARTUP_TIMEOUT_MS,
    });
  }
  return openSqliteStore(config.path);
}
