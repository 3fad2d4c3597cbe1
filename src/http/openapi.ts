import { z } from 'zod';
import { feedbackRequestSchema, hookRequestSchema } from '../cds/schemas.js';

const operationOutcome = { $ref: '#/components/schemas/OperationOutcome' };
const errorResponse = (description: string) => ({
  description,
  content: { 'application/json': { schema: operationOutcome } },
});
const serviceParameter = { name: 'id', in: 'path', required: true, schema: { type: 'string' } };

/** The OpenAPI 3.1 description of the HTTP surface, built from the same zod schemas that validate requests. */
export function buildOpenApiDocument(publicBaseUrl: string, serviceIds: readonly string[]): object {
  return {
    openapi: '3.1.0',
    info: {
      title: 'OncoSign CDS Hooks service',
      version: '0.1.0',
      description:
        'CDS Hooks 2.0 service for oncology documentation integrity. Service and feedback calls need a CDS Hooks JWT (ES384/RS384) whose aud is the exact URL called.',
    },
    servers: [{ url: publicBaseUrl }],
    components: {
      securitySchemes: { cdsHooksJwt: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      schemas: {
        HookRequest: z.toJSONSchema(hookRequestSchema, { io: 'input', unrepresentable: 'any' }),
        FeedbackRequest: z.toJSONSchema(feedbackRequestSchema, { io: 'input', unrepresentable: 'any' }),
        OperationOutcome: { type: 'object', required: ['resourceType', 'issue'] },
      },
    },
    paths: {
      '/cds-services': {
        get: { summary: 'Discovery', responses: { 200: { description: 'The services hosted here' } } },
      },
      '/cds-services/{id}': {
        post: {
          summary: `Call a service (${serviceIds.join(', ')})`,
          security: [{ cdsHooksJwt: [] }],
          parameters: [serviceParameter],
          requestBody: {
            required: true,
            content: { 'application/json': { schema: { $ref: '#/components/schemas/HookRequest' } } },
          },
          responses: {
            200: { description: 'Cards (possibly none)' },
            400: errorResponse('Malformed JSON, missing or wrong hook, hookInstance or context'),
            401: { description: 'Missing or invalid JWT (no body)' },
            404: errorResponse('Unknown service'),
            412: errorResponse('Required FHIR data could be had neither from prefetch nor from the FHIR server'),
            413: errorResponse('Body larger than the configured limit'),
            415: errorResponse('Body is not JSON'),
            429: errorResponse('Too many calls from this issuer; retry after Retry-After seconds'),
            503: errorResponse(
              'The shared replay check is reachable but could not decide in time; retry with a new token after Retry-After seconds',
            ),
          },
        },
      },
      '/cds-services/{id}/feedback': {
        post: {
          summary: 'Feedback on cards',
          security: [{ cdsHooksJwt: [] }],
          parameters: [serviceParameter],
          requestBody: {
            required: true,
            content: { 'application/json': { schema: { $ref: '#/components/schemas/FeedbackRequest' } } },
          },
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
            401: { description: 'Missing or invalid JWT (no body)' },
            404: errorResponse('Unknown service'),
            413: errorResponse('Body larger than the configured limit'),
            415: errorResponse('Body is not JSON'),
            429: errorResponse('Too many calls from this issuer; retry after Retry-After seconds'),
            500: errorResponse('The database refused the write (for example a missing privilege)'),
            503: errorResponse('The store is unavailable; retry after Retry-After seconds'),
          },
        },
      },
      '/healthz': { get: { summary: 'Liveness', responses: { 200: { description: 'Process is up' } } } },
      '/readyz': {
        get: {
          summary: 'Readiness',
          responses: { 200: { description: 'Ready' }, 503: { description: 'Draining or store closed' } },
        },
      },
      '/metrics': { get: { summary: 'Prometheus metrics', responses: { 200: { description: 'text/plain' } } } },
    },
  };
}
