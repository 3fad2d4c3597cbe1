import type { CodeableConcept, Observation } from 'fhir/r4.js';
import { toInterval, type Interval } from '../fhir/intervals.js';
import type { Terminology } from '../terminology/terminology.js';

/*
 * Pain assessments (the CMS157 pain tools), with the value read whatever its shape:
 * - `valueInteger` (US Core and the CMS157 test cases) or `valueQuantity` ({value: 6, unit: '{score}'}; Epic and
 *   Synthea; Synthea writes fractional scores such as 0.205);
 * - `valueCodeableConcept` from a LOINC answer list (LL2335-9 for 72514-3 0-10 numeric rating, Wong-Baker faces
 *   LL2336-7), whose answers are read from their display or text ("6", "Moderate", "No pain");
 * - `valueString` with a number ("6", "6/10") as flowsheet interfaces send it (Oracle Health and athenahealth send
 *   flowsheet rows as strings).
 * The instrument is known from LOINC in `code` even when a local flowsheet code comes first.
 */

export interface PainScore {
  readonly observation: Observation;
  readonly reference: string;
  readonly status: string;
  readonly time: Interval;
  /** Intensity instruments decide pain present/absent; 77565-0 (BPI interference) never does. */
  readonly intensity: boolean;
  /** The score on the instrument's 0-10 scale, when it is numeric. */
  readonly score: number | undefined;
  /** true/false when the value says so; undefined when it cannot be read. */
  readonly painPresent: boolean | undefined;
  /** The value as a clinician would read it: "6/10", "Moderate". */
  readonly display: string | undefined;
}

/** A score of any status but these counts for the clinician's prompt (catalogue 1.3; CMS157 needs final). */
const voidStatuses = new Set(['cancelled', 'entered-in-error']);
/** Statuses of a result that can be coded on a claim (PAIN-006: the last final score of the visit decides). */
const finalStatuses = new Set(['final', 'amended', 'corrected']);
const noPainWords = /^\s*(none|no pain|no hurt|pain free|denies pain|denies)\b/i;
/** "6", "6/10", "6 out of 10", "7 - severe": a leading number on the 0-10 scale. */
const leadingScore = /^\s*(\d{1,2}(?:\.\d+)?)\s*(?:(?:\/|out of)\s*10)?(?:\s|$|-|:|\()/i;

interface Reading {
  readonly score: number | undefined;
  readonly present: boolean | undefined;
  readonly display: string | undefined;
}
const unreadable: Reading = { score: undefined, present: undefined, display: undefined };

function fromNumber(value: number): Reading {
  // JUDGMENT: the instruments are integer scales; fractional values are rounded first, so "pain present" means a
  // score that reads 1 or more.
  const score = Math.round(value);
  return score < 0 || score > 10 ? unreadable : { score, present: score > 0, display: `${score}/10` };
}

function fromText(text: string | undefined): Reading {
  if (text === undefined || text.trim() === '') {
    return unreadable;
  }
  const numeric = leadingScore.exec(text);
  if (numeric?.[1] !== undefined) {
    return fromNumber(Number(numeric[1]));
  }
  return { score: undefined, present: !noPainWords.test(text), display: text.trim() };
}

function fromConcept(concept: CodeableConcept): Reading {
  const texts = [concept.text, ...(concept.coding ?? []).map((c) => c.display)];
  const text = texts.find((t): t is string => t !== undefined && t.trim() !== '');
  return fromText(text);
}

export function readPainValue(observation: Observation): Reading {
  const numeric = observation.valueQuantity?.value ?? observation.valueInteger;
  if (typeof numeric === 'number') {
    return fromNumber(numeric);
  }
  if (observation.valueCodeableConcept) {
    return fromConcept(observation.valueCodeableConcept);
  }
  return fromText(observation.valueString);
}

export function observationTime(observation: Observation): Interval | undefined {
  return toInterval(observation.effectiveDateTime ?? observation.effectiveInstant, observation.effectivePeriod);
}

/** Every pain assessment of the patient that was not voided, oldest first. */
export function painScores(observations: readonly Observation[], terminology: Terminology): PainScore[] {
  const scores: PainScore[] = [];
  for (const observation of observations) {
    if (
      voidStatuses.has(observation.status) ||
      terminology.match('cms157-pain-assessment-tool', observation.code.coding) === undefined
    ) {
      continue;
    }
    const time = observationTime(observation);
    if (!time) {
      continue;
    }
    const intensity = terminology.match('pain-intensity-instrument', observation.code.coding) !== undefined;
    const read = intensity ? readPainValue(observation) : unreadable;
    scores.push({
      observation,
      reference: `Observation/${observation.id ?? ''}`,
      status: observation.status,
      time,
      intensity,
      score: read.score,
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
    .filter((s) => s.intensity && s.painPresent !== undefined && (!options.finalOnly || finalStatuses.has(s.status)))
    .at(-1);
}
