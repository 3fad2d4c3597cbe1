import { z } from 'zod';

/*
 * Shape checks at the trust boundary. Elements R4 makes mandatory (status, Observation.code, a Claim line's
 * productOrService) are required here too, so the @types/fhir types the rules see tell the truth. Prefetch, FHIR-server answers and draft resources are untrusted JSON; the
 * rules read typed @types/fhir resources. Each schema checks the elements the rules read (and leaves every other
 * element alone), so a resource that passes can be read by rule code without defensive checks, and one that does
 * not is dropped and counted instead of making a rule throw. A rule that starts reading a new element adds it here.
 */

const coding = z.looseObject({
  system: z.string().optional(),
  code: z.string().optional(),
  display: z.string().optional(),
});
const codeableConcept = z.looseObject({ coding: z.array(coding).optional(), text: z.string().optional() });
const reference = z.looseObject({ reference: z.string().optional(), display: z.string().optional() });
const period = z.looseObject({ start: z.string().optional(), end: z.string().optional() });
const quantity = z.looseObject({
  value: z.number().optional(),
  unit: z.string().optional(),
  system: z.string().optional(),
  code: z.string().optional(),
});
const base = { resourceType: z.string(), id: z.string().optional() };
const extensions = z.array(z.looseObject({ url: z.string(), valueQuantity: quantity.optional() })).optional();

