import { randomUUID } from 'node:crypto';
import cors from 'cors';
import express, { type NextFunction, type Request, type Response } from 'express';
import { rateLimit as expressRateLimit } from 'express-rate-limit';
import helmet from 'helmet';
import type { CdsService } from '../cds/services.js';
import type { Engine } from '../engine.js';
import type { Config } from '../config.js';
import type { FeedbackLoop } from '../feedback/card-memory.js';
import { CdsError, errorCode, operationOutcomeFor } from '../errors.js';
import { createConcurrencyLimit } from '../fhir/concurrency.js';
import { createFhirReader, type FhirReader } from '../fhir/fhir-server-source.js';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import { StoreUnavailableError, type Store } from '../store/store.js';
import { AuthError, type TokenVerifier, type VerifiedClient } from './auth.js';

import { buildOpenApiDocument } from './openapi.js';
import { parseHookRequest, type HookRequestDeps } from '../cds/hook-request.js';
import { invokeService, NO_TELEMETRY, type InvokeTelemetry } from '../cds/invoke.js';
import { describeIssues, feedbackRequestSchema } from '../cds/schemas.js';

export interface AppDeps {
  readonly config: Config;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly engine: Engine;
  readonly store: Store;
  /** Card identity, override memory, the issuance record and feedback joins (src/feedback/card-memory.ts). */
  readonly feedbackLoop: FeedbackLoop;
  readonly verifier: TokenVerifier;
  readonly now?: () => Date;
  readonly fhirReaderFor?: (baseUrl: string, accessToken: string | undefined) => FhirReader;
}

export interface AppHandle {
  readonly app: express.Express;
  /** Set on SIGTERM: /readyz answers 503 so load balancers stop sending new calls. */
  startDraining(): void;
}

interface Locals {
  requestId: string;
  client?: VerifiedClient;
  /** Why the call was refused 401, for the request's log line. */
  authFailure?: AuthError;
  service?: string;
  hookInstance?: string;
  telemetry?: InvokeTelemetry;
  /** Feedback items that named a card this service never returned to the caller. */
  unknownCards?: number;
}

const locals = (res: Response): Locals => res.locals as Locals;

function sendError(res: Response, error: CdsError): void {
  res.status(error.status);
  if (error.code === 'UNAUTHENTICATED') {
    res.end();
    return;
  }
  res.type('application/json').send(JSON.stringify(operationOutcomeFor(error)));
}

/** The log fields of a 401: the reason and what tells an operator which setting to fix, never the token. */
function authFailureFields(error: AuthError): Record<string, unknown> {
  const { expectedAud, receivedAud, kid, tokenJku, configuredJku, alg } = error.details;
  return { authFailure: error.reason, expectedAud, receivedAud, kid, tokenJku, configuredJku, alg };
}

/** express.json's errors, mapped to our table; anything else is a bug. */
function fromBodyParserError(error: unknown): CdsError | undefined {
  const type = (error as { type?: unknown } | undefined)?.type;
  switch (type) {
    case 'entity.parse.failed':
      return new CdsError('INVALID_REQUEST', 'Request body is not valid JSON');
    case 'entity.too.large':
      return new CdsError('PAYLOAD_TOO_LARGE', 'Request body is larger than the configured limit');
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new CdsError('UNSUPPORTED_MEDIA_TYPE', 'Request body encoding or charset is not supported');
    case 'request.aborted':
    case 'request.size.invalid':
      return new CdsError('INVALID_REQUEST', 'Request body was not received completely');
    default: {
      // Other client errors from the HTTP stack (a gzip body that does not inflate, a path whose percent-encoding
      // does not decode) carry a 4xx status: they are the caller's, never a 500.
      const status = (error as { status?: unknown; statusCode?: unknown } | undefined)?.status;
      return typeof status === 'number' && status >= 400 && status < 500
        ? new CdsError(
            status === 413 ? 'PAYLOAD_TOO_LARGE' : status === 415 ? 'UNSUPPORTED_MEDIA_TYPE' : 'INVALID_REQUEST',
            'Malformed request',
          )
        : undefined;
    }
  }
}

