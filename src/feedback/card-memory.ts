import { createSecretKey, randomUUID } from 'node:crypto';
import type { CdsCard } from '../cds/types.js';
import type { FeedbackLoopConfig } from '../config/environment.js';
import type { Engine } from '../engine.js';
import { errorCode } from '../errors.js';
import type { Curate } from '../cds/invoke.js';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import type { Finding, RuleId } from '../rules/types.js';
import type { CardIssue, Disposition, FeedbackJoin, Remembered } from '../store/issuance.js';
import { StoreUnavailableError, type FeedbackRecord, type Store } from '../store/store.js';
import { cardUuid, findingKey, suggestionUuid, type FindingSubject } from './finding-key.js';
import { FEEDBACK_LOOP_WARNING_INTERVAL_MS, RETENTION_SWEEP_INTERVAL_MS } from '../config/limits.js';

/*
 * The service side of feedback that learns, after the rules and before the cards (src/rules/ is not touched):
 *
 * - every finding gets its finding key and a card uuid derived from it (src/feedback/finding-key.ts);
 * - shadow-mode rules' findings are recorded and not returned;
 * - override memory: a finding overridden with a coded reason, or whose suggestion was accepted within the window,
 *   is held back (per rule switchable, on by default). The lookup is bounded by a short deadline: on timeout or
 *   store failure every card is shown and the miss is counted, so a clinician never waits on, or loses a card to,
 *   the store;
 * - every card returned, held back or evaluated in shadow is recorded, after the response is written;
 * - feedback is joined to its card, or kept apart (and counted) when no card of that uuid was issued to the caller;
 * - records older than the retention are swept.
 */

export interface CallIdentity {
  readonly serviceId: string;
  readonly hookInstance: string;
  readonly issuer: string;
  readonly tenant?: string;
}

export interface FeedbackLoop {
  /** The curate step of one service call (see InvokeDeps.curate). */
  curatorFor(call: CallIdentity): Curate;
  /** Stores feedback joined to its cards and counts each outcome; rejects as the store does (503/500). */
  saveFeedback(records: readonly FeedbackRecord[]): Promise<FeedbackJoin[]>;
  /** Deletes what is older than the retention; resolves with what was deleted. */
  sweep(): Promise<{ issuance: number; feedback: number }>;
  /** Starts the hourly sweep (and one now). */
  startSweeping(): void;
  /** Resolves once every issuance write already started has settled. */
  drain(): Promise<void>;
  stop(): void;
}

export interface FeedbackLoopDeps {
  readonly store: Store;
  readonly engine: Engine;
  readonly metrics: Metrics;
  readonly logger: Logger;
  readonly secret: Buffer;
  readonly config: FeedbackLoopConfig;
  readonly now?: () => Date;
}

class MemoryTimeout extends Error {}

/** What `Promise.race([p, NOT_YET])` settles with when `p` has not settled yet. */
const PENDING: unique symbol = Symbol('pending');
const NOT_YET: Promise<typeof PENDING> = Promise.resolve(PENDING);

interface Keyed {
  readonly finding: Finding;
  readonly key: string;
  readonly variant: string;
  readonly card: string;
}

type Mutable<T> = { -readonly [P in keyof T]: T[P] };

/**
 * The last of `shown` with card uuid `uuid` (what a Map built from `shown` would hold). A call shows a handful of
 * cards, so a scan is cheaper than building the map.
 */
function shownWithUuid(shown: readonly Keyed[], uuid: string): Keyed | undefined {
  for (let i = shown.length - 1; i >= 0; i -= 1) {
    const k = shown[i];
    if (k !== undefined && k.card === uuid) {
      return k;
    }
  }
  return undefined;
}

function outcomeOf(record: FeedbackRecord): 'accepted' | 'overridden' | 'dismissed' {
  if (record.outcome === 'accepted') {
    return 'accepted';
  }
  // CDS Hooks 2.0: an override with a reason Coding was chosen from the card's list; without one it was dismissed.
  return record.overrideReason?.code !== undefined ? 'overridden' : 'dismissed';
}

