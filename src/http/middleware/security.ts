import cors from 'cors';
import type { RequestHandler } from 'express';
import helmet from 'helmet';
import type { Config } from '../../config/environment.js';
import { CORS_PREFLIGHT_MAX_AGE_SECONDS } from '../../config/limits.js';

/**
 * Security headers on every answer: a response of ours loads nothing and is framed nowhere, and other origins may
 * read it (browser-based EHRs call from theirs).
 */
export function securityHeaders(): RequestHandler {
  return helmet({
    contentSecurityPolicy: { directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } },
    crossOriginResourcePolicy: { policy: 'cross-origin' },
  });
}

/**
 * CORS for browser-based EHRs and the CDS Hooks sandbox: preflights are answered without a JWT, and
 * Authorization must be named explicitly (a * wildcard does not cover it). No cookies are used, so no credentials.
 */
export function cdsHooksCors(corsOrigins: Config['corsOrigins']): RequestHandler {
  return cors({
    origin: corsOrigins === '*' ? '*' : [...corsOrigins],
    methods: ['GET', 'POST', 'OPTIONS'],
    allowedHeaders: ['Authorization', 'Content-Type', 'Accept', 'X-Request-Id'],
    exposedHeaders: ['X-Request-Id'],
    maxAge: CORS_PREFLIGHT_MAX_AGE_SECONDS,
  });
}
