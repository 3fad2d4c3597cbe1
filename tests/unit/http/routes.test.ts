import { describe, expect, it } from 'vitest';
import { buildOpenApiDocument } from '../../../src/http/openapi.js';
import { knownPathMatcher, ROUTES } from '../../../src/http/routes.js';

describe('the route table', () => {
  it('decides 405 against 404 by the routes’ paths: one segment per parameter, one trailing slash, case counts', () => {
    const isKnown = knownPathMatcher(ROUTES);
    const known = [
      '/cds-services',
      '/cds-services/',
      '/cds-services/anything',
      '/cds-services/feedback',
      '/cds-services/a%2Fb/feedback/',
      '/healthz',
      '/readyz/',
      '/metrics',
      '/openapi.json',
    ];
    const unknown = ['/', '/nope', '/HEALTHZ', '/cds-services//feedback', '/cds-services/a/b', '/openapi-json', '//'];
    expect(known.filter((p) => !isKnown(p))).toEqual([]);
    expect(unknown.filter((p) => isKnown(p))).toEqual([]);
  });

  it('gives every route one OpenAPI operation, named after its handler; service calls need the JWT', () => {
    const doc = buildOpenApiDocument('https://x.test', ['a', 'b'], ROUTES) as {
      paths: Record<string, Record<string, { operationId: string; summary: string; security?: unknown }>>;
    };
    const operations = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.entries(ops).map(([method, op]) => [method, path, op.operationId, op.security !== undefined]),
    );
    expect(operations).toEqual(
      ROUTES.map((r) => [r.method, r.path.replace(':id', '{id}'), r.name, r.kind === 'service-call']),
    );
    expect(doc.paths['/cds-services/{id}']?.post?.summary).toBe('Call a service (a, b)');
  });
});
