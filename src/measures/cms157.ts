import type { Condition, Encounter, Observation, Procedure } from 'fhir/r4.js';
import { dayNumber, during, overlaps, toInterval, type Interval } from '../fhir/intervals.js';
import type { CodingLike, Terminology } from '../terminology/terminology.js';
import { SYSTEM } from '../terminology/systems.js';

/*
 * CMS157 "Oncology: Medical and Radiation - Pain Intensity Quantified" (MIPS #143), FHIR library
 * OncologyPainIntensityQuantifiedFHIR 0.3.000 (QI-Core 6.0.0), restated in our own terms over FHIR R4 resources.
 * Source: cqframework/ecqm-content-qicore-2025, the CQL in ../shared/fixtures/external/ecqm-cms157-oncology-pain-intensity
 * [S1]. Each building block names the CQL definition it follows; the signing-time rules PAIN-001/002 reuse them.
 *
 * Semantic choices, made to match the reference CQL engine (cql-execution with the FHIR 4.0.1 model):
 * - Profiles on retrieves are not enforced, so Conditions count whatever their category (Synthea sends none).
 * - Day-precision comparisons ("day of", "same day as", "30 days or less on or before") use UTC calendar days.
 * - prevalenceInterval: an active/recurrence/relapse condition runs from onset to abatement, or on without one;
 *   any other condition needs an abatement date to have a known end (otherwise its overlap is unknown: false).
 */

export interface MeasurementPeriod {
  readonly start: string;
  readonly end: string;
}

export interface Cms157Populations {
  readonly encounterId: string;
  readonly initialPopulation1: boolean;
  readonly denominator1: boolean;
  readonly numerator1: boolean;
  readonly initialPopulation2: boolean;
  readonly denominator2: boolean;
  readonly numerator2: boolean;
}

/** The six population memberships of one encounter, without its id. */
export type Cms157Membership = Omit<Cms157Populations, 'encounterId'>;

/** An encounter in none of the populations: where each encounter's evaluation starts. */
export function noPopulations(): { -readonly [K in keyof Cms157Membership]: boolean } {
  return {
    initialPopulation1: false,
    denominator1: false,
    numerator1: false,
    initialPopulation2: false,
    denominator2: false,
    numerator2: false,
  };
}

export interface Cms157Data {
  readonly encounters: readonly Encounter[];
  readonly conditions: readonly Condition[];
  readonly procedures: readonly Procedure[];
  readonly observations: readonly Observation[];
}

const activeStatuses = new Set(['active', 'recurrence', 'relapse']);

function statusCode(concept: Condition['clinicalStatus']): string | undefined {
  return concept?.coding?.find((c) => c.system === SYSTEM.conditionClinical || c.system === undefined)?.code;
}

/** QICoreCommon isActive(). */
export function isActiveCondition(condition: Condition): boolean {
  const status = statusCode(condition.clinicalStatus);
  return status !== undefined && activeStatuses.has(status);
}

/** QICoreCommon prevalenceInterval(); undefined when its end is unknown (inactive without abatement). */
export function prevalenceInterval(condition: Condition): Interval | undefined {
  const onset = toInterval(condition.onsetDateTime, condition.onsetPeriod);
  const abatement = toInterval(condition.abatementDateTime, condition.abatementPeriod);
  const low = onset?.low ?? Number.NEGATIVE_INFINITY;
  if (isActiveCondition(condition)) {
    return { low, high: abatement?.high ?? Number.POSITIVE_INFINITY };
  }
  return abatement ? { low, high: abatement.high } : undefined;
}

export function encounterPeriod(encounter: Encounter): Interval | undefined {
  return toInterval(undefined, encounter.period);
}

function codings(concepts: readonly { coding?: CodingLike[] }[] | undefined): CodingLike[] {
  return (concepts ?? []).flatMap((c) => c.coding ?? []);
}

/** Cancer diagnoses ([ConditionProblemsHealthConcerns: "Cancer"], category not enforced: see above). */
export function isCancer(condition: Condition, terminology: Terminology): boolean {
  return terminology.match('cms157-cancer', condition.code?.coding) !== undefined;
}

/** [Encounter: "Office Visit"] union [Encounter: "Audio Visual Telehealth Encounter"]. */
export function isOfficeOrTelehealthVisit(encounter: Encounter, terminology: Terminology): boolean {
  const types = codings(encounter.type);
  return (
    terminology.match('cms157-office-visit', types) !== undefined ||
    terminology.match('cms157-telehealth-encounter', types) !== undefined
  );
}

/** [Encounter: "Radiation Treatment Management"]. */
export function isRadiationManagementVisit(encounter: Encounter, terminology: Terminology): boolean {
  return terminology.match('cms157-radiation-treatment-management', codings(encounter.type)) !== undefined;
}

/** Encounter type ~ CPT 77427 "Radiation treatment management, 5 treatments" (7-day look-back). */
export function isFiveFractionManagement(encounter: Encounter): boolean {
  return codings(encounter.type).some((c) => c.system === SYSTEM.cpt && c.code === '77427');
}

