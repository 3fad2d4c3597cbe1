import { z } from 'zod';
import { feedbackRequestSchema, hookRequestSchema } from '../cds/schemas.js';
import type { Route } from './routes.js';

const operationOutcome = { $ref: '#/components/schemas/OperationOutcome' };
export const errorResponse = (description: string) => ({
  description,
  content: { 'application/json': { schema: operationOutcome } },
});
export const UNAUTHENTICATED_RESPONSE = { description: 'Missing or invalid JWT (no body)' };

function operation(route: Route, serviceIds: readonly string[]): object {
  const { summary, requestBody, responses } = route.openApi;
  const parameters = [...route.path.matchAll(/:([A-Za-z]+)/g)].map(([, name]) => ({
    name,
    in: 'path',
    required: true,
    schema: { type: 'string' },
  }));
  return {
    summary: typeof summary === 'string' ? summary : summary(serviceIds),
    operationId: route.name,
    ...(route.kind === 'service-call' ? { security: [{ cdsHooksJwt: [] }] } : {}),
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(requestBody !== undefined
      ? {
          requestBody: {
            required: true,
            content: { 'application/json': { schema: { $ref: `#/components/schemas/${requestBody}` } } },
          },
        }
      : {}),
    responses,
  };
}

/**
 * The OpenAPI 3.1 description of the HTTP surface: its paths from the route table, its bodies from the same zod
 * schemas that validate requests.
 */
export function buildOpenApiDocument(
  publicBaseUrl: string,
  serviceIds: readonly string[],
  routes: readonly Route[],
): object {
  const paths: Record<string, Record<string, object>> = {};
  for (const route of routes) {
    const path = route.path.replace(/:([A-Za-z]+)/g, '{$1}');
    paths[path] = { ...paths[path], [route.method]: operation(route, serviceIds) };
  }
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
    paths,
  };
}
