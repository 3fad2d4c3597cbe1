import type { RequestHandler } from 'express';
import type { CdsService } from '../../cds/services.js';
import { CdsError } from '../../errors.js';
import type { Metrics } from '../../observability/metrics.js';
import { AuthError, type TokenVerifier } from '../auth.js';
import { requestState } from './request-context.js';

/**
 * Verifies the JWT against the exact public URL of the endpoint, before the body is read. A refusal's reason is
 * kept for the log line and counted; the answer is a bare 401 whatever the reason.
 */
export function authenticate(deps: {
  readonly verifier: TokenVerifier;
  readonly metrics: Metrics;
  /** The public URL called, whose exact value the token's aud must be. */
  readonly audienceOf: (service: CdsService | undefined) => string;
}): RequestHandler {
  const { verifier, metrics, audienceOf } = deps;
  return async (req, res, next) => {
    const state = requestState(res);
    try {
      state.client = await verifier.verify(req.header('authorization'), audienceOf(state.service));
    } catch (error) {
      if (error instanceof AuthError) {
        state.authFailure = error;
        metrics.authFailures.inc({ reason: error.reason });
      }
      if (error instanceof CdsError && error.code === 'UNAVAILABLE') {
        // The replay check could not be decided in time; a new call (with a new token) usually can be.
        res.setHeader('Retry-After', '1');
      }
      throw error;
    }
    next();
  };
}
