import type { Server } from 'node:http';
import { ConfigError, loadConfig } from './config/environment.js';
import { errorCode } from './errors.js';
import { createLogger } from './observability/logger.js';
import { StartupError, createService } from './wiring.js';
import {
  DRAIN_IDLE_SWEEP_INTERVAL_MS,
  DRAIN_TIMEOUT_MS,
  HEADERS_TIMEOUT_MS,
  KEEP_ALIVE_TIMEOUT_MS,
  REQUEST_TIMEOUT_MS,
} from './config/limits.js';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  const logger = createLogger(config.logLevel);
  let service;
  try {
    service = await createService(config, logger, { collectProcessMetrics: true });
  } catch (error) {
    // Say what is wrong, and exit 1 (the orchestrator restarts us, or halts the rollout). A data or configuration
    // file: its own message, naming the file, rule id or field. The store: its back end and the driver's code
    // only, never the message, which can quote the connection string.
    if (error instanceof StartupError && error.stage === 'data') {
      logger.fatal({ stage: 'data' }, `start-up failed: ${error.message}`);
    } else if (error instanceof StartupError) {
      logger.fatal(
        { stage: 'store', backend: config.store.backend, code: error.code },
        'start-up failed: the store could not be opened',
      );
    } else {
      logger.fatal(
        { err: error instanceof Error ? error.name : 'unknown', code: errorCode(error) },
        'start-up failed: unexpected error',
      );
    }
    process.exit(1);
  }
  if (config.trustedIssuers.length === 0) {
    logger.warn('CDS_TRUSTED_ISSUERS is empty: discovery works, every service and feedback call is refused (401)');
  }
  if (config.allowUnauthenticatedFhir) {
    logger.warn('ALLOW_UNAUTHENTICATED_FHIR is on: development only');
  }

  // An options object, because HOST unset must keep listen()'s default of every interface.
  const server: Server = service.app.listen({ port: config.port, host: config.host }, () => {
    const address = server.address();
    logger.info(
      {
        port: typeof address === 'object' && address !== null ? address.port : config.port,
        host: typeof address === 'object' && address !== null ? address.address : config.host,
        publicBaseUrl: config.publicBaseUrl,
        trustedIssuers: config.trustedIssuers.length,
        store: config.store.backend,
      },
      'oncosign listening',
    );
  });
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  server.headersTimeout = HEADERS_TIMEOUT_MS;
  server.requestTimeout = REQUEST_TIMEOUT_MS;

  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) {
      return;
    }
    stopping = true;
    logger.info({ signal, shutdownDelayMs: config.shutdownDelayMs }, 'draining');
    service.startDraining();
    // Keep serving while the load balancer notices /readyz is 503; then stop accepting, let in-flight calls
    // finish (each is bounded by FHIR_TIMEOUT_MS), and only then close the store they may still write to.
    setTimeout(() => {
      const forced = setTimeout(() => {
        server.closeAllConnections();
      }, DRAIN_TIMEOUT_MS);
      forced.unref();
      // A keep-alive connection whose last call finishes after close() would otherwise hold the drain open
      // until the forced cut: close each one as soon as it falls idle.
      const idleSweep = setInterval(() => {
        server.closeIdleConnections();
      }, DRAIN_IDLE_SWEEP_INTERVAL_MS);
      server.close(() => {
        clearTimeout(forced);
        clearInterval(idleSweep);
        void service.store.close().then(
          () => {
            logger.info('stopped');
            process.exit(0);
          },
          () => {
            logger.error('store did not close cleanly');
            process.exit(1);
          },
        );
      });
      server.closeIdleConnections();
    }, config.shutdownDelayMs);
  };
  process.on('SIGTERM', () => {
    shutdown('SIGTERM');
  });
  process.on('SIGINT', () => {
    shutdown('SIGINT');
  });
}

void main();
