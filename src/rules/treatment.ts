import type { Condition, MedicationAdministration } from 'fhir/r4.js';
import { perPatient, perSnapshot } from './per-snapshot.js';
import { daysSpan, during, localDaySpan, overlaps, toInterval, type Interval } from '../fhir/intervals.js';
import type { PatientSnapshot } from '../fhir/snapshot.js';
import {
  chemotherapyInterval,
  encounterPeriod,
  endDay,
  isActiveCondition,
  isCancer,
  prevalenceInterval,
  startDay,
} from '../measures/cms157.js';
import type { Terminology } from '../terminology/terminology.js';
import { codesIn, encounterCodes } from './billing.js';
import { isAssertedCondition } from './diagnoses.js';
import { isAntineoplastic } from './medication.js';
import type { RuleContext } from './types.js';

/** Administrations that happened (or are running): the catalogue's "count as happened" statuses (code-lists 12). */
const givenStatuses = new Set(['completed', 'stopped', 'in-progress']);

export function wasGiven(administration: MedicationAdministration): boolean {
  return givenStatuses.has(administration.status);
}

/**
 * The visit as an interval. At signing the encounter is often still open: JUDGMENT, an open visit lasts until the
 * end of its local date (the catalogue's "the visit date if the period is open"), so a condition starting weeks
 * later does not "overlap" it.
 */
export function visitInterval(snapshot: PatientSnapshot): Interval | undefined {
  return perSnapshot(snapshot, 'visitInterval', () => computeVisitInterval(snapshot));
}

function computeVisitInterval(snapshot: PatientSnapshot): Interval | undefined {
  const encounter = snapshot.encounter;
  if (!encounter) {
    return undefined;
  }
  const period = encounterPeriod(encounter);
  if (!period || !Number.isFinite(period.low)) {
    return undefined;
  }
  if (Number.isFinite(period.high)) {
    return period;
  }
  const day = localDaySpan(encounter.period?.start);
  return day ? { low: period.low, high: Math.max(period.low, day.high) } : undefined;
}

/**
 * The visit day (UTC day number) the CMS157 windows count from: the day the encounter ends ("day of end of
 * Encounter.period"), or the day it starts while it is still open.
 */
export function visitDay(snapshot: PatientSnapshot): number | undefined {
  const period = snapshot.encounter ? encounterPeriod(snapshot.encounter) : undefined;
  if (!period) {
    return undefined;
  }
  return endDay(period) ?? startDay(period);
}

/** Cancer diagnoses that are active, asserted, and whose prevalence overlaps the visit (PAIN common definitions). */
export function activeCancersAtVisit(snapshot: PatientSnapshot, terminology: Terminology): Condition[] {
  return perSnapshot(snapshot, 'activeCancersAtVisit', () => computeActiveCancersAtVisit(snapshot, terminology));
}

function computeActiveCancersAtVisit(snapshot: PatientSnapshot, terminology: Terminology): Condition[] {
  const visit = visitInterval(snapshot);
  if (!visit) {
    return [];
  }
  return snapshot.conditions.filter((condition) => {
    if (!isCancer(condition, terminology) || !isActiveCondition(condition) || !isAssertedCondition(condition)) {
      return false;
    }
    const prevalence = prevalenceInterval(condition);
    return prevalence !== undefined && overlaps(prevalence, visit);
  });
}

export interface ChemotherapyEvent {
  readonly day: number;
  readonly interval: Interval;
  readonly reference: string;
}

/** Chemotherapy the record shows as given: CMS157 chemo Procedures and antineoplastic MedicationAdministrations. */
export function chemotherapyEvents(snapshot: PatientSnapshot, terminology: Terminology): ChemotherapyEvent[] {
  return perPatient(snapshot, 'chemotherapyEvents', () => computeChemotherapyEvents(snapshot, terminology));
}

