import { randomUUID } from 'node:crypto';
import type { RequestHandler, Response } from 'express';
import type { CdsService } from '../../cds/services.js';
import type { Logger } from '../../observability/logger.js';
import type { Metrics } from '../../observability/metrics.js';
import type { AuthError, VerifiedClient } from '../auth.js';
import type { CallRecord } from '../handler.js';

/*
 * What is known about one request, kept on res.locals: its id and start, then what the guards established (the
 * service, the client or why it was refused) and what the handler returned. The log line and the metrics are
 * written from it, each in one place below.
 */
export interface RequestState {
  requestId: string;
  /** process.hrtime.bigint() when the request arrived. */
  started: bigint;
  service?: CdsService;
  client?: VerifiedClient;
  /** Why the call was refused 401, for the request's log line. */
  authFailure?: AuthError;
  call?: CallRecord;
}

export const requestState = (res: Response): RequestState => res.locals as RequestState;

export interface RequestContext {
  /** The first middleware: the request id, Cache-Control, and the log line once the answer is sent. */
  readonly begin: RequestHandler;
  /** Keeps what a handler returned for the log line, and counts it in the metrics now. */
  record(res: Response, call: CallRecord): void;
}

/** The log fields of a 401: the reason and what tells an operator which setting to fix, never the token. */
function authFailureFields(error: AuthError): Record<string, unknown> {
  const { expectedAud, receivedAud, kid, tokenJku, configuredJku, alg } = error.details;
  return { authFailure: error.reason, expectedAud, receivedAud, kid, tokenJku, configuredJku, alg };
}

export function createRequestContext(deps: {
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly isDraining: () => boolean;
}): RequestContext {
  const { logger, metrics, isDraining } = deps;

  /** The 'finish' listener of every response (`this` is the response): the request's metrics and log line. */
  function writeAccessLog(this: Response): void {
    const { req, statusCode } = this;
    const l = requestState(this);
    const ms = Number(process.hrtime.bigint() - l.started) / 1e6;
    const route = (req.route as { path?: string } | undefined)?.path ?? 'unmatched';
    metrics.httpRequests.inc({ route, method: req.method, status: String(statusCode) });
    if (l.service !== undefined && route === '/cds-services/:id') {
      metrics.hookDuration.observe({ service: l.service.id, outcome: String(statusCode) }, ms / 1000);
    }
    if (!logger.isLevelEnabled('info')) {
      // The line would be dropped: do not build it (the benchmark and quiet deployments run at warn or silent).
      return;
    }
    const telemetry = l.call?.telemetry;
    logger.info(
      {
        requestId: l.requestId,
        method: req.method,
        route,
        status: statusCode,
        ms: Math.round(ms * 100) / 100,
        service: l.service?.id,
        hookInstance: l.call?.hookInstance,
        iss: l.client?.iss ?? l.authFailure?.details.iss,
        tenant: l.client?.tenant,
        ...(l.authFailure !== undefined ? authFailureFields(l.authFailure) : {}),
        jti: l.client?.jti,
        rulesFired: telemetry?.fired,
        rulesFailed: telemetry?.failed.length ? telemetry.failed : undefined,
        rulesSkipped: telemetry?.skipped.length ? telemetry.skipped : undefined,
        rulesSuppressed: telemetry?.suppressed?.length ? telemetry.suppressed : undefined,
        rulesShadow: telemetry?.shadow?.length ? telemetry.shadow : undefined,
        unknownCards: l.call?.unknownCards,
        data: telemetry?.data.map((d) => `${d.key}:${d.source}`),
      },
      'request',
    );
  }

  const begin: RequestHandler = (req, res, next) => {
    const incoming = req.header('x-request-id');
    const requestId = incoming !== undefined && /^[A-Za-z0-9._-]{1,64}$/.test(incoming) ? incoming : randomUUID();
    res.setHeader('X-Request-Id', requestId);
    res.setHeader('Cache-Control', 'no-store');
    if (isDraining()) {
      // The client's next call then opens a new connection, which the balancer sends to a replica that stays.
      res.setHeader('Connection', 'close');
    }
    const state = requestState(res);
    state.requestId = requestId;
    state.started = process.hrtime.bigint();
    res.on('finish', writeAccessLog);
    next();
  };

  /*
   * Counted when the handler returns, not on 'finish': a call whose client hung up before the answer was written
   * still ran its rules and read the FHIR server, and the metrics say so.
   */
  function record(res: Response, call: CallRecord): void {
    requestState(res).call = call;
    for (const card of call.cards ?? []) {
      metrics.cards.inc({ rule: card.source.topic.code, indicator: card.indicator });
    }
    const telemetry = call.telemetry;
    if (telemetry !== undefined) {
      for (const rule of telemetry.failed) {
        metrics.ruleErrors.inc({ rule });
      }
      for (const rule of telemetry.skipped) {
        metrics.rulesSkipped.inc({ rule, reason: 'data-unavailable' });
      }
      for (const d of telemetry.data) {
        if (d.source === 'fhir-server' || d.fetchAttempted === true) {
          metrics.fhirFallback.inc({ resource: d.resourceType, outcome: d.source === 'fhir-server' ? 'ok' : 'failed' });
        }
      }
      for (const [resource, count] of telemetry.invalidResources) {
        metrics.invalidResources.inc({ resource }, count);
      }
    }
    for (const item of call.feedback ?? []) {
      metrics.feedback.inc({ outcome: item.outcome });
    }
    if (call.feedbackStoreFailure !== undefined) {
      metrics.storeFailures.inc({ operation: 'feedback', kind: call.feedbackStoreFailure });
    }
  }

  return { begin, record };
}
