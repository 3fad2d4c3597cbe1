import type { Server } from 'node:http';
import { ConfigError, loadConfig } from './config.js';
import { createLogger } from './observability/logger.js';
import { createService } from './service.js';

/** How long in-flight calls get to finish after SIGTERM before connections are cut. */
const DRAIN_TIMEOUT_MS = 10_000;

function main(): void {
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
  const service = createService(config, logger, { collectProcessMetrics: true });
  if (config.trustedIssuers.length === 0) {
    logger.warn('CDS_TRUSTED_ISSUERS is empty: discovery works, every service and feedback call is refused (401)');
  }
  if (config.allowUnauthenticatedFhir) {
    logger.warn('ALLOW_UNAUTHENTICATED_FHIR is on: development only');
  }

  const server: Server = service.app.listen(config.port, () => {
    const address = server.address();
    logger.info(
      {
        port: typeof address === 'object' && address !== null ? address.port : config.port,
        publicBaseUrl: config.publicBaseUrl,
        trustedIssuers: config.trustedIssuers.length,
      },
      'oncosign listening',
    );
  });
  // Above a load balancer's idle timeout (often 60 s), so the balancer, not we, closes idle connections.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  server.requestTimeout = 30_000;

  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) {
      return;
    }
    stopping = true;
    logger.info({ signal }, 'draining');
    service.startDraining();
    const forced = setTimeout(() => {
      server.closeAllConnections();
    }, DRAIN_TIMEOUT_MS);
    forced.unref();
    server.close(() => {
      clearTimeout(forced);
      void service.store.close().then(() => {
        logger.info('stopped');
        process.exit(0);
      });
    });
    server.closeIdleConnections();
  };
  process.on('SIGTERM', () => {
    shutdown('SIGTERM');
  });
  process.on('SIGINT', () => {
    shutdown('SIGINT');
  });
}

main();
