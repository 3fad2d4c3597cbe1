import { loadCardCatalogue } from './cds/cards.js';
import { loadServiceRegistry } from './cds/services.js';
import type { Config } from './config.js';
import { createTokenVerifier } from './http/auth.js';
import { createApp, type AppHandle } from './http/app.js';
import { createKeyResolver } from './http/jwks.js';
import { createMemoryReplayGuard } from './http/replay-guard.js';
import type { Logger } from './observability/logger.js';
import { createMetrics, type Metrics } from './observability/metrics.js';
import { allRules } from './rules/index.js';
import type { FeedbackStore } from './store/feedback-store.js';
import { openSqliteFeedbackStore } from './store/sqlite-feedback-store.js';
import { Terminology } from './terminology/terminology.js';
import { loadSiteConfig } from './site-config.js';

export interface Service extends AppHandle {
  readonly store: FeedbackStore;
  readonly metrics: Metrics;
}

/** How long a JWKS fetch may take before the call is refused (401); keys are cached, so this is rare. */
const JWKS_TIMEOUT_MS = 2_000;

/**
 * Wires the service from configuration: data folders (discovery, card templates, terminology) are loaded and
 * validated here, once, so a bad file stops start-up instead of failing a clinician's call later.
 */
export function createService(
  config: Config,
  logger: Logger,
  options: { collectProcessMetrics?: boolean; now?: () => Date } = {},
): Service {
  const site = loadSiteConfig(config.siteConfigPath, allRules);
  const registry = loadServiceRegistry();
  const cards = loadCardCatalogue();
  const terminology = new Terminology();
  const missingTemplates = allRules.filter((r) => !cards.templates.has(r.id)).map((r) => r.id);
  if (missingTemplates.length > 0) {
    throw new Error(`cards/: rules without a card template: ${missingTemplates.join(', ')}`);
  }
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
    registry,
    cards,
    rules: site.rules,
    allRules,
    settings: site.settings,
    maxCards: site.maxCards,
    terminology,
    store,
    verifier,
    ...(options.now ? { now: options.now } : {}),
  });
  return { ...handle, store, metrics };
}