/** One schema per snapshot resource type; `resource-types.ts` says what else the snapshot knows about each. */
export const schemas = {
  Patient: z.looseObject({ ...base }),
  Encounter: z.looseObject({
    ...base,
    status: z.string(),
    class: coding.optional(),
    type: z.array(codeableConcept).optional(),
    serviceType: codeableConcept.optional(),
    period: period.optional(),
    subject: reference.optional(),
    reasonCode: z.array(codeableConcept).optional(),
    diagnosis: z
      .array(
        z.looseObject({
          condition: reference.optional(),
          use: codeableConcept.optional(),
          rank: z.number().optional(),
        }),
      )
      .optional(),
  }),
  Condition: z.looseObject({
    ...base,
    code: codeableConcept.optional(),
    clinicalStatus: codeableConcept.optional(),
    verificationStatus: codeableConcept.optional(),
    category: z.array(codeableConcept).optional(),
    subject: reference.optional(),
    encounter: reference.optional(),
    onsetDateTime: z.string().optional(),
    onsetPeriod: period.optional(),
    abatementDateTime: z.string().optional(),
    abatementPeriod: period.optional(),
    recordedDate: z.string().optional(),
  }),
  Procedure: z.looseObject({
    ...base,
    status: z.string(),
    code: codeableConcept.optional(),
    subject: reference.optional(),
    encounter: reference.optional(),
    performedDateTime: z.string().optional(),
    performedPeriod: period.optional(),
    reasonReference: z.array(reference).optional(),
    extension: extensions,
    partOf: z.array(reference).optional(),
  }),
  MedicationAdministration: z.looseObject({
    ...base,
    status: z.string(),
    medicationCodeableConcept: codeableConcept.optional(),
    medicationReference: reference.optional(),
    subject: reference.optional(),
    context: reference.optional(),
    effectiveDateTime: z.string().optional(),
    effectivePeriod: period.optional(),
    contained: z.array(z.looseObject({ resourceType: z.string(), id: z.string().optional() })).optional(),
    reasonReference: z.array(reference).optional(),
    extension: extensions,
    device: z.array(reference).optional(),
    partOf: z.array(reference).optional(),
    request: reference.optional(),
    dosage: z
      .looseObject({
        route: codeableConcept.optional(),
        method: codeableConcept.optional(),
        site: codeableConcept.optional(),
        text: z.string().optional(),
        dose: quantity.optional(),
        rateQuantity: quantity.optional(),
        rateRatio: z.looseObject({ numerator: quantity.optional(), denominator: quantity.optional() }).optional(),
      })
      .optional(),
  }),
  Medication: z.looseObject({
    ...base,
    code: codeableConcept.optional(),
    batch: z.looseObject({ lotNumber: z.string().optional(), expirationDate: z.string().optional() }).optional(),
    // IV admixtures (Epic, Oracle Health): the drug may be named only on its ingredients.
    ingredient: z
      .array(
        z.looseObject({
          itemCodeableConcept: codeableConcept.optional(),
          itemReference: reference.optional(),
          isActive: z.boolean().optional(),
        }),
      )
      .optional(),
  }),
  Observation: z.looseObject({
    ...base,
    status: z.string(),
    code: codeableConcept,
    subject: reference.optional(),
    encounter: reference.optional(),
    effectiveDateTime: z.string().optional(),
    effectivePeriod: period.optional(),
    effectiveInstant: z.string().optional(),
    valueQuantity: quantity.optional(),
    valueInteger: z.number().optional(),
    valueCodeableConcept: codeableConcept.optional(),
    valueString: z.string().optional(),
  }),
  CarePlan: z.looseObject({
    ...base,
    status: z.string(),
    intent: z.string().optional(),
    category: z.array(codeableConcept).optional(),
    subject: reference.optional(),
    encounter: reference.optional(),
    created: z.string().optional(),
    period: period.optional(),
    addresses: z.array(reference).optional(),
    activity: z
      .array(
        z.looseObject({
          reference: reference.optional(),
          detail: z.looseObject({ code: codeableConcept.optional(), status: z.string().optional() }).optional(),
        }),
      )
      .optional(),
    extension: extensions,
  }),
  MedicationRequest: z.looseObject({
    ...base,
    status: z.string(),
    intent: z.string().optional(),
    subject: reference.optional(),
    encounter: reference.optional(),
    authoredOn: z.string().optional(),
    medicationCodeableConcept: codeableConcept.optional(),
    medicationReference: reference.optional(),
    contained: z.array(z.looseObject({ resourceType: z.string(), id: z.string().optional() })).optional(),
    reasonCode: z.array(codeableConcept).optional(),
    reasonReference: z.array(reference).optional(),
    extension: extensions,
  }),
  ServiceRequest: z.looseObject({
    ...base,
    status: z.string(),
    intent: z.string().optional(),
    subject: reference.optional(),
    encounter: reference.optional(),
    authoredOn: z.string().optional(),
    code: codeableConcept.optional(),
    category: z.array(codeableConcept).optional(),
    reasonCode: z.array(codeableConcept).optional(),
    reasonReference: z.array(reference).optional(),
  }),
  Claim: z.looseObject({
    ...base,
    status: z.string(),
    use: z.string().optional(),
    patient: reference.optional(),
    created: z.string().optional(),
    billablePeriod: period.optional(),
    diagnosis: z
      .array(
        z.looseObject({
          sequence: z.number().optional(),
          diagnosisCodeableConcept: codeableConcept.optional(),
          diagnosisReference: reference.optional(),
        }),
      )
      .optional(),
    item: z
      .array(
        z.looseObject({
          sequence: z.number().optional(),
          productOrService: codeableConcept,
          modifier: z.array(codeableConcept).optional(),
          quantity: quantity.optional(),
          encounter: z.array(reference).optional(),
          servicedDate: z.string().optional(),
          diagnosisSequence: z.array(z.number()).optional(),
          extension: z.array(z.looseObject({ url: z.string() })).optional(),
        }),
      )
      .optional(),
  }),
  /*
   * Oracle Health's billing resource: the CPT/HCPCS code and its modifiers sit in a procedure-code extension, the
   * diagnoses in `reason` with a priority extension (fhir.cerner.com, R4 ChargeItem). Nested extensions are checked
   * where they are read (facts/billed-codes.ts).
   */
  ChargeItem: z.looseObject({
    ...base,
    status: z.string(),
    code: codeableConcept,
    subject: reference,
    context: reference.optional(),
    occurrenceDateTime: z.string().optional(),
    occurrencePeriod: period.optional(),
    quantity: quantity.optional(),
    reason: z.array(codeableConcept).optional(),
    service: z.array(reference).optional(),
    extension: z.array(z.looseObject({ url: z.string() })).optional(),
  }),
};
