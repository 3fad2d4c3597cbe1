import { arrayOf, boolean, looseObject, number, optional, string } from './shape.js';

/*
 * Shape checks at the trust boundary. Prefetch, FHIR-server answers and draft resources are untrusted JSON; the rules
 * read typed @types/fhir resources. Each check covers the elements the rules read (and leaves every other element
 * alone), so a resource that passes can be read by rule code without defensive checks, and one that does not is
 * dropped and counted instead of making a rule throw. Elements R4 makes mandatory (status, Observation.code, a Claim
 * line's productOrService) are required here too, so the types the rules see tell the truth. The checks read the
 * resource as sent and never copy it (shape.ts). A rule that starts reading a new element adds it here.
 */

const coding = looseObject({
  system: optional(string),
  code: optional(string),
  display: optional(string),
});
const codeableConcept = looseObject({ coding: optional(arrayOf(coding)), text: optional(string) });
const reference = looseObject({ reference: optional(string), display: optional(string) });
const period = looseObject({ start: optional(string), end: optional(string) });
const quantity = looseObject({
  value: optional(number),
  unit: optional(string),
  system: optional(string),
  code: optional(string),
});
const base = { resourceType: string, id: optional(string) };
/** Contained resources: each is checked again by its own type's check when it is read (focus.ts). */
const containedResources = optional(arrayOf(looseObject(base)));
const extensions = optional(arrayOf(looseObject({ url: string, valueQuantity: optional(quantity) })));

/** One check per snapshot resource type; `resource-types.ts` says what else the snapshot knows about each. */
export const schemas = {
  Patient: looseObject({ ...base }),
  Encounter: looseObject({
    ...base,
    status: string,
    class: optional(coding),
    type: optional(arrayOf(codeableConcept)),
    serviceType: optional(codeableConcept),
    period: optional(period),
    subject: optional(reference),
    reasonCode: optional(arrayOf(codeableConcept)),
    diagnosis: optional(
      arrayOf(
        looseObject({
          condition: optional(reference),
          use: optional(codeableConcept),
          rank: optional(number),
        }),
      ),
    ),
  }),
  Condition: looseObject({
    ...base,
    code: optional(codeableConcept),
    clinicalStatus: optional(codeableConcept),
    verificationStatus: optional(codeableConcept),
    category: optional(arrayOf(codeableConcept)),
    subject: optional(reference),
    encounter: optional(reference),
    onsetDateTime: optional(string),
    onsetPeriod: optional(period),
    abatementDateTime: optional(string),
    abatementPeriod: optional(period),
    recordedDate: optional(string),
  }),
  Procedure: looseObject({
    ...base,
    status: string,
    code: optional(codeableConcept),
    subject: optional(reference),
    encounter: optional(reference),
    performedDateTime: optional(string),
    performedPeriod: optional(period),
    reasonReference: optional(arrayOf(reference)),
    extension: extensions,
    partOf: optional(arrayOf(reference)),
  }),
  MedicationAdministration: looseObject({
    ...base,
    status: string,
    medicationCodeableConcept: optional(codeableConcept),
    medicationReference: optional(reference),
    subject: optional(reference),
    context: optional(reference),
    effectiveDateTime: optional(string),
    effectivePeriod: optional(period),
    contained: containedResources,
    reasonReference: optional(arrayOf(reference)),
    extension: extensions,
    device: optional(arrayOf(reference)),
    partOf: optional(arrayOf(reference)),
    request: optional(reference),
    dosage: optional(
      looseObject({
        route: optional(codeableConcept),
        method: optional(codeableConcept),
        site: optional(codeableConcept),
        text: optional(string),
        dose: optional(quantity),
        rateQuantity: optional(quantity),
        rateRatio: optional(looseObject({ numerator: optional(quantity), denominator: optional(quantity) })),
      }),
    ),
  }),
  Medication: looseObject({
    ...base,
    code: optional(codeableConcept),
    batch: optional(looseObject({ lotNumber: optional(string), expirationDate: optional(string) })),
    // IV admixtures (Epic, Oracle Health): the drug may be named only on its ingredients.
    ingredient: optional(
      arrayOf(
        looseObject({
          itemCodeableConcept: optional(codeableConcept),
          itemReference: optional(reference),
          isActive: optional(boolean),
        }),
      ),
    ),
  }),
  Observation: looseObject({
    ...base,
    status: string,
    code: codeableConcept,
    subject: optional(reference),
    encounter: optional(reference),
    effectiveDateTime: optional(string),
    effectivePeriod: optional(period),
    effectiveInstant: optional(string),
    valueQuantity: optional(quantity),
    valueInteger: optional(number),
    valueCodeableConcept: optional(codeableConcept),
    valueString: optional(string),
  }),
  CarePlan: looseObject({
    ...base,
    status: string,
    intent: optional(string),
    category: optional(arrayOf(codeableConcept)),
    subject: optional(reference),
    encounter: optional(reference),
    created: optional(string),
    period: optional(period),
    addresses: optional(arrayOf(reference)),
    activity: optional(
      arrayOf(
        looseObject({
          reference: optional(reference),
          detail: optional(looseObject({ code: optional(codeableConcept), status: optional(string) })),
        }),
      ),
    ),
    extension: extensions,
  }),
  MedicationRequest: looseObject({
    ...base,
    status: string,
    intent: optional(string),
    subject: optional(reference),
    encounter: optional(reference),
    authoredOn: optional(string),
    medicationCodeableConcept: optional(codeableConcept),
    medicationReference: optional(reference),
    contained: containedResources,
    reasonCode: optional(arrayOf(codeableConcept)),
    reasonReference: optional(arrayOf(reference)),
    extension: extensions,
  }),
  ServiceRequest: looseObject({
    ...base,
    status: string,
    intent: optional(string),
    subject: optional(reference),
    encounter: optional(reference),
    authoredOn: optional(string),
    code: optional(codeableConcept),
    category: optional(arrayOf(codeableConcept)),
    reasonCode: optional(arrayOf(codeableConcept)),
    reasonReference: optional(arrayOf(reference)),
  }),
  Claim: looseObject({
    ...base,
    status: string,
    use: optional(string),
    patient: optional(reference),
    created: optional(string),
    billablePeriod: optional(period),
    diagnosis: optional(
      arrayOf(
        looseObject({
          sequence: optional(number),
          diagnosisCodeableConcept: optional(codeableConcept),
          diagnosisReference: optional(reference),
        }),
      ),
    ),
    item: optional(
      arrayOf(
        looseObject({
          sequence: optional(number),
          productOrService: codeableConcept,
          modifier: optional(arrayOf(codeableConcept)),
          quantity: optional(quantity),
          encounter: optional(arrayOf(reference)),
          servicedDate: optional(string),
          diagnosisSequence: optional(arrayOf(number)),
          extension: optional(arrayOf(looseObject({ url: string }))),
        }),
      ),
    ),
  }),
  /*
   * Oracle Health's billing resource: the CPT/HCPCS code and its modifiers sit in a procedure-code extension, the
   * diagnoses in `reason` with a priority extension (fhir.cerner.com, R4 ChargeItem). Nested extensions are checked
   * where they are read (facts/billed-codes.ts).
   */
  ChargeItem: looseObject({
    ...base,
    status: string,
    code: codeableConcept,
    subject: reference,
    context: optional(reference),
    occurrenceDateTime: optional(string),
    occurrencePeriod: optional(period),
    quantity: optional(quantity),
    reason: optional(arrayOf(codeableConcept)),
    service: optional(arrayOf(reference)),
    extension: optional(arrayOf(looseObject({ url: string }))),
  }),
};
