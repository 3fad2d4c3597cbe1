import type { CodeableConcept, MedicationAdministration, Quantity } from 'fhir/r4.js';
import { dateTimeSpan } from '../fhir/intervals.js';
import type { PatientSnapshot } from '../fhir/snapshot.js';
import { hasTimeOfDay, minutesBetween } from '../fhir/time.js';
import type { Terminology } from '../terminology/terminology.js';
import { codingsOf } from './concepts.js';
import { drugIdentity, type DrugIdentity } from './drugs.js';

/*
 * What is known about one MedicationAdministration, whatever its shape: drug identity (drugs.ts), route class,
 * technique (push or infusion), documented times and minutes, pump, dose and rate.
 */

export type RouteClass = 'intravenous' | 'intra-arterial' | 'injection' | 'oral' | 'other' | 'unknown';

export interface AdministrationFact {
  readonly administration: MedicationAdministration;
  readonly reference: string;
  readonly drug: DrugIdentity;
  readonly route: RouteClass;
  readonly status: MedicationAdministration['status'];
  readonly start: string | undefined;
  readonly end: string | undefined;
  /** Epoch ms of start and end when each carries a time of day. */
  readonly startMs: number | undefined;
  readonly endMs: number | undefined;
  /** Whole minutes, when start and end both carry a time of day. */
  readonly minutes: number | undefined;
  /** Documented as a push (method or route says so). */
  readonly documentedPush: boolean;
  /** Documented push, or an intravascular administration of 15 minutes or less (CPT push definition [S10]). */
  readonly push: boolean;
  /** A device (pump) is recorded on the administration. */
  readonly hasDevice: boolean;
  readonly dose: Quantity | undefined;
  /** Rate as a quantity (mL/h), from `rateQuantity` or a `rateRatio` numerator per one denominator unit. */
  readonly rate: Quantity | undefined;
  /** Body sites recorded (`dosage.site`), as written: two distinct sites support a second initial code (INF-005). */
  readonly site: string | undefined;
  /** A route was recorded at all (coded or as text). */
  readonly routeRecorded: boolean;
  /** The discarded amount documented (JW/JZ; discovery/hooks/encounter-sign.md), 0 when nothing was discarded. */
  readonly discarded: number | undefined;
  /** The lot and expiry of the product given (Medication.batch), as a pump-refill record needs them (INF-011). */
  readonly batch: { readonly lotNumber?: string; readonly expirationDate?: string } | undefined;
  /** References this administration names as what it is part of (a Procedure that bills it, say). */
  readonly partOf: readonly string[];
}

/*
 * Drug wastage (JW/JZ, [S18]). No standard FHIR element holds a discarded amount (catalogue section 7), so this
 * service reads one documented extension on MedicationAdministration (described in the hook definition):
 *   { "url": "urn:oncosign:fhir:extension:discarded-quantity", "valueQuantity": { "value": 20, "unit": "mg" } }
 */
export const DISCARDED_QUANTITY_EXTENSION = 'urn:oncosign:fhir:extension:discarded-quantity';

/** A push is an injection, or an infusion of 15 minutes or less (CPT, restated by Noridian [S10] and AAPC [S13c]). */
const PUSH_MAX_MINUTES = 15;

/** Statuses of an administration that happened or is running (code-lists 12). */
const happenedStatuses = new Set(['completed', 'stopped', 'in-progress']);

export function happened(status: string): boolean {
  return happenedStatuses.has(status);
}

/*
 * HL7 v3 RouteOfAdministration (http://terminology.hl7.org/CodeSystem/v3-RouteOfAdministration, OID
 * 2.16.840.1.113883.5.112), the route system of the US Core and C-CDA examples and of Oracle Health's
 * MedicationAdministration; SNOMED CT routes are the FHIR R4 example binding (route-codes) that Epic sends.
 */
