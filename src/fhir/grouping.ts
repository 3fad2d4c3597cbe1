import type { SourcedResource } from './snapshot.js';
import { referenceKey } from './snapshot.js';

/*
 * Splits a mixed set of resources (bundles, NDJSON exports) into patients, for retrospective evaluation. A resource
 * belongs to the patient its subject/patient reference names; Patient resources to themselves. urn:uuid references
 * (Synthea transactions) are resolved through the fullUrls seen. Resources naming no patient (Medication,
 * Organization, Practitioner) go to every patient, since medications are referenced from administrations.
 */

function patientReferenceOf(resource: Record<string, unknown>): string | undefined {
  if (resource.resourceType === 'Patient') {
    return typeof resource.id === 'string' ? `Patient/${resource.id}` : undefined;
  }
  for (const field of ['subject', 'patient']) {
    const value = resource[field] as { reference?: unknown } | undefined;
    if (typeof value?.reference === 'string') {
      return value.reference;
    }
  }
  return undefined;
}

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
    const raw = patientReferenceOf(r as Record<string, unknown>);
    const key = raw === undefined ? undefined : (aliases.get(raw) ?? referenceKey(raw));
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
