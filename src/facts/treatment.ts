import type { MedicationRequest } from 'fhir/r4.js';
import { dayNumber, toInterval, type Interval } from '../fhir/intervals.js';
import type { PatientSnapshot } from '../fhir/snapshot.js';
import { chemotherapyInterval } from '../measures/cms157.js';
import type { Terminology } from '../terminology/terminology.js';
import { happened, type AdministrationFact } from './administrations.js';
import { drugIdentity, type DrugIdentity } from './drugs.js';

/*
 * Cancer-directed treatment in the record: chemotherapy given (CMS157 chemotherapy-administration Procedures, and
 * antineoplastic MedicationAdministrations however the drug is coded) and chemotherapy planned (antineoplastic
 * orders, the signal available at signing: catalogue 1.3).
 */

export interface ChemotherapyEvent {
  readonly day: number;
  readonly interval: Interval;
  readonly reference: string;
}

export interface OrderFact {
  readonly request: MedicationRequest;
  readonly reference: string;
  readonly drug: DrugIdentity;
}

function eventOf(interval: Interval | undefined, reference: string): ChemotherapyEvent[] {
  return interval && Number.isFinite(interval.low) ? [{ day: dayNumber(interval.low), interval, reference }] : [];
}

/** Every chemotherapy the patient's record shows as given, on any encounter. */
export function chemotherapyEvents(
  snapshot: PatientSnapshot,
  terminology: Terminology,
  administrations: readonly Pick<AdministrationFact, 'administration' | 'reference' | 'status' | 'drug'>[],
): ChemotherapyEvent[] {
  return [
    ...snapshot.procedures.flatMap((p) => eventOf(chemotherapyInterval(p, terminology), `Procedure/${p.id ?? ''}`)),
    ...administrations
      .filter((a) => happened(a.status) && a.drug.drugClass === 'antineoplastic')
      .flatMap((a) =>
        eventOf(toInterval(a.administration.effectiveDateTime, a.administration.effectivePeriod), a.reference),
      ),
  ];
}

export function orderFacts(
  requests: readonly MedicationRequest[],
  snapshot: PatientSnapshot,
  terminology: Terminology,
): OrderFact[] {
  return requests.map((request) => ({
    request,
    reference: `MedicationRequest/${request.id ?? ''}`,
    drug: drugIdentity(request, snapshot, terminology),
  }));
}

/**
 * Orders that still stand for chemotherapy to come: active, on hold or draft (a completed, stopped, cancelled or
 * revoked order plans nothing).
 */
const plannedStatuses = new Set(['active', 'on-hold', 'draft']);

export function plannedChemotherapy(orders: readonly OrderFact[]): string[] {
  return orders
    .filter((o) => plannedStatuses.has(o.request.status) && o.drug.drugClass === 'antineoplastic')
    .map((o) => o.reference);
}
