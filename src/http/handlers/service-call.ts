import { parseHookRequest } from '../../cds/hook-request.js';
import { invokeService, NO_TELEMETRY } from '../../cds/invoke.js';
import type { HandlerResult, RouteDeps, ServiceCall } from '../handler.js';

/** Calling a service: https://cds-hooks.hl7.org/2.0/#calling-a-cds-service */
export async function callService(call: ServiceCall, deps: RouteDeps): Promise<HandlerResult> {
  const { service, client } = call;
  const parsed = parseHookRequest(service, call.body, deps.hookRequest);
  if (!parsed.ok) {
    // Once the body is a hook request, its log line names the call, with what it did (nothing yet).
    return parsed.hookInstance === undefined
      ? { error: parsed.error }
      : { error: parsed.error, record: { hookInstance: parsed.hookInstance, telemetry: NO_TELEMETRY } };
  }
  const { request } = parsed;
  const curate = deps.feedbackLoop.curatorFor({
    serviceId: service.id,
    hookInstance: request.hookInstance,
    issuer: client.iss,
    ...(client.tenant !== undefined ? { tenant: client.tenant } : {}),
  });
  const invocation = await invokeService(service, request, { ...deps.invoke, curate });
  if (!invocation.ok) {
    return { error: invocation.error, record: { hookInstance: request.hookInstance, telemetry: invocation.telemetry } };
  }
  return {
    status: 200,
    body: JSON.stringify(invocation.response),
    record: { hookInstance: request.hookInstance, telemetry: invocation.telemetry, cards: invocation.response.cards },
  };
}
