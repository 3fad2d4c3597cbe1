import type { Coding, Encounter } from 'fhir/r4.js';
import { dayNumber, localDaySpan, toInterval, type Interval } from '../fhir/intervals.js';
import type { Terminology } from '../terminology/terminology.js';
import { SYSTEM } from '../terminology/systems.js';
import type { BilledCode } from './billed-codes.js';
import { codingsOf } from './concepts.js';

/*
 * What kind of visit the encounter is, from every place a real record says it:
 * - `Encounter.type` with a CPT E/M or RT-management code (the CMS157 test data) or a SNOMED visit type (US Core);
 *   Epic and Oracle Health usually send a local visit type here ("Oncology infusion visit"), which says nothing;
 * - the E/M (99202-99215) or RT-management (77427 …) code billed the same day, as a Procedure or a draft Claim line
 *   (athenahealth and charge-driven feeds; discovery/hooks/encounter-sign.md);
 * - `Encounter.class` VR (HL7 v3 ActCode "virtual"), as US Core and Epic send telehealth visits, or a telehealth
 *   modifier (95, GT, GQ, FQ) on the billed E/M line;
 * - administration codes with no visit code: an infusion-only visit;
 * - failing all codes, the visit type's own words (JUDGMENT): Epic's encounter types are local codes whose display
 *   is "Office Visit", "Telemedicine" or "Video Visit" (Epic on FHIR Encounter examples), so an open visit whose E/M
 *   is not billed yet is still known as one.
 */

export type VisitKind = 'office-em' | 'telehealth-em' | 'radiation-management' | 'infusion-only' | 'other';

export interface VisitFacts {
  readonly encounter: Encounter | undefined;
  /** `Encounter/<id>`. */
  readonly reference: string | undefined;
  readonly status: Encounter['status'] | undefined;
  /** cancelled or entered-in-error: nothing happened to sign. */
  readonly void: boolean;
  /** The visit window; an open visit lasts until the end of its local date. */
  readonly interval: Interval | undefined;
  /** The encounter's period as recorded (an open period runs on). */
  readonly period: Interval | undefined;
  /** The UTC day number the CMS157 windows count from: the end day, or the start day while open. */
  readonly day: number | undefined;
  readonly startDay: number | undefined;
  readonly kinds: ReadonlySet<VisitKind>;
  /** An office or telehealth E/M visit (CMS157 "Office Visit" or "Audio Visual Telehealth Encounter"). */
  readonly officeOrTelehealth: boolean;
  readonly radiationManagement: boolean;
  /** 77427 (weekly RT management, 5 fractions): the 7-day look-back window of CMS157 numerator 2. */
  readonly fiveFractionManagement: boolean;
  /** The reasons the encounter records for itself (`Encounter.reasonCode`). */
  readonly reasonCodings: readonly Coding[];
  /** Where the kind was read (Encounter type, Procedure or Claim references). */
  readonly evidence: readonly string[];
}

const voidStatuses = new Set(['cancelled', 'entered-in-error']);
const VIRTUAL_CLASS = 'VR';
const telehealthModifiers = new Set(['95', 'GT', 'GQ', 'FQ', '93']);
const officeTypeText = /\b(office|clinic) visit\b/i;
const telehealthTypeText = /\b(telehealth|telemedicine|video visit|virtual visit)\b/i;

/**
 * The visit as an interval. At signing the encounter is often still open: JUDGMENT, an open visit lasts until the
 * end of its local date (the catalogue's "the visit date if the period is open"), so a condition starting weeks
 * later does not "overlap" it.
 */
function visitInterval(encounter: Encounter, period: Interval | undefined): Interval | undefined {
  if (!period || !Number.isFinite(period.low)) {
    return undefined;
  }
  if (Number.isFinite(period.high)) {
    return period;
  }
  const day = localDaySpan(encounter.period?.start);
  return day ? { low: period.low, high: Math.max(period.low, day.high) } : undefined;
}

export function visitFacts(
  encounter: Encounter | undefined,
  reference: string | undefined,
  codes: readonly BilledCode[],
  terminology: Terminology,
): VisitFacts {
  const period = encounter ? toInterval(undefined, encounter.period) : undefined;
  const interval = encounter ? visitInterval(encounter, period) : undefined;
  const startDay = period && Number.isFinite(period.low) ? dayNumber(period.low) : undefined;
  const endDay = period && Number.isFinite(period.high) ? dayNumber(period.high) : undefined;

  const typeCodings = codingsOf(encounter?.type);
  const office = codes.filter((c) => terminology.has('cms157-office-visit', c));
  const telehealthType = terminology.match('cms157-telehealth-encounter', typeCodings) !== undefined;
  const virtual = encounter?.class.code === VIRTUAL_CLASS;
  const telehealthLine = office.some((c) => c.modifiers.some((m) => telehealthModifiers.has(m)));
  const radiation = codes.filter((c) => terminology.has('cms157-radiation-treatment-management', c));
  const administration = codes.some((c) => terminology.has('drug-administration-code', c));

  const typeText = [...(encounter?.type ?? []).map((t) => t.text), ...typeCodings.map((c) => c.display)].filter(
    (t): t is string => t !== undefined,
  );
  const telehealthWords = typeText.some((t) => telehealthTypeText.test(t));
  const officeWords = !telehealthWords && typeText.some((t) => officeTypeText.test(t));

  const kinds = new Set<VisitKind>();
  if (telehealthType || ((office.length > 0 || officeWords) && (virtual || telehealthLine)) || telehealthWords) {
    kinds.add('telehealth-em');
  } else if (office.length > 0 || officeWords) {
    kinds.add('office-em');
  }
  if (radiation.length > 0) {
    kinds.add('radiation-management');
  }
  if (kinds.size === 0) {
    kinds.add(administration ? 'infusion-only' : 'other');
  }
  return {
    encounter,
    reference,
    status: encounter?.status,
    void: encounter !== undefined && voidStatuses.has(encounter.status),
    interval,
    period,
    day: endDay ?? startDay,
    startDay,
    kinds,
    officeOrTelehealth: kinds.has('office-em') || kinds.has('telehealth-em'),
    radiationManagement: kinds.has('radiation-management'),
    fiveFractionManagement: radiation.some((c) => c.system === SYSTEM.cpt && c.code === '77427'),
    reasonCodings: codingsOf(encounter?.reasonCode),
    evidence: [...new Set([...office, ...radiation].map((c) => c.reference))],
  };
}
