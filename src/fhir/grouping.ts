import { patientOf, referenceKey } from './references.js';
import type { SourcedResource } from './snapshot.js';

/*
 * Splits a mixed set of resources (bundles, NDJSON exports) into patients, for retrospective evaluation. A resource
 * belongs to the patient `patientOf` says (its subject/patient reference; a Patient to itself). urn:uuid references
 * (Synthea transactions) are resolved through the fullUrls seen. Resources naming no patient (Medication,
 * Organization, Practitioner) go to every patient, since medications are referenced from administrations.
 */

export interface PatientResources {
  readonly patientId: string;
  readonly resources: readonly SourcedResource[];
}

export function groupByPatient(resources: readonly SourcedResource[]): PatientResources[] {
  const aliases = new Map<string, string>();
  for (const { resource, fullUrl } of resources) {
    const r = resource as Record<string, unknown> | null;
    if (fullUrl !== undefined && r !== null && typeof r.resourceType === 'string' && typeof r.id === 'string') {
      aliases.set(fullUrl, `${r.resourceType}/${r.id}`);
    }
  }
  const byPatient = new Map<string, SourcedResource[]>();
  const shared: SourcedResource[] = [];
  for (const sourced of resources) {
    const r = sourced.resource;
    if (typeof r !== 'object' || r === null) {
      continue;
    }
    const key = patientOf(r, (reference) => aliases.get(reference) ?? referenceKey(reference));
    if (key === undefined || !key.startsWith('Patient/')) {
      shared.push(sourced);
      continue;
    }
    const list = byPatient.get(key) ?? [];
    list.push(sourced);
    byPatient.set(key, list);
  }
  return [...byPatient.entries()].map(([key, list]) => ({
    patientId: key.slice('Patient/'.length),
    resources: shared.length > 0 ? [...list, ...shared] : list,
  }));
}
