import type { Config } from './config/environment.js';
import { createTokenVerifier } from './http/auth.js';
import { createApp, type AppHandle } from './http/app.js';
import { createKeyResolver } from './http/jwks.js';
import { createReplayGuard } from './http/replay-guard.js';
import type { Logger } from './observability/logger.js';
import { createMetrics, type Metrics } from './observability/metrics.js';
import { openStore } from './store/open-store.js';
import type { Store } from './store/store.js';
import { loadEngine, type Engine } from './engine.js';
import { errorCode } from './errors.js';
import { createFeedbackLoop, type FeedbackLoop } from './feedback/card-memory.js';
import { resolveFindingKeySecret } from './feedback/finding-key.js';
import { JWKS_TIMEOUT_MS, STORE_WARNING_INTERVAL_MS } from './config/limits.js';

export interface Service extends AppHandle {
  /** Closing it first lets the issuance records already started finish, and stops the retention sweep. */
  readonly store: Store;
  readonly metrics: Metrics;
  readonly feedbackLoop: FeedbackLoop;
}

/**
 * Start-up could not complete. `stage` says which part failed, so the caller can say what is wrong: a data or
 * configuration file (the message names the file, rule id or field), or the store (only the driver's code, as a
 * store error's message can quote the connection string).
 */
export class StartupError extends Error {
  override readonly name = 'StartupError';

  constructor(
    readonly stage: 'data' | 'store',
    message: string,
    readonly code?: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/**
 * Wires the service from configuration. The engine (discovery, card templates, terminology, site rules) is loaded
 * and validated, and the store opened and migrated, before anything listens, so a bad file or an unreachable
 * database stops start-up instead of failing a clinician's call later.
 */
export async function createService(
  config: Config,
  logger: Logger,
  options: { collectProcessMetrics?: boolean; now?: () => Date } = {},
): Promise<Service> {
  let engine: Engine;
  try {
    engine = loadEngine(config.siteConfigPath);
  } catch (error) {
    // The loaders' messages name the file and what is wrong in it (SITE_CONFIG, cards/, terminology/, discovery/).
    throw new StartupError('data', error instanceof Error ? error.message : String(error), undefined, {
      cause: error,
    });
  }
  let opened: Store;
  try {
    opened = await openStore(config.store);
  } catch (error) {
    throw new StartupError('store', 'the store could not be opened', errorCode(error), { cause: error });
  }
  const metrics = createMetrics({
    collectProcessMetrics: options.collectProcessMetrics ?? false,
    storeReachable: () => opened.isReachable(),
  });
  let findingKeys;
  try {
    findingKeys = await resolveFindingKeySecret(config.feedbackLoop.findingKeySecret, opened);
  } catch (error) {
    await opened.close();
    throw new StartupError('store', 'the finding-key secret could not be read or kept', errorCode(error), {
      cause: error,
    });
  }
  if (findingKeys.source === 'persisted' && opened.backend === 'postgresql') {
    // Every replica reads the same generated secret from the database, so keys agree; but then a copy of the
    // database alone is enough to test a guessed patient id against a key.
    logger.warn(
      'FINDING_KEY_SECRET is not set: using the secret generated and kept in the database; set it from a secret store',
    );
  }
  const feedbackLoop = createFeedbackLoop({
    store: opened,
    engine,
    metrics,
    logger,
    secret: findingKeys.secret,
    config: config.feedbackLoop,
    ...(options.now ? { now: options.now } : {}),
  });
  const store: Store = {
    ...opened,
    async close() {
      feedbackLoop.stop();
      await feedbackLoop.drain();
      await opened.close();
    },
  };
  feedbackLoop.startSweeping();
  const lastLogged = { unavailable: -Infinity, busy: -Infinity, error: -Infinity };
  const onStoreProblem = (problem: 'unavailable' | 'busy' | 'error', error: unknown): void => {
    metrics.storeFailures.inc({ operation: 'replay-check', kind: problem });
    const now = Date.now();
    if (now - lastLogged[problem] < STORE_WARNING_INTERVAL_MS) {
      return;
    }
    lastLogged[problem] = now;
    const details = { backend: store.backend, code: errorCode(error) };
    if (problem === 'unavailable') {
      logger.warn(details, 'store unavailable: replay check is local to this replica');
    } else if (problem === 'busy') {
      logger.warn(details, 'store slow: replay checks it could not decide in time are refused (503)');
    } else {
      logger.error(details, 'store error on replay check: tokens are refused until it is fixed');
    }
  };
  const verifier = createTokenVerifier({
    trustedIssuers: config.trustedIssuers,
    keys: createKeyResolver({ timeoutMs: JWKS_TIMEOUT_MS }),
    replay: createReplayGuard(store, {
      onStoreProblem,
      onDecision: (decidedBy) => {
        metrics.replayChecks.inc({ decided_by: decidedBy });
      },
    }),
  });
  const handle = createApp({
    config,
    logger,
    metrics,
    engine,
    store,
    feedbackLoop,
    verifier,
    ...(options.now ? { now: options.now } : {}),
  });
  return { ...handle, store, metrics, feedbackLoop };
}
