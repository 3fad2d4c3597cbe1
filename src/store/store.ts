import type { IssuanceStore } from './issuance.js';

/** One CDS Hooks feedback item as stored, with who sent it (the verified issuer) and when it arrived. */
export interface FeedbackRecord {
  readonly serviceId: string;
  readonly cardUuid: string;
  readonly outcome: 'accepted' | 'overridden';
  readonly acceptedSuggestions: readonly string[];
  readonly overrideReason?: { readonly system?: string; readonly code?: string; readonly display?: string };
  readonly userComment?: string;
  readonly outcomeTimestamp: string;
  readonly receivedAt: string;
  readonly issuer: string;
  readonly tenant?: string;
}

/** What /readyz reports of the store: `unreachable` is a shared database that did not answer a ping. */
export type StoreHealth = 'open' | 'unreachable' | 'closed';

/**
 * Everything the service keeps between calls: feedback records and the replay set of JWT ids. One interface over
 * the embedded SQLite file (one process) and PostgreSQL (every replica on one database), so the same test suite
 * runs against both. The card-issuance record, override memory and analytics are in IssuanceStore (issuance.ts).
 */
export interface Store extends IssuanceStore {
  readonly backend: 'sqlite' | 'postgresql';
  /** Stores all records or none; resolves only once they are durable. */
  saveFeedback(records: readonly FeedbackRecord[]): Promise<void>;
  countFeedback(): Promise<number>;
  /**
   * The first `limit` records by insertion id. With one process that is the order they were stored; across
   * replicas, ids are handed out when an insert begins, so two concurrent commits may appear in either order.
   */
  listFeedback(limit: number): Promise<FeedbackRecord[]>;
  /**
   * Remembers a token key until `expiresAtMs`. True the first time the key is seen while unexpired, false for a
   * replay; atomic across every process that shares the store. Rejects with StoreUnavailableError when the store
   * cannot be reached (the caller may go on without it), with StoreBusyError when it is reachable but did not
   * decide in time (the caller must not go on), and with the driver's error for anything else.
   */
  claimTokenKey(key: string, expiresAtMs: number, nowMs: number): Promise<boolean>;
  /** Forgets token keys that have expired by `nowMs` (housekeeping; the replay guard decides when). */
  deleteExpiredTokenKeys(nowMs: number): Promise<void>;
  health(): Promise<StoreHealth>;
  /**
   * Whether the store currently believes it can reach its database, without asking it: false from a failed
   * liveness check until a later one succeeds. For the metric; health() is the answer that asks.
   */
  isReachable(): boolean;
  close(): Promise<void>;
}

/** The store could not be reached or timed out: the call is answered 503 (retry later), nothing half-written. */
export class StoreUnavailableError extends Error {
  override readonly name = 'StoreUnavailableError';

  constructor(
    message: string,
    /** The driver's error code behind it (SQLSTATE, SQLite or network code), for logs. */
    readonly code?: string,
  ) {
    super(message);
  }
}

/**
 * The store answered that it is there (its liveness check succeeded) but did not decide a token claim within its
 * bound. Unlike StoreUnavailableError this is not an outage: going on without the shared replay set here could
 * accept a token another replica accepts too, so the call is refused (503) instead.
 */
export class StoreBusyError extends Error {
  override readonly name = 'StoreBusyError';

  constructor(
    message: string,
    readonly code?: string,
  ) {
    super(message);
  }
}
