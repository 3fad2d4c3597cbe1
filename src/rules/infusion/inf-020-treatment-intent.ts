import type { Extension } from 'fhir/r4.js';
import type { Rule } from '../types.js';

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
  card: { default: [] },
  evaluate({ facts }) {
    const given = facts.antineoplasticsGiven;
    if (given.length === 0) {
      return [];
    }
    const documented =
      facts.orders.some((order) => hasIntent(order.request) && order.drug.drugClass === 'antineoplastic') ||
      facts.procedures.some(hasIntent) ||
      facts.carePlans.some((plan) => plan.status === 'active' && hasIntent(plan));
    if (documented) {
      return [];
    }
    return [{ params: {}, evidence: given.map((a) => a.reference) }];
  },
};
