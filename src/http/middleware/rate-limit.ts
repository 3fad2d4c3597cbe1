import type { RequestHandler } from 'express';
import { CdsError } from '../../errors.js';
import { sendError } from './errors.js';
import { requestState } from './request-context.js';
import { RATE_LIMIT_WINDOW_MS } from '../../config/limits.js';

/** One key's window: hits counted since it opened, and when it closes (ms since the epoch). */
interface Window {
  hits: number;
  resetAt: number;
}

/**
 * Per calling issuer (and tenant), after authentication: EHR traffic arrives from a few egress addresses, so an IP
 * key would throttle a whole health system at once. One limiter for every route it guards: service and feedback
 * calls share an issuer's budget.
 *
 * A fixed window per key, opened by the key's first call, as express-rate-limit's memory store keeps it, with the
 * headers it sends (IETF draft 7: `RateLimit-Policy` and `RateLimit`), counted synchronously. Keys unseen for a
 * whole window are forgotten after the next one.
 */
export function rateLimitPerIssuer(callsPerMinute: number): RequestHandler {
  const windowMs = RATE_LIMIT_WINDOW_MS;
  const limit = callsPerMinute;
  const policy = `${String(limit)};w=${String(Math.ceil(windowMs / 1000))}`;
  let current = new Map<string, Window>();
  let previous = new Map<string, Window>();
  setInterval(() => {
    previous = current;
    current = new Map();
  }, windowMs).unref();

  const hit = (key: string): Window => {
    let window = current.get(key);
    if (window === undefined) {
      window = previous.get(key);
      if (window === undefined) {
        window = { hits: 0, resetAt: Date.now() + windowMs };
      } else {
        previous.delete(key);
      }
      current.set(key, window);
    }
    const now = Date.now();
    if (window.resetAt <= now) {
      window.hits = 0;
      window.resetAt = now + windowMs;
    }
    window.hits += 1;
    return window;
  };

  return (_req, res, next) => {
    const client = requestState(res).client;
    const window = hit(`${client?.iss ?? 'unknown'}\u0000${client?.tenant ?? ''}`);
    const { resetAt } = window;
    if (!res.headersSent) {
      const reset = Math.max(0, Math.ceil((resetAt - Date.now()) / 1000));
      res.setHeader('RateLimit-Policy', policy);
      res.setHeader(
        'RateLimit',
        `limit=${String(limit)}, remaining=${String(Math.max(limit - window.hits, 0))}, reset=${String(reset)}`,
      );
    }
    if (window.hits > limit) {
      const seconds = Math.max(1, Math.ceil((resetAt - Date.now()) / 1000));
      res.setHeader('Retry-After', String(seconds));
      sendError(res, new CdsError('RATE_LIMITED', `Too many calls from this client; retry in ${String(seconds)} s`));
      return;
    }
    next();
  };
}
