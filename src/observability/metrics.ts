import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { AUTH_FAILURE_REASONS } from '../http/auth.js';

export interface Metrics {
  readonly registry: Registry;
  readonly httpRequests: Counter<'route' | 'method' | 'status'>;
  readonly hookDuration: Histogram<'service' | 'outcome'>;
  readonly cards: Counter<'rule' | 'indicator'>;
  readonly ruleErrors: Counter<'rule'>;
  readonly rulesSkipped: Counter<'rule' | 'reason'>;
  readonly fhirFallback: Counter<'resource' | 'outcome'>;
  readonly feedback: Counter<'outcome'>;
  readonly invalidResources: Counter<'resource'>;
  readonly storeFailures: Counter<'operation' | 'kind'>;
  readonly authFailures: Counter<'reason'>;
  readonly replayChecks: Counter<'decided_by'>;
  readonly storeReachable: Gauge;
  readonly cardOutcomes: Counter<'rule' | 'outcome'>;
  readonly feedbackUnknownCard: Counter<'service'>;
  readonly overrideMemoryFailOpen: Counter<'reason'>;
}

/** One registry per app instance (not prom-client's global one) so tests and replicas in one process stay apart. */
export function createMetrics(
  options: {
    collectProcessMetrics?: boolean;
    /** Read at each scrape: whether the store believes its database reachable (see Store.isReachable). */
    storeReachable?: () => boolean;
  } = {},
): Metrics {
  const storeReachable = options.storeReachable ?? (() => true);
  const registry = new Registry();
  if (options.collectProcessMetrics ?? false) {
    collectDefaultMetrics({ register: registry });
  }
  const registers = [registry];
  const authFailures = new Counter({
    name: 'oncosign_auth_failures_total',
    help: 'Service and feedback calls refused 401, by reason (the log line of each names it, with the issuer)',
    labelNames: ['reason'],
    registers,
  });
  // Every reason is listed from the start, so a dashboard or alert can tell "never happened" from "not scraped".
  for (const reason of AUTH_FAILURE_REASONS) {
    authFailures.inc({ reason }, 0);
  }
  return {
    authFailures,
    registry,
    httpRequests: new Counter({
      name: 'oncosign_http_requests_total',
      help: 'HTTP requests by route, method and status',
      labelNames: ['route', 'method', 'status'],
      registers,
    }),
    hookDuration: new Histogram({
      name: 'oncosign_hook_duration_seconds',
      help: 'Service call latency from request received to response written',
      labelNames: ['service', 'outcome'],
      buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    }),
    cards: new Counter({
      name: 'oncosign_cards_total',
      help: 'Cards returned, by rule and indicator',
      labelNames: ['rule', 'indicator'],
      registers,
    }),
    ruleErrors: new Counter({
      name: 'oncosign_rule_errors_total',
      help: 'Rules that threw during evaluation (the call still answers)',
      labelNames: ['rule'],
      registers,
    }),
    rulesSkipped: new Counter({
      name: 'oncosign_rules_skipped_total',
      help: 'Rules not evaluated, by reason (e.g. the data they read was unavailable)',
      labelNames: ['rule', 'reason'],
      registers,
    }),
    fhirFallback: new Counter({
      name: 'oncosign_fhir_fallback_total',
      help: 'FHIR server fetches made because prefetch lacked the data, by resource type and outcome',
      labelNames: ['resource', 'outcome'],
      registers,
    }),
    feedback: new Counter({
      name: 'oncosign_feedback_total',
      help: 'Feedback items stored, by outcome',
      labelNames: ['outcome'],
      registers,
    }),
    invalidResources: new Counter({
      name: 'oncosign_invalid_resources_total',
      help: 'Resources dropped from a snapshot because their shape was not valid FHIR for the fields the rules read',
      labelNames: ['resource'],
      registers,
    }),
    storeFailures: new Counter({
      name: 'oncosign_store_failures_total',
      help: 'Store operations that failed, by operation (replay-check, feedback, issuance, retention) and kind: unavailable (replay check went on locally; feedback answered 503), busy (database reachable but the replay check not decided in time; call answered 503) or error (token refused; feedback answered 500)',
      labelNames: ['operation', 'kind'],
      registers,
    }),
    replayChecks: new Counter({
      name: 'oncosign_replay_checks_total',
      help: "JWT replay checks by what decided them: database (the shared replay set, every replica agrees), memory (a replay this replica had seen itself), local-fallback (database unreachable: this replica's memory alone, so a replay at another replica is not caught), refused (the store could not decide: call refused)",
      labelNames: ['decided_by'],
      registers,
    }),
    storeReachable: new Gauge({
      name: 'oncosign_store_reachable',
      help: '1 while the store believes its database reachable, 0 from a failed liveness probe until one succeeds (replay checks use the local fallback meanwhile)',
      registers,
      collect() {
        this.set(storeReachable() ? 1 : 0);
      },
    }),
    cardOutcomes: new Counter({
      name: 'oncosign_card_outcomes_total',
      help: 'Cards per rule and outcome: shown (returned), shadow (evaluated in shadow mode, not returned), suppressed (held back by override memory), accepted, overridden (with a coded reason), dismissed (overridden without one)',
      labelNames: ['rule', 'outcome'],
      registers,
    }),
    feedbackUnknownCard: new Counter({
      name: 'oncosign_feedback_unknown_card_total',
      help: 'Feedback items naming a card this service has no record of returning to that client; stored apart, joined to no rule',
      labelNames: ['service'],
      registers,
    }),
    overrideMemoryFailOpen: new Counter({
      name: 'oncosign_override_memory_fail_open_total',
      help: 'Calls whose override-memory lookup did not answer in time (timeout) or failed (unavailable, error): every card was shown',
      labelNames: ['reason'],
      registers,
    }),
  };
}
