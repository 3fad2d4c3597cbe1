import type { Config } from './config.js';
import { createTokenVerifier } from './http/auth.js';
import { createApp, type AppHandle } from './http/app.js';
import { createKeyResolver } from './http/jwks.js';
import { createMemoryReplayGuard } from './http/replay-guard.js';
import type { Logger } from './observability/logger.js';
import { createMetrics, type Metrics } from './observability/metrics.js';
import type { FeedbackStore } from './store/feedback-store.js';
import { openSqliteFeedbackStore } from './store/sqlite-feedback-store.js';
import { loadEngine } from './engine.js';

export interface Service extends AppHandle {
  readonly store: FeedbackStore;
  readonly metrics: Metrics;
}

/** How long a JWKS fetch may take before the call is refused (401); keys are cached, so this is rare. */
const JWKS_TIMEOUT_MS = 2_000;

/**
 * Wires the service from configuration. The engine (discovery, card templates, terminology, site rules) is loaded
 * and validated once, so a bad file stops start-up instead of failing a clinician's call later.
 */
export function createService(
  config: Config,
  logger: Logger,
  options: { collectProcessMetrics?: boolean; now?: () => Date } = {},
): Service {
  const engine = loadEngine(config.siteConfigPath);
  const store = openSqliteFeedbackStore(config.feedbackDb);
  const metrics = createMetrics({ collectProcessMetrics: options.collectProcessMetrics ?? false });
  const verifier = createTokenVerifier({
    trustedIssuers: config.trustedIssuers,
    keys: createKeyResolver({ timeoutMs: JWKS_TIMEOUT_MS }),
    replay: createMemoryReplayGuard(),
  });
  const handle = createApp({
    config,
    logger,
    metrics,
    engine,
    store,
    verifier,
    ...(options.now ? { now: options.now } : {}),
  });
  return { ...handle, store, metrics };
}