const V3_ROUTE = 'http://terminology.hl7.org/CodeSystem/v3-RouteOfAdministration';
const V3_ROUTE_ALIASES = new Set([V3_ROUTE, 'urn:oid:2.16.840.1.113883.5.112']);
const v3RouteClass: Readonly<Record<string, RouteClass>> = {
  IV: 'intravenous',
  IVINJ: 'intravenous',
  IVINJBOL: 'intravenous',
  IVPUSH: 'intravenous',
  IVINFUS: 'intravenous',
  IVPB: 'intravenous',
  IVDRIP: 'intravenous',
  IVFLUSH: 'intravenous',
  IA: 'intra-arterial',
  IAINJ: 'intra-arterial',
  IAINJP: 'intra-arterial',
  IAINJSP: 'intra-arterial',
  SQ: 'injection',
  SUBCUTINFUS: 'injection',
  IM: 'injection',
  IMINJ: 'injection',
  IDINJ: 'injection',
  PO: 'oral',
};
/** v3 route codes that are themselves a push technique ("IV push", "bolus"). */
const v3PushRoutes = new Set(['IVPUSH', 'IVINJBOL', 'IAINJP']);

/** Free-text routes as EHR order entry writes them ("IV", "IVPB", "Intravenous", "SubQ", "PO"). */
const textRoutes: readonly (readonly [RegExp, RouteClass])[] = [
  [/\b(intra-?arterial|ia)\b/i, 'intra-arterial'],
  [/\b(iv|ivp|ivpb|iv push|iv piggyback|intravenous(ly)?|intravenous infusion)\b/i, 'intravenous'],
  [/\b(sc|sq|subq|sub-?q|subcut(aneous(ly)?)?|im|intramuscular(ly)?)\b/i, 'injection'],
  [/\b(po|oral(ly)?|by mouth)\b/i, 'oral'],
];
const pushText = /\b(push|bolus|ivp)\b/i;

function routeClass(route: CodeableConcept | undefined, terminology: Terminology): RouteClass {
  const codings = route?.coding ?? [];
  const intravascular = terminology.match('route-intravascular', codings);
  if (intravascular) {
    return intravascular.code === '58100008' ? 'intra-arterial' : 'intravenous';
  }
  if (terminology.match('route-subcutaneous-or-intramuscular', codings)) {
    return 'injection';
  }
  if (terminology.match('route-oral', codings)) {
    return 'oral';
  }
  for (const coding of codings) {
    const v3 = coding.system !== undefined && V3_ROUTE_ALIASES.has(coding.system) ? coding.code : undefined;
    const known = v3 === undefined ? undefined : v3RouteClass[v3.toUpperCase()];
    if (known) {
      return known;
    }
  }
  const text = [route?.text, ...codings.map((c) => c.display)].filter((t): t is string => t !== undefined);
  for (const [pattern, kind] of textRoutes) {
    if (text.some((t) => pattern.test(t))) {
      return kind;
    }
  }
  return codings.length > 0 || text.length > 0 ? 'other' : 'unknown';
}

function isDocumentedPush(administration: MedicationAdministration, terminology: Terminology): boolean {
  const dosage = administration.dosage;
  if (terminology.match('administration-method-push', dosage?.method?.coding) !== undefined) {
    return true;
  }
  const routeCodings = dosage?.route?.coding ?? [];
  if (
    routeCodings.some((c) => c.system !== undefined && V3_ROUTE_ALIASES.has(c.system) && v3PushRoutes.has(c.code ?? ''))
  ) {
    return true;
  }
  const methodText = [dosage?.method?.text, ...codingsOf([dosage?.method]).map((c) => c.display)];
  return methodText.some((t) => t !== undefined && pushText.test(t));
}

function rateOf(administration: MedicationAdministration): Quantity | undefined {
  const dosage = administration.dosage;
  if (dosage?.rateQuantity) {
    return dosage.rateQuantity;
  }
  const ratio = dosage?.rateRatio;
  const numerator = ratio?.numerator;
  const denominator = ratio?.denominator;
  if (numerator?.value === undefined || denominator?.value === undefined || denominator.value === 0) {
    return undefined;
  }
  // "250 mL per 2 h" → 125 mL/h: Oracle Health writes rates as ratios.
  return {
    value: numerator.value / denominator.value,
    ...(numerator.unit !== undefined ? { unit: `${numerator.unit}/${denominator.unit ?? ''}` } : {}),
  };
}