export function createFeedbackLoop(deps: FeedbackLoopDeps): FeedbackLoop {
  const { store, engine, metrics, logger, config } = deps;
  // Imported once: createHmac with the key object skips copying the secret into a new key for every HMAC.
  const secret = createSecretKey(deps.secret);
  const now = deps.now ?? (() => new Date());
  const pending = new Set<Promise<void>>();
  const lastWarned = new Map<string, number>();
  let sweeper: NodeJS.Timeout | undefined;

  const warn = (operation: string, error: unknown, message: string): void => {
    const at = Date.now();
    if (at - (lastWarned.get(operation) ?? -Infinity) < FEEDBACK_LOOP_WARNING_INTERVAL_MS) {
      return;
    }
    lastWarned.set(operation, at);
    logger.warn({ operation, backend: store.backend, code: errorCode(error) }, message);
  };

  const memoryApplies = (ruleId: RuleId): boolean =>
    engine.overrideMemory.enabled && !engine.overrideMemory.disabledRules.has(ruleId);

  /** The remembered keys among `keys`, or none at all when the store does not answer within the deadline. */
  async function lookup(keys: readonly string[]): Promise<ReadonlyMap<string, Remembered>> {
    if (keys.length === 0) {
      return new Map();
    }
    const windowMs = engine.overrideMemory.acceptedSuggestionWindowHours * 3_600_000;
    const since = new Date(now().getTime() - windowMs).toISOString();
    const asked = store.rememberedFindings(keys, since, config.memoryTimeoutMs);
    let timer: NodeJS.Timeout | undefined;
    try {
      // A store that answers synchronously (SQLite) hands back a settled promise: then the answer is already here and
      // no deadline could win, so no timer is armed. One that has to wait (PostgreSQL) races the deadline.
      const settled = await Promise.race([asked, NOT_YET]);
      if (settled !== PENDING) {
        return settled;
      }
      // Whichever loses the race below must not become an unhandled rejection.
      asked.catch(() => undefined);
      return await Promise.race([
        asked,
        new Promise<never>((_resolve, reject) => {
          timer = setTimeout(() => {
            reject(new MemoryTimeout());
          }, config.memoryTimeoutMs);
        }),
      ]);
    } catch (error) {
      // The store's own deadline reports itself as "unavailable (deadline)"; both are the same timeout to us.
      const timedOut =
        error instanceof MemoryTimeout || (error instanceof StoreUnavailableError && /deadline/.test(error.message));
      const reason = timedOut ? 'timeout' : error instanceof StoreUnavailableError ? 'unavailable' : 'error';
      metrics.overrideMemoryFailOpen.inc({ reason });
      warn('override-memory', error, `override memory ${reason}: every card is shown`);
      return new Map();
    } finally {
      clearTimeout(timer);
    }
  }

  /** Writes issuance records after the response has gone out; the caller never waits for it. */
  function record(rows: readonly CardIssue[]): void {
    if (rows.length === 0) {
      return;
    }
    const write: Promise<void> = new Promise<void>((resolve) => {
      // After the current turn of the event loop, i.e. after the response is written (SQLite writes synchronously).
      setImmediate(resolve);
    })
      .then(() => store.recordIssuance(rows))
      .catch((error: unknown) => {
        const kind = error instanceof StoreUnavailableError ? 'unavailable' : 'error';
        metrics.storeFailures.inc({ operation: 'issuance', kind });
        warn('issuance', error, 'issued cards could not be recorded: their feedback will be kept as unknown');
      })
      .finally(() => {
        pending.delete(write);
      });
    pending.add(write);
  }

  /** One issuance row. */
  function issue(
    call: CallIdentity,
    k: Keyed,
    disposition: Disposition,
    issuedAt: string,
    suppressedBy?: Remembered,
  ): CardIssue {
    const row: Mutable<CardIssue> = {
      cardUuid: k.card,
      findingKey: k.key,
      ruleId: k.finding.ruleId,
      variant: k.variant,
      serviceId: call.serviceId,
      hookInstance: call.hookInstance,
      issuer: call.issuer,
      disposition,
      issuedAt,
    };
    if (call.tenant !== undefined) {
      row.tenant = call.tenant;
    }
    if (suppressedBy !== undefined) {
      row.suppressedBy = suppressedBy;
    }
    return row;
  }

  // Everything below runs once per service call: one pass over the findings, no intermediate arrays or closures
  // beyond the two the curate step hands back.
  function curatorFor(call: CallIdentity): Curate {
    return async (findings, subject) => {
      const fullSubject: FindingSubject = {
        issuer: call.issuer,
        ...(call.tenant !== undefined ? { tenant: call.tenant } : {}),
        patientId: subject.patientId,
        encounterId: subject.encounterId,
      };
      const shadow: Keyed[] = [];
      const active: Keyed[] = [];
      const memoryKeys: string[] = [];
      for (const finding of findings) {
        const key = findingKey(secret, fullSubject, finding);
        const variant = finding.variant ?? 'default';
        const k: Keyed = { finding, key, variant, card: cardUuid(secret, key, call.serviceId, variant) };
        if (engine.ruleModes.get(finding.ruleId) === 'shadow') {
          shadow.push(k);
        } else {
          active.push(k);
          if (memoryApplies(finding.ruleId)) {
            memoryKeys.push(key);
          }
        }
      }
      const remembered = await lookup(memoryKeys);
      const suppressed: Keyed[] = [];
      const shown: Keyed[] = [];
      for (const k of active) {
        (remembered.has(k.key) ? suppressed : shown).push(k);
      }
      const byFinding = new Map<Finding, Keyed>();
      for (const k of shown) {
        byFinding.set(k.finding, k);
      }

      return {
        findings: shown.map((k) => k.finding),
        suppressed: suppressed.map((k) => k.finding.ruleId),
        shadow: shadow.map((k) => k.finding.ruleId),
        identify(finding) {
          const k = byFinding.get(finding);
          // Only findings passed above are rendered; the fallback keeps a uuid unique if that ever changes.
          return k
            ? { card: k.card, suggestion: suggestionUuid(secret, k.card, 0) }
            : { card: randomUUID(), suggestion: randomUUID() };
        },
        issued(cards: readonly CdsCard[]) {
          const issuedAt = now().toISOString();
          const rows: CardIssue[] = [];
          for (const c of cards) {
            const k = shownWithUuid(shown, c.uuid);
            if (k !== undefined) {
              rows.push(issue(call, k, 'shown', issuedAt));
            }
          }
          for (const k of shadow) {
            rows.push(issue(call, k, 'shadow', issuedAt));
          }
          for (const k of suppressed) {
            rows.push(issue(call, k, 'suppressed', issuedAt, remembered.get(k.key)));
          }
          for (const r of rows) {
            metrics.cardOutcomes.inc({ rule: r.ruleId, outcome: r.disposition });
          }
          record(rows);
          return cards;
        },
      };
    };
  }

  async function sweep(): Promise<{ issuance: number; feedback: number }> {
    const before = new Date(now().getTime() - config.retentionDays * 86_400_000).toISOString();
    return store.sweepRetention(before);
  }

  return {
    curatorFor,
    async saveFeedback(records) {
      const joins = await store.saveJoinedFeedback(records);
      joins.forEach((join, i) => {
        const record = records[i];
        if (record === undefined) {
          return;
        }
        if (join.known && join.ruleId !== undefined) {
          metrics.cardOutcomes.inc({ rule: join.ruleId, outcome: outcomeOf(record) });
        } else {
          metrics.feedbackUnknownCard.inc({ service: record.serviceId });
        }
      });
      return joins;
    },
    sweep,
    startSweeping() {
      const run = (): void => {
        sweep().then(
          (deleted) => {
            if (deleted.issuance + deleted.feedback > 0) {
              logger.info({ ...deleted, retentionDays: config.retentionDays }, 'retention sweep');
            }
          },
          (error: unknown) => {
            metrics.storeFailures.inc({
              operation: 'retention',
              kind: error instanceof StoreUnavailableError ? 'unavailable' : 'error',
            });
            warn('retention', error, 'retention sweep failed; it is retried within the hour');
          },
        );
      };
      run();
      sweeper = setInterval(run, RETENTION_SWEEP_INTERVAL_MS);
      sweeper.unref();
    },
    async drain() {
      while (pending.size > 0) {
        await Promise.all([...pending]);
      }
    },
    stop() {
      clearInterval(sweeper);
    },
  };
}
