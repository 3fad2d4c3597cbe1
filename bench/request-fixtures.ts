import type { FhirResource } from 'fhir/r4.js';
import { anEncounter, anInfusion, encounterSignRequest, searchset } from '../test-support/builders.js';

/*
 * Realistic encounter-sign requests for the benchmarks, built deterministically: a patient with a few years of
 * oncology history (conditions, chemotherapy cycles, pain scores, visits), each resource with a generated narrative
 * as EHRs send them, so that size and shape are those of a real prefetch.
 */

const narrative = (label: string, words: number) => ({
  status: 'generated' as const,
  div: `<div xmlns="http://www.w3.org/1999/xhtml"><p>${label}</p><p>${'Documented by the care team during the visit. '.repeat(words)}</p></div>`,
});

function history(resources: number, narrativeWords: number): FhirResource[] {
  const out: FhirResource[] = [];
  const patient = { reference: 'Patient/pat-1' };
  for (let i = 0; out.length < resources; i += 1) {
    const day = `20${String(22 + Math.floor(i / 120)).padStart(2, '0')}-${String((i % 12) + 1).padStart(2, '0')}-${String((i % 27) + 1).padStart(2, '0')}`;
    const kind = i % 5;
    if (kind === 0) {
      out.push({
        ...anEncounter({
          id: `hist-enc-${String(i)}`,
          period: { start: `${day}T09:00:00Z`, end: `${day}T10:00:00Z` },
          status: 'finished',
        }),
        text: narrative('Visit', narrativeWords),
      });
    } else if (kind === 1) {
      out.push({
        ...anInfusion({
          id: `hist-ma-${String(i)}`,
          context: { reference: `Encounter/hist-enc-${String(i - 1)}` },
          effectivePeriod: { start: `${day}T09:10:00Z`, end: `${day}T10:05:00Z` },
        }),
        text: narrative('Infusion', narrativeWords),
      });
    } else if (kind === 2) {
      out.push({
        resourceType: 'Procedure',
        id: `hist-proc-${String(i)}`,
        status: 'completed',
        subject: patient,
        encounter: { reference: `Encounter/hist-enc-${String(i - 2)}` },
        code: { coding: [{ system: 'http://www.ama-assn.org/go/cpt', code: '96413' }] },
        performedDateTime: `${day}T09:10:00Z`,
        text: narrative('Chemotherapy administration', narrativeWords),
      });
    } else if (kind === 3) {
      out.push({
        resourceType: 'Observation',
        id: `hist-obs-${String(i)}`,
        status: 'final',
        subject: patient,
        code: { coding: [{ system: 'http://loinc.org', code: '72514-3' }] },
        effectiveDateTime: `${day}T09:05:00Z`,
        valueQuantity: { value: i % 7, unit: '{score}' },
        text: narrative('Pain score', narrativeWords),
      });
    } else {
      out.push({
        resourceType: 'Condition',
        id: `hist-cond-${String(i)}`,
        subject: patient,
        clinicalStatus: {
          coding: [
            {
              system: 'http://terminology.hl7.org/CodeSystem/condition-clinical',
              code: i % 2 === 0 ? 'active' : 'resolved',
            },
          ],
        },
        category: [
          {
            coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-category', code: 'problem-list-item' }],
          },
        ],
        code: { coding: [{ system: 'http://hl7.org/fhir/sid/icd-10-cm', code: i % 2 === 0 ? 'C50.912' : 'R52' }] },
        onsetDateTime: day,
        text: narrative('Condition', narrativeWords),
      });
    }
  }
  return out;
}

/** An encounter-sign request whose prefetch holds `resources` resources (plus the visit and its infusion). */
export function benchRequest(resources: number, narrativeWords: number): Record<string, unknown> {
  const past = history(resources, narrativeWords);
  const ofType = (type: string) => past.filter((r) => r.resourceType === type);
  return encounterSignRequest({
    administrations: [
      ...(ofType('MedicationAdministration') as never[]),
      anInfusion({ id: 'today', effectivePeriod: { start: '2025-03-04T10:00:00-05:00' } }),
    ],
    prefetch: {
      encounters: searchset(ofType('Encounter')),
      conditions: searchset(ofType('Condition')),
      procedures: searchset(ofType('Procedure')),
      painScores: searchset(ofType('Observation')),
      carePlans: null,
      medicationRequests: null,
      serviceRequests: null,
    },
  });
}

/** ~300 resources, ~0.5 MB; ~20 resources, ~45 KB (the two request sizes). */
export const LARGE = (): Record<string, unknown> => benchRequest(300, 30);
export const SMALL = (): Record<string, unknown> => benchRequest(20, 40);