/** A completed [Procedure: "Chemotherapy Administration"] and its performed interval. */
export function chemotherapyInterval(procedure: Procedure, terminology: Terminology): Interval | undefined {
  if (
    procedure.status !== 'completed' ||
    terminology.match('cms157-chemotherapy-administration', procedure.code?.coding) === undefined
  ) {
    return undefined;
  }
  return toInterval(procedure.performedDateTime, procedure.performedPeriod);
}

/** "Standard Pain Assessment with Result": pain tool, final, with a value. */
export function isPainAssessmentWithResult(observation: Observation, terminology: Terminology): boolean {
  return (
    observation.status === 'final' &&
    hasValue(observation) &&
    terminology.match('cms157-pain-assessment-tool', observation.code.coding) !== undefined
  );
}

export function hasValue(observation: Observation): boolean {
  return Object.entries(observation).some(
    ([key, value]) => key.startsWith('value') && value !== undefined && value !== null,
  );
}

export function observationInterval(observation: Observation): Interval | undefined {
  return toInterval(observation.effectiveDateTime ?? observation.effectiveInstant, observation.effectivePeriod);
}

/** Calendar day (UTC day number) of the start of the interval, or undefined if unbounded. */
export function startDay(interval: Interval): number | undefined {
  return Number.isFinite(interval.low) ? dayNumber(interval.low) : undefined;
}

export function endDay(interval: Interval): number | undefined {
  return Number.isFinite(interval.high) ? dayNumber(interval.high) : undefined;
}

/**
 * "Face to Face or Telehealth Encounter with Ongoing Chemotherapy" timing: two chemotherapies from the pool, one
 * starting 0-30 days on or before the day the encounter ends, the other 0-30 days on or after it, not the same day.
 */
export function hasChemotherapyAroundDay(
  chemo: readonly Interval[],
  encounterEndDay: number,
  windowDays = 30,
): boolean {
  const before = chemo.filter((c) => {
    const d = startDay(c);
    return d !== undefined && d >= encounterEndDay - windowDays && d <= encounterEndDay;
  });
  const after = chemo.filter((c) => {
    const d = startDay(c);
    return d !== undefined && d >= encounterEndDay && d <= encounterEndDay + windowDays;
  });
  return before.some((b) => after.some((a) => !(startDay(a) === startDay(b) && endDay(a) === endDay(b))));
}

/** Numerator 2 window: 77427 looks back 6 days before the start day; other RT management codes need the end day. */
export function radiationPainWindowDays(
  encounter: Encounter,
  period: Interval,
  lookbackDays = 6,
): { from: number; to: number } | undefined {
  if (isFiveFractionManagement(encounter)) {
    const day = startDay(period);
    return day === undefined ? undefined : { from: day - lookbackDays, to: day };
  }
  const day = endDay(period) ?? startDay(period);
  return day === undefined ? undefined : { from: day, to: day };
}

export function withinDays(interval: Interval, window: { from: number; to: number }): boolean {
  const first = startDay(interval);
  const last = endDay(interval);
  return first !== undefined && last !== undefined && first >= window.from && last <= window.to;
}

/** Per-encounter CMS157 populations for one patient over one measurement period. */
export function evaluateCms157(
  data: Cms157Data,
  period: MeasurementPeriod,
  terminology: Terminology,
): Cms157Populations[] {
  const mpStart = Date.parse(period.start);
  const mpEnd = Date.parse(period.end);
  const measurementPeriod: Interval = { low: mpStart, high: mpEnd };
  const chemoPoolWindow: Interval = { low: mpStart - 31 * 86_400_000, high: mpEnd };
  const chemoPool = data.procedures
    .map((p) => chemotherapyInterval(p, terminology))
    .filter((i): i is Interval => i !== undefined && during(i, chemoPoolWindow));
  const cancers = data.conditions.filter((c) => isCancer(c, terminology));
  const painAssessments = data.observations
    .filter((o) => isPainAssessmentWithResult(o, terminology))
    .map(observationInterval)
    .filter((i): i is Interval => i !== undefined);

  return data.encounters.map((encounter) => {
    const result = { encounterId: encounter.id ?? '', ...noPopulations() };
    const period = encounterPeriod(encounter);
    if (!period || encounter.status !== 'finished' || !during(period, measurementPeriod)) {
      return result;
    }
    const periodEndDay = endDay(period);
    if (
      isOfficeOrTelehealthVisit(encounter, terminology) &&
      periodEndDay !== undefined &&
      cancers.some((c) => {
        const prevalence = prevalenceInterval(c);
        return prevalence !== undefined && overlaps(prevalence, period);
      }) &&
      hasChemotherapyAroundDay(chemoPool, periodEndDay)
    ) {
      result.initialPopulation1 = true;
      result.denominator1 = true;
      result.numerator1 = painAssessments.some((p) => during(p, period));
    }
    if (
      isRadiationManagementVisit(encounter, terminology) &&
      cancers.some((c) => {
        const prevalence = prevalenceInterval(c);
        return isActiveCondition(c) && prevalence !== undefined && overlaps(prevalence, period);
      })
    ) {
      result.initialPopulation2 = true;
      result.denominator2 = true;
      const window = radiationPainWindowDays(encounter, period);
      result.numerator2 = window !== undefined && painAssessments.some((p) => withinDays(p, window));
    }
    return result;
  });
}