export function createApp(deps: AppDeps): AppHandle {
  const { config, logger, metrics, engine } = deps;
  const { registry } = engine;
  const now = deps.now ?? (() => new Date());
  const openApi = JSON.stringify(buildOpenApiDocument(config.publicBaseUrl, [...registry.services.keys()]));
  const discovery = JSON.stringify(registry.discovery);
  let draining = false;

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', 'simple');

  app.use((req, res, next) => {
    const incoming = req.header('x-request-id');
    const requestId = incoming !== undefined && /^[A-Za-z0-9._-]{1,64}$/.test(incoming) ? incoming : randomUUID();
    locals(res).requestId = requestId;
    res.setHeader('X-Request-Id', requestId);
    res.setHeader('Cache-Control', 'no-store');
    if (draining) {
      // The client's next call then opens a new connection, which the balancer sends to a replica that stays.
      res.setHeader('Connection', 'close');
    }
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const route = (req.route as { path?: string } | undefined)?.path ?? 'unmatched';
      metrics.httpRequests.inc({ route, method: req.method, status: String(res.statusCode) });
      const l = locals(res);
      if (l.service !== undefined && route === '/cds-services/:id') {
        metrics.hookDuration.observe({ service: l.service, outcome: String(res.statusCode) }, ms / 1000);
      }
      logger.info(
        {
          requestId,
          method: req.method,
          route,
          status: res.statusCode,
          ms: Math.round(ms * 100) / 100,
          service: l.service,
          hookInstance: l.hookInstance,
          iss: l.client?.iss ?? l.authFailure?.details.iss,
          tenant: l.client?.tenant,
          ...(l.authFailure !== undefined ? authFailureFields(l.authFailure) : {}),
          jti: l.client?.jti,
          rulesFired: l.telemetry?.fired,
          rulesFailed: l.telemetry?.failed.length ? l.telemetry.failed : undefined,
          rulesSkipped: l.telemetry?.skipped.length ? l.telemetry.skipped : undefined,
          rulesSuppressed: l.telemetry?.suppressed?.length ? l.telemetry.suppressed : undefined,
          rulesShadow: l.telemetry?.shadow?.length ? l.telemetry.shadow : undefined,
          unknownCards: l.unknownCards,
          data: l.telemetry?.data.map((d) => `${d.key}:${d.source}`),
        },
        'request',
      );
    });
    next();
  });

  app.use(
    helmet({
      contentSecurityPolicy: { directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } },
      crossOriginResourcePolicy: { policy: 'cross-origin' },
    }),
  );

  // CORS for browser-based EHRs and the CDS Hooks sandbox: preflights are answered without a JWT, and
  // Authorization must be named explicitly (a * wildcard does not cover it). No cookies are used, so no credentials.
  const corsMiddleware = cors({
    origin: config.corsOrigins === '*' ? '*' : [...config.corsOrigins],
    methods: ['GET', 'POST', 'OPTIONS'],
    allowedHeaders: ['Authorization', 'Content-Type', 'Accept', 'X-Request-Id'],
    exposedHeaders: ['X-Request-Id'],
    maxAge: 600,
  });
  app.use('/cds-services', corsMiddleware);

  const jsonBody = express.json({
    limit: config.bodyLimit,
    type: ['application/json', 'application/fhir+json', 'application/*+json'],
  });

  /** Unknown service ids are 404 before anything else is looked at. */
  const resolveService = (req: Request, res: Response, next: NextFunction): void => {
    const id = req.params.id;
    const service = typeof id === 'string' ? registry.services.get(id) : undefined;
    if (!service) {
      throw new CdsError('NOT_FOUND', `No CDS service with id ${String(id)}`);
    }
    locals(res).service = service.id;
    next();
  };

  /** Verifies the JWT against the exact public URL of the endpoint, before the body is read. */
  const authenticate =
    (suffix: string) =>
    async (req: Request, res: Response, next: NextFunction): Promise<void> => {
      const audience = `${config.publicBaseUrl}/cds-services/${locals(res).service ?? ''}${suffix}`;
      try {
        locals(res).client = await deps.verifier.verify(req.header('authorization'), audience);
      } catch (error) {
        if (error instanceof AuthError) {
          locals(res).authFailure = error;
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

  // Per calling issuer (and tenant), after authentication: EHR traffic arrives from a few egress addresses, so an IP
  // key would throttle a whole health system at once.
  const rateLimit = expressRateLimit({
    windowMs: 60_000,
    limit: config.rateLimitPerMinute,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    keyGenerator: (_req, res) => {
      const client = locals(res).client;
      return `${client?.iss ?? 'unknown'}\u0000${client?.tenant ?? ''}`;
    },
    handler: (req, res) => {
      const resetTime = (req as Request & { rateLimit?: { resetTime?: Date } }).rateLimit?.resetTime;
      const seconds = resetTime ? Math.max(1, Math.ceil((resetTime.getTime() - Date.now()) / 1000)) : 60;
      res.setHeader('Retry-After', String(seconds));
      sendError(res, new CdsError('RATE_LIMITED', `Too many calls from this client; retry in ${String(seconds)} s`));
    },
  });

  const requireJson = (req: Request, _res: Response, next: NextFunction): void => {
    if (!req.is(['application/json', 'application/fhir+json', 'application/*+json'])) {
      throw new CdsError('UNSUPPORTED_MEDIA_TYPE', 'Request body must be application/json');
    }
    next();
  };

  const serviceOf = (res: Response): CdsService => {
    const service = registry.services.get(locals(res).service ?? '');
    if (!service || !locals(res).client) {
      throw new Error('route reached without service resolution and authentication');
    }
    return service;
  };

  const sendJson = (res: Response, status: number, body: string): void => {
    res.status(status).type('application/json').send(body);
  };

  // --- Route table (CDS Hooks 2.0: https://cds-hooks.hl7.org/2.0/) ---------------------------------------------

  // Discovery: https://cds-hooks.hl7.org/2.0/#discovery. Open: a JWT may be sent and is not required.
  app.get('/cds-services', (_req, res) => {
    sendJson(res, 200, discovery);
  });

  // Calling a service: https://cds-hooks.hl7.org/2.0/#calling-a-cds-service
  app.post(
    '/cds-services/:id',
    resolveService,
    authenticate(''),
    rateLimit,
    requireJson,
    jsonBody,
    async (req, res) => {
      const service = serviceOf(res);
      const parsed = parseHookRequest(service, req.body, hookRequestDeps);
      if (!parsed.ok) {
        if (parsed.hookInstance !== undefined) {
          // Once the body is a hook request, its log line names the call, with what it did (nothing yet).
          locals(res).hookInstance = parsed.hookInstance;
          locals(res).telemetry = NO_TELEMETRY;
        }
        throw parsed.error;
      }
      const { request } = parsed;
      locals(res).hookInstance = request.hookInstance;
      const client = locals(res).client as VerifiedClient;
      const curate = deps.feedbackLoop.curatorFor({
        serviceId: service.id,
        hookInstance: request.hookInstance,
        issuer: client.iss,
        ...(client.tenant !== undefined ? { tenant: client.tenant } : {}),
      });
      const invocation = await invokeService(service, request, { ...invokeDeps, curate });
      locals(res).telemetry = invocation.telemetry;
      recordInvocationMetrics(invocation.telemetry);
      if (!invocation.ok) {
        throw invocation.error;
      }
      sendJson(res, 200, JSON.stringify(invocation.response));
      for (const card of invocation.response.cards) {
        metrics.cards.inc({ rule: card.source.topic.code, indicator: card.indicator });
      }
    },
  );

  // Feedback: https://cds-hooks.hl7.org/2.0/#feedback. Stored (committed) before the 200 is sent, each item joined
  // to the card it names. An item naming a card this service never returned to this client is still a valid body
  // (the card may have been issued while the store was unreachable, or swept by retention, and the spec defines no
  // error for it): it is stored apart, flagged unknown, counted, and reported in the answer, never joined to a rule.
  // The answer is 200 {"accepted": items joined to a card, "unknownCards": items kept apart}.
  app.post(
    '/cds-services/:id/feedback',
    resolveService,
    authenticate('/feedback'),
    rateLimit,
    requireJson,
    jsonBody,
    async (req, res) => {
      const service = serviceOf(res);
      const client = locals(res).client as VerifiedClient;
      const parsed = feedbackRequestSchema.safeParse(req.body);
      if (!parsed.success) {
        const { message, expression } = describeIssues(parsed.error);
        throw new CdsError('INVALID_REQUEST', message, expression);
      }
      const receivedAt = now().toISOString();
      const records = parsed.data.feedback.map((item) => ({
        serviceId: service.id,
        cardUuid: item.card,
        outcome: item.outcome,
        acceptedSuggestions: (item.acceptedSuggestions ?? []).map((s) => s.id),
        ...(item.overrideReason?.reason ? { overrideReason: item.overrideReason.reason } : {}),
        ...(item.overrideReason?.userComment !== undefined ? { userComment: item.overrideReason.userComment } : {}),
        outcomeTimestamp: item.outcomeTimestamp,
        receivedAt,
        issuer: client.iss,
        ...(client.tenant !== undefined ? { tenant: client.tenant } : {}),
      }));
      let joins;
      try {
        joins = await deps.feedbackLoop.saveFeedback(records);
      } catch (error) {
        const unavailable = error instanceof StoreUnavailableError;
        metrics.storeFailures.inc({ operation: 'feedback', kind: unavailable ? 'unavailable' : 'error' });
        if (unavailable) {
          res.setHeader('Retry-After', '5');
          throw new CdsError('UNAVAILABLE', 'The feedback store is unavailable; retry later');
        }
        throw error;
      }
      for (const record of records) {
        metrics.feedback.inc({ outcome: record.outcome });
      }
      const unknownCards = joins.filter((j) => !j.known).length;
      locals(res).unknownCards = unknownCards;
      sendJson(res, 200, JSON.stringify({ accepted: records.length - unknownCards, unknownCards }));
    },
  );

  app.get('/healthz', (_req, res) => {
    sendJson(res, 200, JSON.stringify({ status: 'ok' }));
  });

  // A shared database that does not answer leaves the replica ready: service calls still return cards (the
  // replay check falls back to this replica's memory) and only feedback is refused, so taking every replica out of
  // the load balancer would turn a database outage into a total one.
  app.get('/readyz', async (_req, res) => {
    const store = await deps.store.health();
    const ready = store !== 'closed' && !draining;
    sendJson(
      res,
      ready ? 200 : 503,
      JSON.stringify({
        status: ready ? 'ready' : 'not-ready',
        checks: {
          store,
          storeBackend: deps.store.backend,
          draining,
          services: registry.services.size,
          rules: engine.rules.length,
          rulesKnown: engine.allRules.length,
          cardTemplates: engine.cards.templates.size,
        },
      }),
    );
  });

  app.get('/metrics', async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });

  app.get('/openapi.json', (_req, res) => {
    sendJson(res, 200, openApi);
  });

  const knownPaths = /^\/(cds-services(\/[^/]+(\/feedback)?)?|healthz|readyz|metrics|openapi\.json)\/?$/;
  app.use((req, _res, next) => {
    next(
      knownPaths.test(req.path)
        ? new CdsError('METHOD_NOT_ALLOWED', `${req.method} is not supported on ${req.path}`)
        : new CdsError('NOT_FOUND', 'No such endpoint'),
    );
  });

  app.use((error: unknown, req: Request, res: Response, _next: NextFunction) => {
    const known = error instanceof CdsError ? error : fromBodyParserError(error);
    if (res.headersSent) {
      res.end();
      return;
    }
    if (known) {
      sendError(res, known);
      return;
    }
    logger.error(
      {
        requestId: locals(res).requestId,
        route: req.path,
        err: error instanceof Error ? error.name : 'unknown',
        code: errorCode(error),
      },
      'unhandled error',
    );
    sendError(res, new CdsError('INTERNAL', 'Internal error; the request id identifies it in the logs'));
  });

  const fhirLimit = createConcurrencyLimit(config.fhirMaxConcurrency);
  const hookRequestDeps: HookRequestDeps = {
    allowUnauthenticatedFhir: config.allowUnauthenticatedFhir,
    fhirReaderFor:
      deps.fhirReaderFor ??
      ((baseUrl: string, token: string | undefined) => createFhirReader(baseUrl, token, fhirLimit)),
  };
  const invokeDeps = { engine, fhirTimeoutMs: config.fhirTimeoutMs, now };

  function recordInvocationMetrics(telemetry: InvokeTelemetry): void {
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

  return {
    app,
    startDraining() {
      draining = true;
    },
  };
}
