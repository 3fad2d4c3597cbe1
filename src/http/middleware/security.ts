import cors from 'cors';
import type { RequestHandler } from 'express';
import helmet from 'helmet';
import type { Config } from '../../config/environment.js';
import { CORS_PREFLIGHT_MAX_AGE_SECONDS } from '../../config/limits.js';

/** The helmet configuration of every answer. */
function helmetMiddleware(): RequestHandler {
  return helmet({
    contentSecurityPolicy: { directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } },
    crossOriginResourcePolicy: { policy: 'cross-origin' },
  });
}

/**
 * The headers helmet sets, in its order, read once at start-up: with static options (no nonce functions) helmet
 * sets the same values on every answer, so running it per call only rebuilds them.
 */
export function securityHeaderList(): readonly (readonly [string, string])[] {
  const headers: [string, string][] = [];
  const recorder = {
    setHeader(name: string, value: string | number | readonly string[]) {
      if (typeof value !== 'string') {
        throw new Error(`helmet set ${name} to a non-string value`);
      }
      headers.push([name, value]);
    },
    removeHeader() {
      // X-Powered-By: the app never sets it (x-powered-by is disabled).
    },
  };
  const run = helmetMiddleware() as unknown as (
    req: object,
    res: typeof recorder,
    next: (error?: unknown) => void,
  ) => void;
  run({}, recorder, (error) => {
    if (error !== undefined && error !== null) {
      throw error instanceof Error ? error : new Error('helmet failed');
    }
  });
  if (headers.length === 0) {
    throw new Error('helmet set no headers synchronously');
  }
  return headers;
}

const CORS_PATH = '/cds-services';

/** Whether Express would run a middleware mounted at /cds-services for this path (case-insensitive, a prefix). */
function underCorsMount(path: string): boolean {
  const lower = path.toLowerCase();
  return lower === CORS_PATH || lower.startsWith(`${CORS_PATH}/`);
}

/**
 * Security headers on every answer: a response of ours loads nothing and is framed nowhere, and other origins may
 * read it (browser-based EHRs call from theirs). Then, under /cds-services, CORS for browser-based EHRs and the CDS
 * Hooks sandbox: preflights are answered without a JWT, and Authorization must be named explicitly (a * wildcard
 * does not cover it). No cookies are used, so no credentials.
 *
 * The headers are the ones helmet and cors set, computed once: an ordinary (not preflight) call with origins `*`
 * always gets the same two CORS headers; preflights and a list of origins go through cors itself.
 */
export function securityAndCors(corsOrigins: Config['corsOrigins']): RequestHandler {
  const security = securityHeaderList();
  const corsMiddleware = cors({
    origin: corsOrigins === '*' ? '*' : [...corsOrigins],
    methods: ['GET', 'POST', 'OPTIONS'],
    allowedHeaders: ['Authorization', 'Content-Type', 'Accept', 'X-Request-Id'],
    exposedHeaders: ['X-Request-Id'],
    maxAge: CORS_PREFLIGHT_MAX_AGE_SECONDS,
  });
  const anyOrigin = corsOrigins === '*';
  return (req, res, next) => {
    for (const [name, value] of security) {
      res.setHeader(name, value);
    }
    if (!underCorsMount(req.path)) {
      next();
      return;
    }
    if (anyOrigin && req.method !== 'OPTIONS') {
      // What cors sets on an ordinary call when every origin is allowed.
      res.setHeader('Access-Control-Allow-Origin', '*');
      res.setHeader('Access-Control-Expose-Headers', 'X-Request-Id');
      next();
      return;
    }
    corsMiddleware(req, res, next);
  };
}
