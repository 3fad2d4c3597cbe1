import type { Encounter, Medication } from 'fhir/r4.js';
import type { PatientIndex } from './patient-index.js';
import { checkResource, listedTypes, listNameOf, type ListedType, type ListsByName } from './resource-types.js';
import type { MedicationUser, PatientSnapshot } from './snapshot.js';
import { dayOf, parseInstant } from './time.js';

/**
 * Picks the encounter a patient-view call is about: the latest by period start, ignoring cancelled and
 * entered-in-error ones. JUDGMENT: "most recent" is by start time, ties broken by id for determinism.
 */
function mostRecentEncounter(encounters: readonly Encounter[]): Encounter | undefined {
  let best: { encounter: Encounter; start: number } | undefined;
  for (const encounter of encounters) {
    if (encounter.status === 'cancelled' || encounter.status === 'entered-in-error') {
      continue;
    }
    const start = parseInstant(encounter.period?.start)?.getTime() ?? Number.NEGATIVE_INFINITY;
    if (!best || start > best.start || (start === best.start && (encounter.id ?? '') > (best.encounter.id ?? ''))) {
      best = { encounter, start };
    }
  }
  return best?.encounter;
}

/** The patient's lists under their snapshot names (`Condition` → `conditions`, `Encounter` → `encounters`). */
function listsByName(index: PatientIndex): ListsByName<ListedType> {
  // Each list holds resources of its own type only: the index keeps one list per type.
  return Object.fromEntries(
    listedTypes.map((type) => [listNameOf(type), index.lists[type]]),
  ) as unknown as ListsByName<ListedType>;
}

/**
 * The snapshot for one encounter of an indexed patient (the most recent one when `encounterId` is undefined):
 * the patient's lists plus the resources linked to that encounter.
 */
export function focusSnapshot(index: PatientIndex, encounterId: string | undefined): PatientSnapshot {
  const { lists, canonicalKey } = index;
  const encounter =
    encounterId !== undefined
      ? lists.Encounter.find((e) => e.id === encounterId)
      : mostRecentEncounter(lists.Encounter);
  const encounterReference =
    encounterId !== undefined
      ? `Encounter/${encounterId}`
      : encounter?.id !== undefined
        ? `Encounter/${encounter.id}`
        : undefined;

  // JUDGMENT: a resource with no encounter link still belongs to this encounter when it happened on the
  // encounter's day(s); many EHRs do not set MedicationAdministration.context (mCODE examples omit it).
  const encounterStartDay = dayOf(encounter?.period?.start);
  const encounterEndDay = dayOf(encounter?.period?.end) ?? encounterStartDay;
  const thisEncounter = index.linkedTo(encounterReference, encounterStartDay, encounterEndDay);

  const resolve: PatientSnapshot['resolve'] = (reference, from) => {
    const ref = reference?.reference;
    if (ref === undefined) {
      return undefined;
    }
    if (ref.startsWith('#')) {
      const contained = from?.contained?.find(
        (c) => typeof c === 'object' && c !== null && (c as { id?: unknown }).id === ref.slice(1),
      );
      const checked = checkResource(contained);
      return checked?.ok ? checked.resource : undefined;
    }
    const key = canonicalKey(ref);
    return key === undefined ? undefined : index.byKey(key);
  };

  const medicationCache = new Map<MedicationUser, Medication | undefined>();
  const medicationOf = (user: MedicationUser): Medication | undefined => {
    if (medicationCache.has(user)) {
      return medicationCache.get(user);
    }
    const resolved = resolve(user.medicationReference, user);
    const medication = resolved?.resourceType === 'Medication' ? resolved : undefined;
    medicationCache.set(user, medication);
    return medication;
  };

  return {
    patientId: index.patientId,
    encounterReference,
    encounter,
    ...listsByName(index),
    thisEncounter,
    unavailable: index.unavailable,
    resolve,
    medicationOf,
  };
}
