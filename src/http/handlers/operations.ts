import type { Reply, RouteDeps } from '../handler.js';

const LIVE = JSON.stringify({ status: 'ok' });

/** Liveness: the process answers; no dependency is checked. */
export function liveness(): Reply {
  return { status: 200, body: LIVE };
}

/**
 * Readiness. A shared database that does not answer leaves the replica ready: service calls still return cards (the
 * replay check falls back to this replica's memory) and only feedback is refused, so taking every replica out of
 * the load balancer would turn a database outage into a total one.
 */
export async function readiness(deps: RouteDeps): Promise<Reply> {
  const store = await deps.store.health();
  const draining = deps.isDraining();
  const ready = store !== 'closed' && !draining;
  const { engine } = deps;
  return {
    status: ready ? 200 : 503,
    body: JSON.stringify({
      status: ready ? 'ready' : 'not-ready',
      checks: {
        store,
        storeBackend: deps.store.backend,
        draining,
        services: engine.registry.services.size,
        rules: engine.rules.length,
        rulesKnown: engine.allRules.length,
        cardTemplates: engine.cards.templates.size,
      },
    }),
  };
}

/** Prometheus metrics, in the registry's text format. */
export async function prometheusMetrics(deps: RouteDeps): Promise<Reply> {
  const { registry } = deps.metrics;
  return { status: 200, contentType: registry.contentType, body: await registry.metrics() };
}
