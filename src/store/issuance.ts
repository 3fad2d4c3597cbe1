import type { FeedbackRecord } from './store.js';

/*
 * The card-issuance record and what is derived from it: which cards were returned (or held back), feedback joined to
 * the card it is about, the override memory, retention and the per-rule analytics. One interface over SQLite and
 * PostgreSQL, implemented in issuance-sqlite.ts and issuance-postgres.ts.
 *
 * Nothing here identifies a patient: a card is known by its uuid and its finding key, both keyed hashes (see
 * src/feedback/finding-key.ts); patient, encounter and evidence references are never stored.
 */

/** What became of a finding in one call: returned as a card, evaluated in shadow mode, or held back by memory. */
export type Disposition = 'shown' | 'shadow' | 'suppressed';

/** Why override memory held a card back. */
export type Remembered = 'override' | 'accepted-suggestion';

export interface CardIssue {
  readonly cardUuid: string;
  /** The keyed hash of issuer, tenant, rule, patient, encounter and evidence (src/feedback/finding-key.ts). */
  readonly findingKey: string;
  readonly ruleId: string;
  readonly variant: string;
  readonly serviceId: string;
  readonly hookInstance: string;
  readonly issuer: string;
  readonly tenant?: string;
  readonly disposition: Disposition;
  /** Set when the disposition is `suppressed`. */
  readonly suppressedBy?: Remembered;
  /** ISO 8601, UTC (`Date.toISOString()`). */
  readonly issuedAt: string;
}

/** How one feedback item was stored: joined to the card it names, or kept apart as feedback for an unknown card. */
export interface FeedbackJoin {
  readonly known: boolean;
  readonly ruleId?: string;
}

/** Cards issued (or held back) per rule and UTC day. */
export interface IssuanceCount {
  readonly ruleId: string;
  /** YYYY-MM-DD (UTC). */
  readonly day: string;
  readonly disposition: Disposition;
  readonly suppressedBy: Remembered | null;
  readonly count: number;
}

/**
 * Feedback per rule, UTC day, outcome and reason, for joined items only. An item sent again (same card, outcome and
 * outcomeTimestamp, as clients may resend) counts once, on the day it first arrived.
 */
export interface FeedbackCount {
  readonly ruleId: string;
  readonly day: string;
  readonly outcome: 'accepted' | 'overridden';
  readonly reasonSystem: string | null;
  readonly reasonCode: string | null;
  readonly count: number;
}

export interface FeedbackReportData {
  readonly issuance: readonly IssuanceCount[];
  readonly feedback: readonly FeedbackCount[];
  /** Feedback naming a card this service has no record of, per UTC day (kept apart, never joined to a rule). */
  readonly unknownCards: readonly { readonly day: string; readonly count: number }[];
  /** Feedback stored before cards were recorded (no join was attempted). */
  readonly unjoinedLegacy: number;
}

export interface IssuanceStore {
  /** Records cards returned, evaluated in shadow or held back. Not on a clinician's path: callers do not wait. */
  recordIssuance(cards: readonly CardIssue[]): Promise<void>;
  /**
   * Stores feedback items all or none, each joined to the latest card of that uuid this service returned to the same
   * issuer and tenant; an item naming no such card is stored flagged unknown. Resolves once durable.
   */
  saveJoinedFeedback(records: readonly FeedbackRecord[]): Promise<FeedbackJoin[]>;
  /**
   * Of `findingKeys`, those overridden with a coded reason (while the records last) or whose suggestion was accepted
   * at or after `acceptedSince` (ISO UTC). Gives up after `deadlineMs` (StoreUnavailableError).
   */
  rememberedFindings(
    findingKeys: readonly string[],
    acceptedSince: string,
    deadlineMs: number,
  ): Promise<Map<string, Remembered>>;
  /** Deletes issuance records and feedback older than `before` (ISO UTC). */
  sweepRetention(before: string): Promise<{ readonly issuance: number; readonly feedback: number }>;
  feedbackReportData(): Promise<FeedbackReportData>;
  /**
   * The site's finding-key secret when none is configured: the one already persisted with this store, or else
   * `candidate`, persisted (atomically, so replicas starting together agree on one).
   */
  persistedFindingKeySecret(candidate: string): Promise<string>;
}
