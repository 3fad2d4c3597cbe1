import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadConfig } from '../src/config/environment.js';
import { startLocalIssuer, type LocalIssuer } from '../src/devtools/local-issuer.js';
import { closeServer } from '../src/devtools/servers.js';
import { createLogger } from '../src/observability/logger.js';
import { createService } from '../src/wiring.js';

export interface LoopbackService {
  readonly issuer: LocalIssuer;
  /** `http://127.0.0.1:<port>`, which is also the service's PUBLIC_BASE_URL (JWT audiences must match it). */
  readonly baseUrl: string;
  close(): Promise<void>;
}

/**
 * The service in this process on an ephemeral loopback port, trusting a local issuer, with an in-memory store and
 * no logging. For the in-process benchmarks; `env` adds to or overrides those settings.
 */
export async function startLoopbackService(env: Record<string, string> = {}): Promise<LoopbackService> {
  const issuer = await startLocalIssuer();
  // Listen first so the public URL names the real port.
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const baseUrl = `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`;
  const config = loadConfig({
    PUBLIC_BASE_URL: baseUrl,
    CDS_TRUSTED_ISSUERS: JSON.stringify([{ iss: issuer.iss, jku: issuer.jku }]),
    FEEDBACK_DB: ':memory:',
    LOG_LEVEL: 'silent',
    ...env,
  });
  const service = await createService(config, createLogger('silent'));
  server.on('request', service.app);
  return {
    issuer,
    baseUrl,
    async close() {
      await closeServer(server);
      await service.store.close();
      await issuer.close();
    },
  };
}
