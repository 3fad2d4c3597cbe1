/*
 * "Every card every benchmark request returns stays the same as before": the cards the service answers to each
 * benchmark request, recorded once in bench/expected-cards.json (`npx tsx bench/record-expected-cards.ts`), with
 * every uuid replaced by a placeholder (card and suggestion uuids come from a key secret the service may generate at
 * start, so they differ between processes, not between builds). During a run every response body is checked: a body
 * seen before and found equal is recognised by string comparison alone, so the check costs the load generator a
 * JSON.parse only for the first response of each distinct body.
 */
import { readFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { projectPath } from '../src/paths.js';

export type RequestName = 'small' | 'large';

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;
export const EXPECTED_CARDS_FILE = projectPath('bench', 'expected-cards.json');

/** The value with every `uuid` field, and every uuid inside a string, replaced by `<uuid>`. */
export function normalise(value: unknown): unknown {
  if (Array.isArray(value)) {
    return value.map(normalise);
  }
  if (typeof value === 'string') {
    return value.replace(UUID, '<uuid>');
  }
  if (typeof value !== 'object' || value === null) {
    return value;
  }
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) {
    out[key] = key === 'uuid' ? '<uuid>' : normalise(field);
  }
  return out;
}

/** The normalised cards of a response body (throws when the body is not `{"cards": [...]}`). */
export function cardsOf(body: string): unknown[] {
  const parsed = JSON.parse(body) as { cards?: unknown };
  if (!Array.isArray(parsed.cards)) {
    throw new Error('response has no cards array');
  }
  return normalise(parsed.cards) as unknown[];
}

export function readExpectedCards(): Record<RequestName, unknown[]> {
  return JSON.parse(readFileSync(EXPECTED_CARDS_FILE, 'utf8')) as Record<RequestName, unknown[]>;
}

export interface CardCheck {
  /** Checks one response; never throws (a bench run should finish and then say what differed). */
  check(status: number, body: string): void;
  readonly checked: () => number;
  readonly mismatches: () => number;
  /** The first differing body, cut to 2 000 characters, for the failure message. */
  readonly firstMismatch: () => string | undefined;
}

export function createCardCheck(expected: readonly unknown[]): CardCheck {
  const good = new Set<string>();
  let checked = 0;
  let mismatches = 0;
  let firstMismatch: string | undefined;
  return {
    check(status, body) {
      checked += 1;
      if (status === 200 && good.has(body)) {
        return;
      }
      let same = false;
      if (status === 200) {
        try {
          same = isDeepStrictEqual(cardsOf(body), expected);
        } catch {
          same = false;
        }
      }
      if (same) {
        // Bounded: a service whose uuids changed per call would otherwise grow this set for the whole run.
        if (good.size < 64) {
          good.add(body);
        }
        return;
      }
      mismatches += 1;
      firstMismatch ??= `status ${String(status)}: ${body.slice(0, 2000)}`;
    },
    checked: () => checked,
    mismatches: () => mismatches,
    firstMismatch: () => firstMismatch,
  };
}
