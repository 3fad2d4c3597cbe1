import { callService } from './handlers/service-call.js';
import { discovery, openApiDocument } from './handlers/documents.js';
import { receiveFeedback } from './handlers/feedback.js';
import { liveness, prometheusMetrics, readiness } from './handlers/operations.js';
import type { HandlerResult, Reply, RouteDeps, ServiceCall } from './handler.js';
import { errorResponse, UNAUTHENTICATED_RESPONSE } from './openapi.js';

/*
 * The HTTP surface, once (CDS Hooks 2.0: https://cds-hooks.hl7.org/2.0/). The app registers these routes in this
 * order; a request matching no route is 405 when its path is one of theirs and 404 otherwise; /openapi.json
 * describes exactly these.
 */

/** How a route appears in the OpenAPI description. */
export interface RouteDescription {
  /** A function of the hosted service ids where the summary names them. */
  readonly summary: string | ((serviceIds: readonly string[]) => string);
  /** The request body's schema, by its name under components.schemas. */
  readonly requestBody?: 'HookRequest' | 'FeedbackRequest';
  readonly responses: Readonly<Record<number, object>>;
}

interface RouteBase {
  readonly method: 'get' | 'post';
  /** An Express path; `:id` is the service id. */
  readonly path: string;
  /** The handler's name, also the OpenAPI operationId. */
  readonly name: string;
  readonly openApi: RouteDescription;
}

/** Open to anyone: no JWT is needed (one may be sent). */
export interface OpenRoute extends RouteBase {
  readonly kind: 'open';
  readonly handler: (deps: RouteDeps) => Reply | Promise<Reply>;
}

/**
 * A CDS Hooks call, guarded in this order: the service named by `:id` exists (404, before anything else is looked
 * at); the JWT verifies for the exact public URL called (401); the issuer is under its rate limit (429); the body
 * is JSON (415) within the size limit (413) and parses (400).
 */
export interface ServiceCallRoute extends RouteBase {
  readonly kind: 'service-call';
  readonly handler: (call: ServiceCall, deps: RouteDeps) => Promise<HandlerResult>;
}

export type Route = OpenRoute | ServiceCallRoute;

const TOO_LARGE = errorResponse('Body larger than the configured limit');
const NOT_JSON = errorResponse('Body is not JSON');
const RATE_LIMITED = errorResponse('Too many calls from this issuer; retry after Retry-After seconds');
const UNKNOWN_SERVICE = errorResponse('Unknown service');

export const ROUTES: readonly Route[] = [
  {
    method: 'get',
    path: '/cds-services',
    name: 'discovery',
    kind: 'open',
    handler: discovery,
    openApi: { summary: 'Discovery', responses: { 200: { description: 'The services hosted here' } } },
  },
  {
    method: 'post',
    path: '/cds-services/:id',
    name: 'callService',
    kind: 'service-call',
    handler: callService,
    openApi: {
      summary: (serviceIds) => `Call a service (${serviceIds.join(', ')})`,
      requestBody: 'HookRequest',
      responses: {
        200: { description: 'Cards (possibly none)' },
        400: errorResponse('Malformed JSON, missing or wrong hook, hookInstance or context'),
        401: UNAUTHENTICATED_RESPONSE,
        404: UNKNOWN_SERVICE,
        412: errorResponse('Required FHIR data could be had neither from prefetch nor from the FHIR server'),
        413: TOO_LARGE,
        415: NOT_JSON,
        429: RATE_LIMITED,
        503: errorResponse(
          'The shared replay check is reachable but could not decide in time; retry with a new token after Retry-After seconds',
        ),
      },
    },
  },
  {
    method: 'post',
    path: '/cds-services/:id/feedback',
    name: 'receiveFeedback',
    kind: 'service-call',
    handler: receiveFeedback,
    openApi: {
      summary: 'Feedback on cards',
      requestBody: 'FeedbackRequest',
      responses: {
        200: {
          description:
            'Stored durably before this answer. accepted: items joined to a card this service returned to the caller; unknownCards: items naming no such card, stored apart',
          content: {
            'application/json': {
              schema: {
                type: 'object',
                required: ['accepted', 'unknownCards'],
                properties: {
                  accepted: { type: 'integer', minimum: 0 },
                  unknownCards: { type: 'integer', minimum: 0 },
                },
              },
            },
          },
        },
        400: errorResponse('Invalid feedback body'),
        401: UNAUTHENTICATED_RESPONSE,
        404: UNKNOWN_SERVICE,
        413: TOO_LARGE,
        415: NOT_JSON,
        429: RATE_LIMITED,
        500: errorResponse('The database refused the write (for example a missing privilege)'),
        503: errorResponse('The store is unavailable; retry after Retry-After seconds'),
      },
    },
  },
  {
    method: 'get',
    path: '/healthz',
    name: 'liveness',
    kind: 'open',
    handler: liveness,
    openApi: { summary: 'Liveness', responses: { 200: { description: 'Process is up' } } },
  },
  {
    method: 'get',
    path: '/readyz',
    name: 'readiness',
    kind: 'open',
    handler: readiness,
    openApi: {
      summary: 'Readiness',
      responses: { 200: { description: 'Ready' }, 503: { description: 'Draining or store closed' } },
    },
  },
  {
    method: 'get',
    path: '/metrics',
    name: 'prometheusMetrics',
    kind: 'open',
    handler: prometheusMetrics,
    openApi: { summary: 'Prometheus metrics', responses: { 200: { description: 'text/plain' } } },
  },
  {
    method: 'get',
    path: '/openapi.json',
    name: 'openApiDocument',
    kind: 'open',
    handler: openApiDocument,
    openApi: { summary: 'This OpenAPI description', responses: { 200: { description: 'OpenAPI 3.1 JSON' } } },
  },
];

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Whether a request path is one of the routes' paths, whatever the method: such a request that no route took is
 * 405, any other 404. As in the routes, a parameter is one non-empty segment and one trailing slash is allowed;
 * unlike Express's route matching, case counts.
 */
export function knownPathMatcher(routes: readonly Route[]): (path: string) => boolean {
  const alternatives = [...new Set(routes.map((r) => r.path))].map((path) =>
    path
      .split('/')
      .map((segment) => (segment.startsWith(':') ? '[^/]+' : escapeRegExp(segment)))
      .join('/'),
  );
  const known = new RegExp(`^(?:${alternatives.join('|')})/?$`);
  return (path) => known.test(path);
}
