import type { Extension } from 'fhir/r4.js';
import type { Rule } from '../types.js';
import { antineoplasticsGivenToday } from '../treatment.js';

/*
 * INF-020 Treatment intent not documented (CLIN). JUDGMENT (seed 004 best practice; mCODE gives the structure: the
 * mcode-procedure-intent extension [S24]). Off by default, as the catalogue says. Fires when an antineoplastic is given
 * in this encounter and no intent is recorded on an antineoplastic MedicationRequest, a Procedure of the encounter,
 * or an active CarePlan of the patient (the extension, with curative 373808002 / palliative 363676003 / other intent).
 */
export const MCODE_INTENT_EXTENSION = 'http://hl7.org/fhir/us/mcode/StructureDefinition/mcode-procedure-intent';

function hasIntent(resource: { extension?: Extension[] }): boolean {
  return (resource.extension ?? []).some((e) => e.url === MCODE_INTENT_EXTENSION);
}

export const inf020TreatmentIntent: Rule = {
  id: 'INF-020',
  title: 'Treatment intent not documented',
  grounding: 'JUDGMENT',
  sources: ['mCODE procedure intent extension [S24]', 'Seed 004 (treatment intent)'],
  reads: ['MedicationAdministration', 'MedicationRequest', 'CarePlan', 'Procedure'],
  enabledByDefault: false,
  evaluate(snapshot, { terminology }) {
    const given = antineoplasticsGivenToday(snapshot, terminology);
    if (given.length === 0) {
      return [];
    }
    const documented =
      snapshot.medicationRequests.some(
        (request) =>
          hasIntent(request) &&
          terminology.match('antineoplastic-drug', request.medicationCodeableConcept?.coding) !== undefined,
      ) ||
      snapshot.thisEncounter.procedures.some(hasIntent) ||
      snapshot.carePlans.some((plan) => plan.status === 'active' && hasIntent(plan));
    if (documented) {
      return [];
    }
    return [{ ruleId: 'INF-020', params: {}, evidence: given.map((a) => `MedicationAdministration/${a.id ?? ''}`) }];
  },
};
