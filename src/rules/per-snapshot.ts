import type { PatientSnapshot } from '../fhir/snapshot.js';

/*
 * Derived facts several rules read (codes on the encounter, administrations, chemotherapy around the visit, ...)
 * are pure functions of one call's snapshot; computing each once per snapshot keeps a call's cost linear in its
 * resources however many rules ask. The cache dies with the snapshot.
 */
const caches = new WeakMap<PatientSnapshot, Map<string, unknown>>();

export function perSnapshot<T>(snapshot: PatientSnapshot, key: string, compute: () => T): T {
  let cache = caches.get(snapshot);
  if (!cache) {
    cache = new Map();
    caches.set(snapshot, cache);
  }
  if (cache.has(key)) {
    return cache.get(key) as T;
  }
  const value = compute();
  cache.set(key, value);
  return value;
}

/*
 * Facts about the patient, not the encounter (every chemotherapy given, say), are shared by all snapshots focused on
 * one indexed patient; the audit focuses on each of a patient's encounters in turn. Those snapshots share their
 * patient-level lists, so the list object identifies the patient.
 */
const patientCaches = new WeakMap<object, Map<string, unknown>>();

export function perPatient<T>(snapshot: PatientSnapshot, key: string, compute: () => T): T {
  let cache = patientCaches.get(snapshot.encounters);
  if (!cache) {
    cache = new Map();
    patientCaches.set(snapshot.encounters, cache);
  }
  if (cache.has(key)) {
    return cache.get(key) as T;
  }
  const value = compute();
  cache.set(key, value);
  return value;
}
