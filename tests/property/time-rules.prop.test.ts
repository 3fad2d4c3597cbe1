import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addOnHourUnits,
  isHydrationReportable,
  isProlongedInfusion,
  isPushDuration,
} from '../../src/rules/infusion/time-rules.js';
import { minutesBetween } from '../../src/fhir/time.js';

/* The oncology-rules.md 0.4 time arithmetic, as properties over all durations, plus the named boundaries. */

const minutes = fc.integer({ min: 0, max: 72 * 60 });

describe('administration time arithmetic', () => {
  it('boundaries: push up to 15 min, add-on hours from 91 and 151, hydration above 30, prolonged above 8 h', () => {
    expect([isPushDuration(15), isPushDuration(16)]).toEqual([true, false]);
    expect([addOnHourUnits(16), addOnHourUnits(90), addOnHourUnits(91)]).toEqual([0, 0, 1]);
    expect([addOnHourUnits(150), addOnHourUnits(151), addOnHourUnits(210), addOnHourUnits(211)]).toEqual([1, 2, 2, 3]);
    expect([isHydrationReportable(30), isHydrationReportable(31)]).toEqual([false, true]);
    expect([isHydrationReportable(15, 15), isHydrationReportable(16, 15)]).toEqual([false, true]);
    expect([isProlongedInfusion(480), isProlongedInfusion(481)]).toEqual([false, true]);
  });

  it('add-on units are never negative and never decrease as the infusion gets longer', () => {
    fc.assert(
      fc.property(minutes, fc.integer({ min: 0, max: 600 }), (d, extra) => {
        expect(addOnHourUnits(d)).toBeGreaterThanOrEqual(0);
        expect(addOnHourUnits(d + extra)).toBeGreaterThanOrEqual(addOnHourUnits(d));
      }),
    );
  });

  it('each add-on unit needs more than 30 minutes beyond the last full hour', () => {
    fc.assert(
      fc.property(minutes, (d) => {
        const units = addOnHourUnits(d);
        // The base code covers the first 90 minutes; unit n covers up to 90 + 60n minutes.
        expect(d <= 90 + 60 * units).toBe(true);
        if (units > 0) {
          expect(d > 90 + 60 * (units - 1)).toBe(true);
        }
      }),
    );
  });

  it('push and infusion partition every duration; prolonged implies not push', () => {
    fc.assert(
      fc.property(minutes, (d) => {
        expect(isPushDuration(d)).toBe(d <= 15);
        if (isProlongedInfusion(d)) {
          expect(isPushDuration(d)).toBe(false);
          expect(addOnHourUnits(d)).toBeGreaterThanOrEqual(7);
        }
      }),
    );
  });

  it('documented minutes are whole, non-negative, and the same in any time-zone spelling', () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2040-01-01T00:00:00Z'), noInvalidDate: true }),
        fc.integer({ min: 0, max: 24 * 60 * 60 }),
        fc.integer({ min: -12, max: 14 }),
        (start, seconds, offsetHours) => {
          const end = new Date(start.getTime() + seconds * 1000);
          const spell = (date: Date): string => {
            const shifted = new Date(date.getTime() + offsetHours * 3_600_000);
            const sign = offsetHours < 0 ? '-' : '+';
            const hh = String(Math.abs(offsetHours)).padStart(2, '0');
            return `${shifted.toISOString().slice(0, 19)}${sign}${hh}:00`;
          };
          const utc = minutesBetween(start.toISOString(), end.toISOString());
          expect(utc).toBe(Math.floor(seconds / 60));
          expect(minutesBetween(spell(start), spell(end))).toBe(utc);
          expect(minutesBetween(end.toISOString(), start.toISOString())).toBe(seconds === 0 ? 0 : undefined);
        },
      ),
    );
  });

  it('a date without a time never yields a duration', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('2000-01-01'), max: new Date('2040-01-01'), noInvalidDate: true }), (d) => {
        const day = d.toISOString().slice(0, 10);
        expect(minutesBetween(day, `${day}T23:00:00Z`)).toBeUndefined();
        expect(minutesBetween(`${day}T01:00:00Z`, day)).toBeUndefined();
      }),
    );
  });
});
