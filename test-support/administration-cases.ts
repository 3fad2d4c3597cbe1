import type { Encounter, MedicationAdministration, Resource } from 'fhir/r4.js';
import { loadFhirResources } from '../src/devtools/memory-fhir-server.js';
import { buildSnapshot, type PatientSnapshot } from '../src/fhir/snapshot.js';

export interface AdministrationCase {
  readonly administration: MedicationAdministration;
  readonly snapshot: PatientSnapshot;
}

/**
 * Each MedicationAdministration of a fixture folder, around an encounter made to match it (its context id, patient
 * and day), with the folder's Medications and MedicationRequests: the INF rules' view of one administration.
 */
export async function administrationCases(folder: string): Promise<AdministrationCase[]> {
  const { resources } = await loadFhirResources([folder]);
  const supporting = resources.filter(
    (r: Resource) => r.resourceType === 'Medication' || r.resourceType === 'MedicationRequest',
  );
  return resources
    .filter((r): r is MedicationAdministration => r.resourceType === 'MedicationAdministration')
    .map((administration) => {
      const patientId = administration.subject.reference?.split('/').pop() ?? 'unknown';
      const encounterId = administration.context?.reference?.split('/').pop() ?? 'visit';
      const encounter: Encounter = {
        resourceType: 'Encounter',
        id: encounterId,
        status: 'in-progress',
        class: { code: 'AMB' },
        subject: { reference: `Patient/${patientId}` },
        period: { start: administration.effectivePeriod?.start ?? administration.effectiveDateTime ?? '2020-01-01' },
      };
      const { snapshot } = buildSnapshot({
        patientId,
        encounterId,
        resources: [encounter, administration, ...supporting].map((resource) => ({ resource })),
      });
      return { administration, snapshot };
    });
}
