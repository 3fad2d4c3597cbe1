/*
 * One server per process for the HTTP benchmark, so the load generator never shares its event loop:
 *   service — the real service (JWT verified per request, rules, cards), logs off;
 *   parse   — express that only parses the JSON body (the service's limit and content types) and answers
 *             {"cards":[]} (`baseline` is the old name of this mode);
 *   verify  — parse plus what CDS Hooks requires of every call: the ES384 signature of the request's JWT checked
 *             with node:crypto against the issuer's key, imported once at start from its JWKS (BENCH_JWKS_URL).
 *             A token whose signature does not verify is refused 401. Nothing else (no claims, no replay set).
 * Prints `ready <port>` on stdout once listening.
 */
import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import express, { type NextFunction, type Request, type Response } from 'express';
import { loadConfig } from '../src/config/environment.js';
import { createLogger } from '../src/observability/logger.js';
import { createService } from '../src/wiring.js';

const [mode = 'service', portText = '0'] = process.argv.slice(2);
const port = Number(portText);

/** The content types the service parses (src/http/middleware/json-body.ts); the body limit is the service's own, from its config. */
const JSON_TYPES = ['application/json', 'application/fhir+json', 'application/*+json'];

const config = loadConfig({
  PORT: String(port),
  PUBLIC_BASE_URL: `http://127.0.0.1:${String(port)}`,
  CDS_TRUSTED_ISSUERS: process.env.CDS_TRUSTED_ISSUERS ?? '[]',
  FEEDBACK_DB: ':memory:',
  LOG_LEVEL: 'silent',
  // The benchmark measures the service's work, not the per-issuer limiter refusing a single load generator.
  RATE_LIMIT_PER_MINUTE: '1000000',
});

/** The first key of the issuer's JWKS, imported once. */
async function importIssuerKey(jwksUrl: string): Promise<KeyObject> {
  const response = await fetch(jwksUrl);
  const jwks = (await response.json()) as { keys?: Record<string, unknown>[] };
  const jwk = jwks.keys?.[0];
  if (jwk === undefined) {
    throw new Error(`no key at ${jwksUrl}`);
  }
  return createPublicKey({ key: jwk, format: 'jwk' });
}

/** True when `authorization` is `Bearer <JWT>` whose ES384 signature verifies with `key`. */
function es384SignatureValid(authorization: string | undefined, key: KeyObject): boolean {
  if (authorization?.startsWith('Bearer ') !== true) {
    return false;
  }
  const token = authorization.slice('Bearer '.length);
  const lastDot = token.lastIndexOf('.');
  if (lastDot < 0) {
    return false;
  }
  // JWS ES384: SHA-384 over `header.payload`, signature r || s (IEEE P1363), base64url.
  return verify(
    'sha384',
    Buffer.from(token.slice(0, lastDot)),
    { key, dsaEncoding: 'ieee-p1363' },
    Buffer.from(token.slice(lastDot + 1), 'base64url'),
  );
}

function listen(app: express.Express): void {
  const server = app.listen(port, '127.0.0.1', () => {
    console.log(`ready ${String((server.address() as AddressInfo).port)}`);
  });
}

if (mode === 'parse' || mode === 'baseline' || mode === 'verify') {
  const app = express();
  if (mode === 'verify') {
    const key = await importIssuerKey(process.env.BENCH_JWKS_URL ?? '');
    // Before the body is read, as the service does.
    app.use((req: Request, res: Response, next: NextFunction) => {
      if (!es384SignatureValid(req.headers.authorization, key)) {
        res.status(401).end();
        return;
      }
      next();
    });
  }
  app.use(express.json({ limit: config.bodyLimit, type: JSON_TYPES }));
  app.post('/cds-services/:id', (_req, res) => {
    res.type('application/json').send('{"cards":[]}');
  });
  listen(app);
} else {
  // BENCH_LOG_LEVEL=info turns the access log on (to /dev/null), to see what it costs; the benchmark runs silent.
  const level = process.env.BENCH_LOG_LEVEL === 'info' ? 'info' : 'silent';
  const service = await createService(
    config,
    level === 'info' ? createLogger('info', pino.destination('/dev/null')) : createLogger('silent'),
  );
  listen(service.app);
}

// A clean exit on SIGTERM, so that node --cpu-prof writes its profile when the benchmark stops this process.
process.on('SIGTERM', () => {
  process.exit(0);
});
