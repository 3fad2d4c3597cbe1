import type { CodeableConcept, Condition, Encounter, Observation } from 'fhir/r4.js';
import { perSnapshot } from '../per-snapshot.js';
import { daysSpan, during, type Interval } from '../../fhir/intervals.js';
import type { PatientSnapshot } from '../../fhir/snapshot.js';
import {
  isFiveFractionManagement,
  isOfficeOrTelehealthVisit,
  isRadiationManagementVisit,
  observationInterval,
  radiationPainWindowDays,
  startDay,
} from '../../measures/cms157.js';
import type { Terminology } from '../../terminology/terminology.js';
import { codesIn, encounterCodes, withCode } from '../billing.js';
import { activeCancersAtVisit, chemotherapyAtVisit, visitInterval } from '../treatment.js';
import { SYSTEM } from '../../terminology/systems.js';
import type { RuleContext } from '../types.js';

/*
 * The visits MIPS #143/#144 (CMS157) are about, as they can be known at signing, and what the record says about pain
 * at them. Catalogue section 2 "Common definitions" and 1.3 (signing-time differences from the measure).
 */

export interface PainMeasureVisit {
  readonly kind: 'chemotherapy' | 'radiation';
  /** likely: chemotherapy before the visit but none after or planned yet (catalogue 1.3). */
  readonly certainty: 'confirmed' | 'likely';
  readonly cancers: readonly Condition[];
  /** When a pain score counts for this visit: the visit itself (chemotherapy) or the CMS157 day window (radiation). */
  readonly window: Interval;
  readonly evidence: readonly string[];
}

const closedEncounterStatuses = new Set(['cancelled', 'entered-in-error']);

function radiationCodes(snapshot: PatientSnapshot, terminology: Terminology) {
  return codesIn(encounterCodes(snapshot, terminology), terminology, 'cms157-radiation-treatment-management');
}

/**
 * The radiation pain window (CMS157 numerator 2): 77427, in Encounter.type or as a same-day code, looks back from
 * the visit day; any other RT management code needs the visit day itself.
 */
function radiationWindow(
  snapshot: PatientSnapshot,
  encounter: Encounter,
  visit: Interval,
  context: RuleContext,
): Interval | undefined {
  const lookback = context.settings.radiationLookbackDays;
  const fiveFractions =
    isFiveFractionManagement(encounter) ||
    radiationCodes(snapshot, context.terminology).some((c) => c.system === SYSTEM.cpt && c.code === '77427');
  const start = startDay(visit);
  if (fiveFractions) {
    return start === undefined ? undefined : daysSpan(start - lookback, start);
  }
  const days = radiationPainWindowDays(encounter, visit, lookback);
  return days ? daysSpan(days.from, days.to) : undefined;
}

/** The pain-measure visits this encounter is (chemotherapy and/or radiation), with their score windows. */
export function painMeasureVisits(snapshot: PatientSnapshot, context: RuleContext): PainMeasureVisit[] {
  return perSnapshot(snapshot, 'painMeasureVisits', () => computePainMeasureVisits(snapshot, context));
}

function computePainMeasureVisits(snapshot: PatientSnapshot, context: RuleContext): PainMeasureVisit[] {
  const { terminology, settings } = context;
  const encounter = snapshot.encounter;
  const visit = visitInterval(snapshot);
  if (!encounter || !visit || closedEncounterStatuses.has(encounter.status)) {
    return [];
  }
  const cancers = activeCancersAtVisit(snapshot, terminology);
  if (cancers.length === 0) {
    return [];
  }
  const cancerRefs = cancers.map((c) => `Condition/${c.id ?? ''}`);
  const visits: PainMeasureVisit[] = [];
  const chemo = chemotherapyAtVisit(snapshot, context);
  if (chemo && (!settings.requireOfficeOrTelehealthVisit || isOfficeOrTelehealthVisit(encounter, terminology))) {
    visits.push({
      kind: 'chemotherapy',
      certainty: chemo.certainty,
      cancers,
      window: visit,
      evidence: [...cancerRefs, ...chemo.evidence],
    });
  }
  if (isRadiationManagementVisit(encounter, terminology) || radiationCodes(snapshot, terminology).length > 0) {
    const window = radiationWindow(snapshot, encounter, visit, context);
    if (window) {
      visits.push({ kind: 'radiation', certainty: 'confirmed', cancers, window, evidence: cancerRefs });
    }
  }
  return visits;
}

export interface PainScore {
  readonly observation: Observation;
  readonly reference: string;
  readonly time: Interval;
  /** Intensity instruments decide pain present/absent; 77565-0 (BPI interference) never does. */
  readonly intensity: boolean;
  /** true/false when the value says so; undefined when it cannot be read. */
  readonly painPresent: boolean | undefined;
  /** The value as a clinician would read it: "6/10", "Moderate". */
  readonly display: string | undefined;
}

/** A pain score of any status but these counts for the clinician's prompt (catalogue 1.3; CMS157 needs final). */
const voidStatuses = new Set(['cancelled', 'entered-in-error']);
/** Statuses of a result that can be coded on a claim (PAIN-006: the last final score of the visit decides). */
const finalStatuses = new Set(['final', 'amended', 'corrected']);
const noPainWords = /^\s*(0|none|no pain|no hurt|pain free|denies pain)\b/i;

