import type { Reply, RouteDeps } from '../handler.js';

/** Discovery: https://cds-hooks.hl7.org/2.0/#discovery, discovery/cds-services.json as is. */
export function discovery(deps: RouteDeps): Reply {
  return { status: 200, body: deps.discovery };
}

/** The OpenAPI description of these routes (src/http/openapi.ts). */
export function openApiDocument(deps: RouteDeps): Reply {
  return { status: 200, body: deps.openApi };
}
