import { describe, expect, it } from 'vitest';
import { indexPatient } from '../../src/fhir/snapshot.js';
import { anEncounter, anInfusion } from '../../test-support/builders.js';

/* indexPatient's `resourceTypes`: a caller that reads only some types (a measure) does not pay for the others. */

const malformedClaim = { resourceType: 'Claim', id: 'c1', patient: { reference: 'Patient/pat-1' }, item: 'not a list' };
const resources = [anEncounter(), anInfusion(), malformedClaim].map((resource) => ({ resource }));

describe('indexPatient resourceTypes', () => {
  it('keeps every snapshot type when absent, checking each', () => {
    const index = indexPatient({ patientId: 'pat-1', resources });
    expect(index.lists.Encounter).toHaveLength(1);
    expect(index.lists.MedicationAdministration).toHaveLength(1);
    expect(index.invalid.get('Claim')).toBe(1);
  });

  it('leaves the other types out before checking them', () => {
    const index = indexPatient({ patientId: 'pat-1', resources, resourceTypes: new Set(['Encounter']) });
    expect(index.lists.Encounter).toHaveLength(1);
    expect(index.lists.MedicationAdministration).toEqual([]);
    expect(index.invalid.size).toBe(0);
  });
});
