import express, { type Request, type RequestHandler } from 'express';
import { rateLimit as expressRateLimit } from 'express-rate-limit';
import supertest from 'supertest';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { RATE_LIMIT_WINDOW_MS } from '../../../src/config/limits.js';
import { CdsError } from '../../../src/errors.js';
import { sendError } from '../../../src/http/middleware/errors.js';
import { rateLimitPerIssuer } from '../../../src/http/middleware/rate-limit.js';
import { requestState } from '../../../src/http/middleware/request-context.js';

/** The limiter as it was built on express-rate-limit (draft-7 headers, memory store): the reference. */
function expressRateLimitReference(callsPerMinute: number): RequestHandler {
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

function appWith(limiter: RequestHandler) {
  const app = express();
  app.use((req, res, next) => {
    const iss = req.header('x-iss');
    const tenant = req.header('x-tenant');
    if (iss !== undefined) {
      requestState(res).client = { iss, jti: 'j', ...(tenant !== undefined ? { tenant } : {}) };
    }
    next();
  });
  app.post('/call', limiter, (_req, res) => {
    res.json({ ok: true });
  });
  return supertest(app);
}

afterEach(() => {
  vi.useRealTimers();
});

describe('rateLimitPerIssuer', () => {
  it('answers exactly as express-rate-limit did: statuses, draft-7 headers, Retry-After and body, across windows', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-01-01T00:00:00.000Z'));
    const limit = 3;
    const ours = appWith(rateLimitPerIssuer(limit));
    const reference = appWith(expressRateLimitReference(limit));
    // [ms to advance before the call, issuer, tenant]
    const script: [number, string | undefined, string | undefined][] = [
      [0, 'a', undefined],
      [0, 'a', undefined],
      [400, 'a', 't1'],
      [1_000, 'a', undefined],
      [10_500, 'a', undefined],
      [0, 'b', undefined],
      [0, undefined, undefined],
      [29_000, 'a', undefined],
      [18_999, 'a', undefined],
      [1, 'a', undefined],
      [1, 'a', undefined],
      [500, 'b', undefined],
      [0, 'b', undefined],
      [0, 'b', undefined],
      [0, 'b', undefined],
      [59_999, 'b', undefined],
      [1, 'b', undefined],
      [120_000, 'a', 't1'],
      [0, 'a', 't1'],
    ];
    for (const [advance, iss, tenant] of script) {
      vi.setSystemTime(Date.now() + advance);
      const answers = [];
      for (const request of [ours, reference]) {
        let call = request.post('/call');
        if (iss !== undefined) {
          call = call.set('x-iss', iss);
        }
        if (tenant !== undefined) {
          call = call.set('x-tenant', tenant);
        }
        const res = await call;
        answers.push({
          status: res.status,
          policy: res.headers['ratelimit-policy'] as unknown,
          rateLimit: res.headers.ratelimit as unknown,
          retryAfter: res.headers['retry-after'] as unknown,
          contentType: res.headers['content-type'] as unknown,
          body: res.text,
        });
      }
      expect(answers[0]).toEqual(answers[1]);
    }
  });
});