function codedPresence(concept: CodeableConcept): { present: boolean | undefined; display: string | undefined } {
  const text = concept.text ?? concept.coding?.find((c) => c.display !== undefined)?.display;
  if (text === undefined) {
    return { present: undefined, display: undefined };
  }
  return { present: !noPainWords.test(text), display: text };
}

function readPain(observation: Observation): { present: boolean | undefined; display: string | undefined } {
  const numeric = observation.valueQuantity?.value ?? observation.valueInteger;
  if (typeof numeric === 'number') {
    // JUDGMENT: the instruments are integer scales; fractional values (Synthea writes 0.205) are rounded first,
    // so "pain present" means a score that reads 1 or more.
    const score = Math.round(numeric);
    return { present: score > 0, display: `${score}/10` };
  }
  if (observation.valueCodeableConcept) {
    return codedPresence(observation.valueCodeableConcept);
  }
  return { present: undefined, display: undefined };
}

/** Pain assessments (CMS157 pain tools) of the patient recorded within the window, oldest first. */
export function painScoresIn(snapshot: PatientSnapshot, window: Interval, terminology: Terminology): PainScore[] {
  const scores: PainScore[] = [];
  for (const observation of snapshot.observations) {
    if (
      voidStatuses.has(observation.status) ||
      terminology.match('cms157-pain-assessment-tool', observation.code.coding) === undefined
    ) {
      continue;
    }
    const time = observationInterval(observation);
    if (!time || !during(time, window)) {
      continue;
    }
    const intensity = terminology.match('pain-intensity-instrument', observation.code.coding) !== undefined;
    const read = intensity ? readPain(observation) : { present: undefined, display: undefined };
    scores.push({
      observation,
      reference: `Observation/${observation.id ?? ''}`,
      time,
      intensity,
      painPresent: read.present,
      display: read.display,
    });
  }
  return scores.sort((a, b) => a.time.low - b.time.low);
}

/**
 * The last intensity score whose value says whether there is pain (JUDGMENT: the last one of the visit decides);
 * with `finalOnly`, among final/amended/corrected results only.
 */
export function lastIntensityScore(
  scores: readonly PainScore[],
  options: { finalOnly?: boolean } = {},
): PainScore | undefined {
  return scores
    .filter(
      (s) =>
        s.intensity && s.painPresent !== undefined && (!options.finalOnly || finalStatuses.has(s.observation.status)),
    )
    .at(-1);
}

function addressesPain(
  snapshot: PatientSnapshot,
  references: readonly { reference?: string }[] | undefined,
  terminology: Terminology,
): boolean {
  return (references ?? []).some((reference) => {
    const target = snapshot.resolve(reference);
    return (
      target?.resourceType === 'Condition' && terminology.match('pain-condition', target.code?.coding) !== undefined
    );
  });
}

/** The catalogue's plan evidence 1: an active CarePlan (a draft one may still be discarded). */
const livePlanStatuses = new Set(['active']);

/**
 * Evidence of a plan of care for pain documented at this visit (PAIN-003's list, JUDGMENT: no standard says how FHIR
 * proves a pain plan). Returns the references of what counts: pain care plans, analgesic orders, pain/palliative
 * referrals or procedures, and 0521F itself.
 */
export function painPlanEvidence(snapshot: PatientSnapshot, terminology: Terminology): string[] {
  return perSnapshot(snapshot, 'painPlanEvidence', () => computePainPlanEvidence(snapshot, terminology));
}

function computePainPlanEvidence(snapshot: PatientSnapshot, terminology: Terminology): string[] {
  const evidence: string[] = [];
  const here = snapshot.thisEncounter;
  for (const plan of here.carePlans) {
    if (!livePlanStatuses.has(plan.status)) {
      continue;
    }
    const activityCodes = (plan.activity ?? []).flatMap((a) => a.detail?.code?.coding ?? []);
    if (addressesPain(snapshot, plan.addresses, terminology) || terminology.match('pain-plan-service', activityCodes)) {
      evidence.push(`CarePlan/${plan.id ?? ''}`);
    }
  }
  for (const request of here.medicationRequests) {
    if (request.status === 'entered-in-error' || request.status === 'cancelled') {
      continue;
    }
    if (terminology.match('analgesic-drug', request.medicationCodeableConcept?.coding) !== undefined) {
      evidence.push(`MedicationRequest/${request.id ?? ''}`);
    }
  }
  for (const request of here.serviceRequests) {
    if (request.status === 'entered-in-error' || request.status === 'revoked') {
      continue;
    }
    if (
      terminology.match('pain-plan-service', request.code?.coding) !== undefined ||
      addressesPain(snapshot, request.reasonReference, terminology) ||
      terminology.match(
        'pain-condition',
        (request.reasonCode ?? []).flatMap((c) => c.coding ?? []),
      ) !== undefined
    ) {
      evidence.push(`ServiceRequest/${request.id ?? ''}`);
    }
  }
  for (const procedure of here.procedures) {
    if (
      procedure.status !== 'not-done' &&
      terminology.match('pain-plan-service', procedure.code?.coding) !== undefined
    ) {
      evidence.push(`Procedure/${procedure.id ?? ''}`);
    }
  }
  const planCodes = withCode(encounterCodes(snapshot, terminology), SYSTEM.cpt, '0521F').filter(
    (c) => !c.modifiers.includes('8P'),
  );
  evidence.push(...planCodes.map((c) => c.reference));
  return [...new Set(evidence)];
}
