/*
 * Reading FHIR references from untrusted JSON: the `Type/id` a reference names, and the patient a resource belongs to.
 * Nothing here fetches anything or throws on bad input.
 */

import { MAX_REFERENCE_LENGTH } from '../config/limits.js';

const resourceTypeName = /^[A-Z][A-Za-z]{1,63}$/;
const fhirIdPattern = /^[A-Za-z0-9\-.]{1,64}$/;

/** `Type/id` for any reference spelling we can resolve locally without a network call. */
export function referenceKey(reference: string | undefined): string | undefined {
  if (reference === undefined || reference === '' || reference.length > MAX_REFERENCE_LENGTH) {
    return undefined;
  }
  if (reference.startsWith('urn:uuid:') || reference.startsWith('urn:oid:')) {
    return reference;
  }
  // Split, not a regex searched from every position: untrusted references can be long (no super-linear scan).
  const parts = reference.split('/');
  const historyAt = parts.length >= 4 && parts[parts.length - 2] === '_history' ? parts.length - 2 : parts.length;
  const type = parts[historyAt - 2];
  const id = parts[historyAt - 1];
  return type !== undefined && id !== undefined && resourceTypeName.test(type) && fhirIdPattern.test(id)
    ? `${type}/${id}`
    : undefined;
}

/** Turns a reference into the key its resource is known by; `referenceKey`, or that plus the fullUrls of one input. */
export type CanonicalKey = (reference: string) => string | undefined;

/**
 * Which patient a resource belongs to, as the key of the reference naming it (`Patient/<id>`; a subject can also be a
 * Group or a Location, whose key is returned as it is). A Patient belongs to itself; any other resource to the first
 * of its `subject` and `patient` (Claim, Immunization) that holds a reference. Undefined when it names none
 * (Medication, Organization, Practitioner). Reads untrusted JSON of any resource type: the service's snapshot, the
 * audit's staging and the dev tools all decide ownership here.
 */
export function patientOf(resource: unknown, canonicalKey: CanonicalKey = referenceKey): string | undefined {
  if (typeof resource !== 'object' || resource === null) {
    return undefined;
  }
  const { resourceType, id, subject, patient } = resource as {
    resourceType?: unknown;
    id?: unknown;
    subject?: unknown;
    patient?: unknown;
  };
  const reference =
    resourceType === 'Patient'
      ? typeof id === 'string'
        ? `Patient/${id}`
        : undefined
      : (referenceIn(subject) ?? referenceIn(patient));
  return reference === undefined ? undefined : canonicalKey(reference);
}

/** The id of the Patient a resource belongs to (see `patientOf`); undefined when it belongs to none or to a Group. */
export function patientIdOf(resource: unknown, canonicalKey: CanonicalKey = referenceKey): string | undefined {
  const key = patientOf(resource, canonicalKey);
  return key?.startsWith('Patient/') === true ? key.slice('Patient/'.length) : undefined;
}

function referenceIn(value: unknown): string | undefined {
  const reference = (value as { reference?: unknown } | null | undefined)?.reference;
  return typeof reference === 'string' ? reference : undefined;
}
