/*
 * Time intervals as the CQL measures reason about them, in epoch milliseconds. A FHIR dateTime of lower precision
 * (2025, 2025-03, 2025-03-04) covers its whole year, month or day; unbounded ends are ±Infinity.
 */

export interface Interval {
  readonly low: number;
  readonly high: number;
}

const DAY_MS = 86_400_000;
const partial = /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?)?)?$/;

/** The span a FHIR date/dateTime denotes; undefined when it is not one. */
export function dateTimeSpan(value: string | undefined): Interval | undefined {
  if (value === undefined) {
    return undefined;
  }
  const m = partial.exec(value);
  if (!m) {
    return undefined;
  }
  const [, y, mo, d, h] = m;
  if (h !== undefined) {
    const t = Date.parse(m[8] === undefined ? `${value}Z` : value);
    return Number.isNaN(t) ? undefined : { low: t, high: t };
  }
  const year = Number(y);
  if (mo === undefined) {
    return { low: Date.UTC(year, 0, 1), high: Date.UTC(year + 1, 0, 1) - 1 };
  }
  const month = Number(mo) - 1;
  if (d === undefined) {
    return { low: Date.UTC(year, month, 1), high: Date.UTC(year, month + 1, 1) - 1 };
  }
  const low = Date.UTC(year, month, Number(d));
  return { low, high: low + DAY_MS - 1 };
}

/**
 * FHIR choice [x] → interval (QICoreCommon toInterval): a dateTime is the point (or the span of a partial date), a
 * Period runs from its start to its end. A Period without an end runs on (CQL closed null boundary); undefined when
 * neither is present or parseable.
 */
export function toInterval(
  dateTime: string | undefined,
  period?: { start?: string; end?: string },
): Interval | undefined {
  if (dateTime !== undefined) {
    return dateTimeSpan(dateTime);
  }
  if (period === undefined) {
    return undefined;
  }
  const start = dateTimeSpan(period.start);
  const end = dateTimeSpan(period.end);
  if (!start && !end) {
    return undefined;
  }
  return { low: start?.low ?? Number.NEGATIVE_INFINITY, high: end?.high ?? Number.POSITIVE_INFINITY };
}

/** A included in B (CQL `during`). */
export function during(a: Interval, b: Interval): boolean {
  return a.low >= b.low && a.high <= b.high;
}

export function overlaps(a: Interval, b: Interval): boolean {
  return a.low <= b.high && a.high >= b.low;
}

/** The UTC calendar day of an instant, as a day number (CQL day precision, evaluated in UTC). */
export function dayNumber(ms: number): number {
  return Math.floor(ms / DAY_MS);
}

/**
 * The calendar day a FHIR dateTime falls on, in the offset it was written with, as an interval: a clinic's "visit
 * date" is its local date, not the UTC one (an 18:30 -05:00 visit is on the same date until local midnight).
 */
export function localDaySpan(value: string | undefined): Interval | undefined {
  const m = value === undefined ? null : /^(\d{4})-(\d{2})-(\d{2})(?:T[^Z+-]*(Z|([+-])(\d{2}):(\d{2}))?)?/.exec(value);
  if (!m) {
    return undefined;
  }
  const offsetMinutes = m[5] === undefined ? 0 : (m[5] === '-' ? -1 : 1) * (Number(m[6]) * 60 + Number(m[7]));
  const low = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) - offsetMinutes * 60_000;
  return { low, high: low + DAY_MS - 1 };
}

/** Whole UTC days as an interval (CMS157's day-precision windows). */
export function daysSpan(from: number, to: number): Interval {
  return { low: from * DAY_MS, high: (to + 1) * DAY_MS - 1 };
}