function computeChemotherapyEvents(snapshot: PatientSnapshot, terminology: Terminology): ChemotherapyEvent[] {
  const events: ChemotherapyEvent[] = [];
  for (const procedure of snapshot.procedures) {
    const interval = chemotherapyInterval(procedure, terminology);
    const day = interval ? startDay(interval) : undefined;
    if (interval && day !== undefined) {
      events.push({ day, interval, reference: `Procedure/${procedure.id ?? ''}` });
    }
  }
  for (const administration of snapshot.medicationAdministrations) {
    if (!wasGiven(administration) || !isAntineoplastic(administration, snapshot, terminology)) {
      continue;
    }
    const interval = toInterval(administration.effectiveDateTime, administration.effectivePeriod);
    const day = interval ? startDay(interval) : undefined;
    if (interval && day !== undefined) {
      events.push({ day, interval, reference: `MedicationAdministration/${administration.id ?? ''}` });
    }
  }
  return events;
}

/** Active orders for antineoplastic drugs: the "planned chemo" signal available at signing (catalogue 1.3). */
export function plannedChemotherapy(snapshot: PatientSnapshot, terminology: Terminology): string[] {
  return snapshot.medicationRequests
    .filter(
      (request) =>
        (request.status === 'active' || request.status === 'on-hold' || request.status === 'draft') &&
        terminology.match('antineoplastic-drug', request.medicationCodeableConcept?.coding) !== undefined,
    )
    .map((request) => `MedicationRequest/${request.id ?? ''}`);
}

export interface ChemotherapyStatus {
  /** confirmed: chemo before and after (or planned); likely: before only, nothing after visible yet. */
  readonly certainty: 'confirmed' | 'likely';
  readonly evidence: readonly string[];
}

/**
 * CMS157 population 1 as knowable at signing (catalogue 1.3, JUDGMENT): chemotherapy on the visit day or in the
 * look-back window, plus another on a different day in the look-ahead window or an active antineoplastic order.
 */
export function chemotherapyAtVisit(snapshot: PatientSnapshot, context: RuleContext): ChemotherapyStatus | undefined {
  const day = visitDay(snapshot);
  if (day === undefined) {
    return undefined;
  }
  const { chemoLookbackDays, chemoLookaheadDays } = context.settings;
  const events = chemotherapyEvents(snapshot, context.terminology);
  const before = events.filter((e) => e.day >= day - chemoLookbackDays && e.day <= day);
  if (before.length === 0) {
    return undefined;
  }
  const after = events.filter(
    (e) => e.day >= day && e.day <= day + chemoLookaheadDays && before.some((b) => b.day !== e.day),
  );
  const planned = plannedChemotherapy(snapshot, context.terminology);
  const evidence = [...new Set([...before, ...after].map((e) => e.reference).concat(planned))];
  return { certainty: after.length > 0 || planned.length > 0 ? 'confirmed' : 'likely', evidence };
}

/** Antineoplastic drugs given in this encounter. */
export function antineoplasticsGivenToday(
  snapshot: PatientSnapshot,
  terminology: Terminology,
): MedicationAdministration[] {
  return snapshot.thisEncounter.medicationAdministrations.filter(
    (a) => wasGiven(a) && isAntineoplastic(a, snapshot, terminology),
  );
}

/** Cancer-directed treatment in this encounter: antineoplastic given, chemo administration or RT delivery coded. */
export function cancerTreatmentToday(snapshot: PatientSnapshot, terminology: Terminology): string[] {
  const codes = encounterCodes(snapshot, terminology);
  return [
    ...antineoplasticsGivenToday(snapshot, terminology).map((a) => `MedicationAdministration/${a.id ?? ''}`),
    ...codesIn(codes, terminology, 'chemotherapy-administration-code').map((c) => c.reference),
    ...codesIn(codes, terminology, 'radiation-delivery').map((c) => c.reference),
  ];
}

/** True when the instant (or span) falls within the given UTC day window. */
export function inDayWindow(interval: Interval, from: number, to: number): boolean {
  return during(interval, daysSpan(from, to));
}
