import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import type { HookRequestDeps } from '../cds/hook-request.js';
import type { CdsService } from '../cds/services.js';
import type { Engine } from '../engine.js';
import type { Config } from '../config/environment.js';
import type { FeedbackLoop } from '../feedback/card-memory.js';
import { createConcurrencyLimit } from '../fhir/concurrency.js';
import { createFhirReader, type FhirReader } from '../fhir/fhir-server-source.js';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import type { Store } from '../store/store.js';
import type { TokenVerifier } from './auth.js';
import type { HandlerResult, RouteDeps } from './handler.js';
import { authenticate } from './middleware/authenticate.js';
import { chain } from './middleware/chain.js';
import { errorHandler, unmatchedRoute } from './middleware/errors.js';
import { jsonBody } from './middleware/json-body.js';
import { rateLimitPerIssuer } from './middleware/rate-limit.js';
import { createRequestContext, requestState, type RequestContext } from './middleware/request-context.js';
import { resolveService } from './middleware/resolve-service.js';
import { securityAndCors } from './middleware/security.js';
import { buildOpenApiDocument } from './openapi.js';
import { knownPathMatcher, ROUTES, type Route } from './routes.js';

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

const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';
/** Statuses whose answer express sends without a body or content headers: these take express's path. */
const BODILESS_STATUSES = new Set([204, 205, 304]);

/** Sends what a handler returned: its record kept and counted, then the reply, or the failure to the error handler. */
function deliver(context: RequestContext, res: Response, next: NextFunction, result: HandlerResult): void {
  if (result.record !== undefined) {
    context.record(res, result.record);
  }
  if (result.headers !== undefined) {
    for (const [name, value] of Object.entries(result.headers)) {
      res.setHeader(name, value);
    }
  }
  if ('error' in result) {
    next(result.error);
    return;
  }
  if (result.contentType === undefined && res.req.method === 'POST' && !BODILESS_STATUSES.has(result.status)) {
    // What res.status().type('application/json').send(text) writes for a POST (never fresh, no ETag: the app
    // disables it), without express re-deriving the content type, charset and freshness on every call.
    res.statusCode = result.status;
    res.setHeader('Content-Type', JSON_CONTENT_TYPE);
    res.setHeader('Content-Length', String(Buffer.byteLength(result.body)));
    res.end(result.body);
    return;
  }
  res
    .status(result.status)
    .type(result.contentType ?? 'application/json')
    .send(result.body);
}

/** The Express handler of one route, built once at start-up. */
function routeHandler(route: Route, deps: RouteDeps, context: RequestContext): RequestHandler {
  if (route.kind === 'open') {
    const { handler } = route;
    return async (_req: Request, res: Response, next: NextFunction) => {
      deliver(context, res, next, await handler(deps));
    };
  }
  const { handler } = route;
  return async (req: Request, res: Response, next: NextFunction) => {
    const { service, client } = requestState(res);
    if (!service || !client) {
      throw new Error('route reached without service resolution and authentication');
    }
    const body: unknown = req.body;
    deliver(context, res, next, await handler({ service, client, body }, deps));
  };
}

export function createApp(deps: AppDeps): AppHandle {
  const { config, logger, metrics, engine } = deps;
  const { registry } = engine;
  let draining = false;
  const isDraining = (): boolean => draining;

  const fhirLimit = createConcurrencyLimit(config.fhirMaxConcurrency);
  const hookRequest: HookRequestDeps = {
    allowUnauthenticatedFhir: config.allowUnauthenticatedFhir,
    fhirReaderFor:
      deps.fhirReaderFor ??
      ((baseUrl: string, token: string | undefined) => createFhirReader(baseUrl, token, fhirLimit)),
  };
  const now = deps.now ?? (() => new Date());
  const routeDeps: RouteDeps = {
    engine,
    store: deps.store,
    metrics,
    feedbackLoop: deps.feedbackLoop,
    now,
    discovery: JSON.stringify(registry.discovery),
    openApi: JSON.stringify(buildOpenApiDocument(config.publicBaseUrl, [...registry.services.keys()], ROUTES)),
    hookRequest,
    invoke: { engine, fhirTimeoutMs: config.fhirTimeoutMs, now },
    isDraining,
  };

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', 'simple');

  const context = createRequestContext({ logger, metrics, isDraining });
  // One router layer: the request id and the access log, then the security headers and (under /cds-services) CORS.
  app.use(chain([context.begin, securityAndCors(config.corsOrigins)]));

  // Built once: every service-call route shares one rate limiter, so an issuer's budget covers both kinds of call.
  const lookUpService = resolveService(registry);
  const rateLimit = rateLimitPerIssuer(config.rateLimitPerMinute);
  const body = jsonBody(config.bodyLimit);

  for (const route of ROUTES) {
    const handler = routeHandler(route, routeDeps, context);
    if (route.kind === 'open') {
      app[route.method](route.path, handler);
      continue;
    }
    const [before = '', after = ''] = route.path.split(':id');
    const audienceOf = (service: CdsService | undefined): string =>
      `${config.publicBaseUrl}${before}${service?.id ?? ''}${after}`;
    const verify = authenticate({ verifier: deps.verifier, metrics, audienceOf });
    // One layer for the guards and the handler, in the order routes.ts describes.
    app[route.method](route.path, chain([lookUpService, verify, rateLimit, ...body, handler]));
  }

  app.use(unmatchedRoute(knownPathMatcher(ROUTES)));
  app.use(errorHandler(logger));

  return {
    app,
    startDraining() {
      draining = true;
    },
  };
}
