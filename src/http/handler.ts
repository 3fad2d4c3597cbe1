import type { HookRequestDeps } from '../cds/hook-request.js';
import type { InvokeDeps, InvokeTelemetry } from '../cds/invoke.js';
import type { CdsService } from '../cds/services.js';
import type { CdsCard } from '../cds/types.js';
import type { Engine } from '../engine.js';
import type { FeedbackLoop } from '../feedback/card-memory.js';
import type { Metrics } from '../observability/metrics.js';
import type { FeedbackRecord, Store } from '../store/store.js';
import type { VerifiedClient } from './auth.js';

/*
 * What a route's handler gets and gives back. Handlers do not touch the response: they return a Reply (sent as is)
 * or a Failure (answered by the error handler), each with what the call did for its log line and metrics; the app
 * sends it (src/http/app.ts) and the request context writes the metrics and, once the answer is out, the log line
 * (src/http/middleware/request-context.ts).
 */

/** What a call did, as its log line and metrics report it: ids, counts and rule ids, never request content. */
export interface CallRecord {
  readonly hookInstance?: string;
  readonly telemetry?: InvokeTelemetry;
  /** The cards returned, counted by rule and indicator. */
  readonly cards?: readonly CdsCard[];
  /** Feedback stored, counted by outcome. */
  readonly feedback?: readonly FeedbackRecord[];
  /** Feedback items that named a card this service never returned to the caller. */
  readonly unknownCards?: number;
  /** The store refused the feedback: unavailable (503) or an error (500). */
  readonly feedbackStoreFailure?: 'unavailable' | 'error';
}

interface Answer {
  readonly headers?: Readonly<Record<string, string>>;
  readonly record?: CallRecord;
}

export interface Reply extends Answer {
  readonly status: number;
  /** The body as sent: JSON text unless `contentType` says otherwise. */
  readonly body: string;
  /** Absent: application/json. */
  readonly contentType?: string;
}

/** A refused or failed call: `error` is answered by the error handler (a CdsError by its status, anything else 500). */
export interface Failure extends Answer {
  readonly error: unknown;
}

export type HandlerResult = Reply | Failure;

/** A CDS Hooks call that passed the service-call guards (src/http/routes.ts): the service exists, the JWT verified. */
export interface ServiceCall {
  readonly service: CdsService;
  readonly client: VerifiedClient;
  /** The parsed JSON body, not yet validated. */
  readonly body: unknown;
}

/** What the handlers share, built once per app. */
export interface RouteDeps {
  readonly engine: Engine;
  readonly store: Store;
  readonly metrics: Metrics;
  readonly feedbackLoop: FeedbackLoop;
  readonly now: () => Date;
  /** The discovery document and the OpenAPI description, as served (JSON text). */
  readonly discovery: string;
  readonly openApi: string;
  readonly hookRequest: HookRequestDeps;
  readonly invoke: Omit<InvokeDeps, 'curate'>;
  /** True once SIGTERM has been received (AppHandle.startDraining). */
  isDraining(): boolean;
}
