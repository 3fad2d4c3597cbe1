/*
 * FHIR dateTime handling. FHIR allows partial dates (2018, 2018-04, 2018-04-22) and date-times with offsets; a
 * duration can only be computed from two values that both carry a time of day.
 */

const fullDateTime = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

/** The instant of a FHIR dateTime that carries a time and a zone; undefined for partial dates or bad input. */
export function parseInstant(value: string | undefined): Date | undefined {
  if (value === undefined || !fullDateTime.test(value)) {
    return undefined;
  }
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** True when the value documents a time of day, not only a date. */
export function hasTimeOfDay(value: string | undefined): boolean {
  return parseInstant(value) !== undefined;
}

/** The calendar day (YYYY-MM-DD) as written in the record, in the record's own offset; undefined if not a full date. */
export function dayOf(value: string | undefined): string | undefined {
  // As /^(\d{4}-\d{2}-\d{2})/ would read it, without a regex per call: ten characters, digits and two hyphens.
  if (value === undefined || value.length < 10) {
    return undefined;
  }
  for (let i = 0; i < 10; i += 1) {
    const c = value.charCodeAt(i);
    const ok = i === 4 || i === 7 ? c === 45 : c >= 48 && c <= 57;
    if (!ok) {
      return undefined;
    }
  }
  return value.slice(0, 10);
}

/** Whole minutes from start to end, or undefined if either lacks a time or end precedes start. */
export function minutesBetween(start: string | undefined, end: string | undefined): number | undefined {
  const from = parseInstant(start);
  const to = parseInstant(end);
  if (!from || !to || to.getTime() < from.getTime()) {
    return undefined;
  }
  return Math.floor((to.getTime() - from.getTime()) / 60_000);
}
