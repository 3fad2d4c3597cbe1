/*
 * One server per process for the HTTP benchmark, so the load generator never shares its event loop:
 *   service  — the real service (JWT verified per request, rules, cards), logs off;
 *   baseline — express that only parses the JSON body (same limit) and answers {"cards":[]}.
 * Prints `ready <port>` on stdout once listening.
 */
import type { AddressInfo } from 'node:net';
import express from 'express';
import { loadConfig } from '../src/config/environment.js';
import { createLogger } from '../src/observability/logger.js';
import { createService } from '../src/wiring.js';

const [mode = 'service', portText = '0'] = process.argv.slice(2);
const port = Number(portText);

if (mode === 'baseline') {
  const app = express();
  app.use(express.json({ limit: '5mb' }));
  app.post('/cds-services/:id', (_req, res) => {
    res.type('application/json').send('{"cards":[]}');
  });
  const server = app.listen(port, '127.0.0.1', () => {
    console.log(`ready ${String((server.address() as AddressInfo).port)}`);
  });
} else {
  const config = loadConfig({
    PORT: String(port),
    PUBLIC_BASE_URL: `http://127.0.0.1:${String(port)}`,
    CDS_TRUSTED_ISSUERS: process.env.CDS_TRUSTED_ISSUERS ?? '[]',
    FEEDBACK_DB: ':memory:',
    LOG_LEVEL: 'silent',
    // The benchmark measures the service's work, not the per-issuer limiter refusing a single load generator.
    RATE_LIMIT_PER_MINUTE: '1000000',
  });
  const service = await createService(config, createLogger('silent'));
  const server = service.app.listen(port, '127.0.0.1', () => {
    console.log(`ready ${String((server.address() as AddressInfo).port)}`);
  });
}

// A clean exit on SIGTERM, so that node --cpu-prof writes its profile when the benchmark stops this process.
process.on('SIGTERM', () => {
  process.exit(0);
});
