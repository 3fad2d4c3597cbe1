import type { MedicationAdministration } from 'fhir/r4.js';
import { perSnapshot } from '../per-snapshot.js';
import type { PatientSnapshot } from '../../fhir/snapshot.js';
import { dateTimeSpan } from '../../fhir/intervals.js';
import { hasTimeOfDay, minutesBetween } from '../../fhir/time.js';
import type { Terminology } from '../../terminology/terminology.js';
import { drugCodings, drugName, isDocumentedPush } from '../medication.js';
import { isPushDuration } from './time-rules.js';

/*
 * What the INF rules need to know about each administration of the encounter, derived once: drug class, route,
 * technique, documented times and minutes. Not-done and entered-in-error administrations are left out (code-lists 12);
 * on-hold and unknown ones too, since nothing says they happened.
 */

export type DrugClass = 'antineoplastic' | 'hydration' | 'supportive' | 'unknown';
export type RouteClass = 'intravenous' | 'intra-arterial' | 'injection' | 'oral' | 'other' | 'unknown';

export interface AdministrationFacts {
  readonly administration: MedicationAdministration;
  readonly reference: string;
  readonly drug: string;
  /** Identity for "a different drug" (INF-008): the first coding, canonical system and code. */
  readonly drugKey: string | undefined;
  readonly drugClass: DrugClass;
  readonly route: RouteClass;
  readonly status: MedicationAdministration['status'];
  readonly start: string | undefined;
  readonly end: string | undefined;
  /** Epoch ms of start and end when both carry a time. */
  readonly startMs: number | undefined;
  readonly endMs: number | undefined;
  /** Whole minutes, when start and end both carry a time of day. */
  readonly minutes: number | undefined;
  /** Documented push (method), or an intravascular administration of 15 minutes or less. */
  readonly push: boolean;
  readonly documentedPush: boolean;
  readonly hasDevice: boolean;
}

const happenedStatuses = new Set(['completed', 'stopped', 'in-progress']);

function routeClass(administration: MedicationAdministration, terminology: Terminology): RouteClass {
  const route = administration.dosage?.route?.coding;
  if (!route || route.length === 0) {
    return 'unknown';
  }
  const match = terminology.match('route-intravascular', route);
  if (match) {
    return match.code === '58100008' ? 'intra-arterial' : 'intravenous';
  }
  if (terminology.match('route-subcutaneous-or-intramuscular', route)) {
    return 'injection';
  }
  return terminology.match('route-oral', route) ? 'oral' : 'other';
}

function drugClassOf(
  administration: MedicationAdministration,
  snapshot: PatientSnapshot,
  terminology: Terminology,
): DrugClass {
  const codings = drugCodings(administration, snapshot);
  if (terminology.match('antineoplastic-drug', codings)) {
    return 'antineoplastic';
  }
  if (terminology.match('hydration-fluid', codings)) {
    return 'hydration';
  }
  return terminology.match('supportive-oncology-drug', codings) ? 'supportive' : 'unknown';
}

export function administrationFacts(
  administration: MedicationAdministration,
  snapshot: PatientSnapshot,
  terminology: Terminology,
): AdministrationFacts {
  const start = administration.effectivePeriod?.start ?? administration.effectiveDateTime;
  const end = administration.effectivePeriod?.end;
  const minutes = minutesBetween(start, end);
  const documentedPush = isDocumentedPush(administration, terminology);
  const route = routeClass(administration, terminology);
  const first = drugCodings(administration, snapshot)
    .map((c) => terminology.normalise(c))
    .find((c) => c !== undefined);
  return {
    administration,
    reference: `MedicationAdministration/${administration.id ?? ''}`,
    drug: drugName(administration, snapshot),
    drugKey: first ? `${first.system}|${first.code}` : undefined,
    drugClass: drugClassOf(administration, snapshot, terminology),
    route,
    status: administration.status,
    start,
    end,
    startMs: hasTimeOfDay(start) ? dateTimeSpan(start)?.low : undefined,
    endMs: hasTimeOfDay(end) ? dateTimeSpan(end)?.low : undefined,
    minutes,
    documentedPush,
    push: documentedPush || (minutes !== undefined && isPushDuration(minutes)),
    hasDevice: (administration.device ?? []).length > 0,
  };
}

/** The encounter's administrations that happened, with their facts, in start order. */
export function encounterAdministrations(snapshot: PatientSnapshot, terminology: Terminology): AdministrationFacts[] {
  return perSnapshot(snapshot, 'encounterAdministrations', () =>
    computeEncounterAdministrations(snapshot, terminology),
  );
}

function computeEncounterAdministrations(snapshot: PatientSnapshot, terminology: Terminology): AdministrationFacts[] {
  return snapshot.thisEncounter.medicationAdministrations
    .filter((a) => happenedStatuses.has(a.status))
    .map((a) => administrationFacts(a, snapshot, terminology))
    .sort((a, b) => (a.startMs ?? Infinity) - (b.startMs ?? Infinity));
}

export function isIntravascular(facts: AdministrationFacts): boolean {
  return facts.route === 'intravenous' || facts.route === 'intra-arterial';
}

/**
 * A finished IV or intra-arterial antineoplastic infusion (not a documented push): the administrations whose start
 * and stop times the time-based codes need (INF-001, INF-002).
 */
export function isFinishedChemoInfusion(facts: AdministrationFacts): boolean {
  return (
    (facts.status === 'completed' || facts.status === 'stopped') &&
    facts.drugClass === 'antineoplastic' &&
    isIntravascular(facts) &&
    !facts.documentedPush
  );
}

/** Two administrations overlap in time (concurrent), when both have documented start and end. */
export function overlapInTime(a: AdministrationFacts, b: AdministrationFacts): boolean {
  if (a.startMs === undefined || a.endMs === undefined || b.startMs === undefined || b.endMs === undefined) {
    return false;
  }
  return a.startMs < b.endMs && b.startMs < a.endMs;
}

/** "carboplatin, started 10:05, stopped 11:40 (95 min)" for card details. */
export function describeTimes(facts: AdministrationFacts): string {
  const time = (value: string | undefined): string => (value === undefined ? 'not documented' : value);
  const minutes = facts.minutes !== undefined ? ` (${facts.minutes} min)` : '';
  return `${facts.drug}: start ${time(facts.start)}, stop ${time(facts.end)}${minutes}`;
}
