import { dayNumber, daysSpan, type Interval } from '../../fhir/intervals.js';
import type { ConditionFact } from '../../facts/diagnoses.js';
import { chemotherapyAtVisit } from '../chemotherapy-at-visit.js';
import type { RuleContext } from '../types.js';

/*
 * The visits MIPS #143/#144 (CMS157) are about, as they can be known at signing, read from the encounter's facts.
 * Catalogue section 2 "Common definitions" and 1.3 (signing-time differences from the measure): the visit kind
 * comes from every place a record says it (facts/visit.ts), not only Encounter.type as the measure's retrieve does.
 */

export interface PainMeasureVisit {
  readonly kind: 'chemotherapy' | 'radiation';
  /** likely: chemotherapy before the visit but none after or planned yet (catalogue 1.3). */
  readonly certainty: 'confirmed' | 'likely';
  readonly cancers: readonly ConditionFact[];
  /** When a pain score counts for this visit: the visit itself (chemotherapy) or the CMS157 day window (radiation). */
  readonly window: Interval;
  readonly evidence: readonly string[];
}

/**
 * The radiation pain window (CMS157 numerator 2): 77427 looks back from the visit's start day; any other RT
 * management code needs the visit day itself.
 */
function radiationWindow(visit: Interval, fiveFractions: boolean, lookbackDays: number): Interval | undefined {
  if (fiveFractions) {
    return Number.isFinite(visit.low) ? daysSpan(dayNumber(visit.low) - lookbackDays, dayNumber(visit.low)) : undefined;
  }
  const day = Number.isFinite(visit.high)
    ? dayNumber(visit.high)
    : Number.isFinite(visit.low)
      ? dayNumber(visit.low)
      : undefined;
  return day === undefined ? undefined : daysSpan(day, day);
}

/** The pain-measure visits this encounter is (chemotherapy and/or radiation), with their score windows. */
export function painMeasureVisits(context: RuleContext): readonly PainMeasureVisit[] {
  // Five pain rules ask within one evaluation (one context); the visits are worked out once.
  let visits = visitsByContext.get(context);
  if (!visits) {
    visits = workOutVisits(context);
    visitsByContext.set(context, visits);
  }
  return visits;
}

const visitsByContext = new WeakMap<RuleContext, readonly PainMeasureVisit[]>();

function workOutVisits(context: RuleContext): readonly PainMeasureVisit[] {
  const { facts, settings } = context;
  const visit = facts.visit;
  if (!visit.encounter || !visit.interval || visit.void) {
    return [];
  }
  const cancers = facts.cancersAtVisit;
  if (cancers.length === 0) {
    return [];
  }
  const cancerRefs = cancers.map((c) => c.reference);
  const visits: PainMeasureVisit[] = [];
  const chemo = chemotherapyAtVisit(context);
  if (chemo && (!settings.requireOfficeOrTelehealthVisit || visit.officeOrTelehealth)) {
    visits.push({
      kind: 'chemotherapy',
      certainty: chemo.certainty,
      cancers,
      window: visit.interval,
      evidence: [...cancerRefs, ...chemo.evidence],
    });
  }
  if (visit.radiationManagement) {
    const window = radiationWindow(visit.interval, visit.fiveFractionManagement, settings.radiationLookbackDays);
    if (window) {
      visits.push({ kind: 'radiation', certainty: 'confirmed', cancers, window, evidence: cancerRefs });
    }
  }
  return visits;
}