/*
 * Oracle Health records an infusion as `effectiveDateTime` (its start) plus the `infuse-over-time` extension, its
 * documented duration (fhir.cerner.com, Millennium R4 MedicationAdministration custom extensions); there is no
 * effectivePeriod. The stop time is the start plus that duration.
 */
const ORACLE_INFUSE_OVER_TIME = 'https://fhir-ehr.cerner.com/r4/StructureDefinition/infuse-over-time';
const minutesPerUnit: Readonly<Record<string, number>> = { min: 1, h: 60, s: 1 / 60 };

function infuseOverTimeEnd(administration: MedicationAdministration, start: string | undefined): string | undefined {
  const duration = administration.extension?.find((e) => e.url === ORACLE_INFUSE_OVER_TIME)?.valueQuantity;
  const perUnit = minutesPerUnit[duration?.code ?? (duration?.unit?.startsWith('minute') === true ? 'min' : '')];
  const begin = hasTimeOfDay(start) ? dateTimeSpan(start)?.low : undefined;
  if (duration?.value === undefined || perUnit === undefined || begin === undefined || duration.value <= 0) {
    return undefined;
  }
  return new Date(begin + Math.round(duration.value * perUnit * 60_000)).toISOString();
}

export function administrationFact(
  administration: MedicationAdministration,
  snapshot: PatientSnapshot,
  terminology: Terminology,
  /** The administration's drug identity when already known (it is the same for the same inputs). */
  drug: DrugIdentity = drugIdentity(administration, snapshot, terminology),
): AdministrationFact {
  const start = administration.effectivePeriod?.start ?? administration.effectiveDateTime;
  const end =
    administration.effectivePeriod?.end ??
    (administration.effectivePeriod === undefined ? infuseOverTimeEnd(administration, start) : undefined);
  const minutes = minutesBetween(start, end);
  const documentedPush = isDocumentedPush(administration, terminology);
  const route = routeClass(administration.dosage?.route, terminology);
  const site = administration.dosage?.site;
  return {
    administration,
    reference: `MedicationAdministration/${administration.id ?? ''}`,
    drug,
    route,
    status: administration.status,
    start,
    end,
    startMs: hasTimeOfDay(start) ? dateTimeSpan(start)?.low : undefined,
    endMs: hasTimeOfDay(end) ? dateTimeSpan(end)?.low : undefined,
    minutes,
    documentedPush,
    push: documentedPush || (minutes !== undefined && minutes <= PUSH_MAX_MINUTES),
    hasDevice: (administration.device ?? []).length > 0,
    dose: administration.dosage?.dose,
    rate: rateOf(administration),
    site: site?.text ?? site?.coding?.find((c) => c.code !== undefined)?.code,
    routeRecorded: administration.dosage?.route !== undefined,
    discarded: administration.extension?.find((e) => e.url === DISCARDED_QUANTITY_EXTENSION)?.valueQuantity?.value,
    batch: snapshot.medicationOf(administration)?.batch,
    partOf: (administration.partOf ?? []).map((p) => p.reference ?? ''),
  };
}

export function isIntravascular(fact: AdministrationFact): boolean {
  return fact.route === 'intravenous' || fact.route === 'intra-arterial';
}

/**
 * A finished IV or intra-arterial antineoplastic infusion (not a documented push): the administrations whose start
 * and stop times the time-based codes need (INF-001, INF-002).
 */
export function isFinishedChemoInfusion(fact: AdministrationFact): boolean {
  return (
    (fact.status === 'completed' || fact.status === 'stopped') &&
    fact.drug.drugClass === 'antineoplastic' &&
    isIntravascular(fact) &&
    !fact.documentedPush
  );
}

/** Two administrations overlap in time (concurrent), when both have documented start and end. */
export function overlapInTime(a: AdministrationFact, b: AdministrationFact): boolean {
  if (a.startMs === undefined || a.endMs === undefined || b.startMs === undefined || b.endMs === undefined) {
    return false;
  }
  return a.startMs < b.endMs && b.startMs < a.endMs;
}
