import type { Request, RequestHandler } from 'express';
import { rateLimit as expressRateLimit } from 'express-rate-limit';
import { CdsError } from '../../errors.js';
import { sendError } from './errors.js';
import { requestState } from './request-context.js';
import { RATE_LIMIT_WINDOW_MS } from '../../config/limits.js';

/**
 * Per calling issuer (and tenant), after authentication: EHR traffic arrives from a few egress addresses, so an IP
 * key would throttle a whole health system at once. One limiter for every route it guards: service and feedback
 * calls share an issuer's budget.
 */
export function rateLimitPerIssuer(callsPerMinute: number): RequestHandler {
  return expressRateLimit({
    windowMs: RATE_LIMIT_WINDOW_MS,
    limit: callsPerMinute,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    keyGenerator: (_req, res) => {
      const client = requestState(res).client;
      return `${client?.iss ?? 'unknown'}\u0000${client?.tenant ?? ''}`;
    },
    handler: (req, res) => {
      const resetTime = (req as Request & { rateLimit?: { resetTime?: Date } }).rateLimit?.resetTime;
      const seconds = resetTime ? Math.max(1, Math.ceil((resetTime.getTime() - Date.now()) / 1000)) : 60;
      res.setHeader('Retry-After', String(seconds));
      sendError(res, new CdsError('RATE_LIMITED', `Too many calls from this client; retry in ${String(seconds)} s`));
    },
  });
}
