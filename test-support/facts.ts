import type { ChargeItem, CodeableConcept, Encounter, Extension, MedicationAdministration, Resource } from 'fhir/r4.js';
import { encounterFacts, type EncounterFacts } from '../src/facts/encounter-facts.js';
import type { AdministrationFact } from '../src/facts/administrations.js';
import { buildSnapshot } from '../src/fhir/snapshot.js';
import { anEncounter, anInfusion } from './builders.js';
import { terminology } from './rules.js';

/*
 * The facts layer on hand-made resources, as the engine builds it: the real snapshot (buildSnapshot) and the real
 * terminology (terminology/*.json), nothing mocked. The encounter is builders.ts's anEncounter() unless given
 * (enc-1, in progress, 2025-03-04T09:00-05:00, start only).
 */

export { terminology };

export function factsOf(resources: readonly Resource[], encounter: Encounter = anEncounter()): EncounterFacts {
  const { snapshot } = buildSnapshot({
    patientId: 'pat-1',
    encounterId: encounter.id,
    resources: [encounter, ...resources].map((resource) => ({ resource })),
  });
  return encounterFacts(snapshot, terminology);
}

/** The one administration of the encounter (fails the test if there is not exactly one). */
export function onlyAdministration(facts: EncounterFacts): AdministrationFact {
  const list = facts.administrations;
  if (list.length !== 1 || list[0] === undefined) {
    throw new Error(`expected one administration, got ${list.length}`);
  }
  return list[0];
}

/** builders.ts's anInfusion() (IV carboplatin 10:00-10:45 -05:00) with its drug, route or times replaced. */
export function anAdministrationWith(
  overrides: Partial<MedicationAdministration>,
  drop: readonly ('medicationCodeableConcept' | 'effectivePeriod' | 'dosage')[] = [],
): MedicationAdministration {
  const { medicationCodeableConcept, effectivePeriod, dosage, ...rest } = { ...anInfusion(), ...overrides };
  return {
    ...rest,
    ...(medicationCodeableConcept !== undefined && !drop.includes('medicationCodeableConcept')
      ? { medicationCodeableConcept }
      : {}),
    ...(effectivePeriod !== undefined && !drop.includes('effectivePeriod') ? { effectivePeriod } : {}),
    ...(dosage !== undefined && !drop.includes('dosage') ? { dosage } : {}),
  };
}

/** The single administration's facts for one administration (plus any other resources it references). */
export function administrationOf(
  administration: MedicationAdministration,
  others: readonly Resource[] = [],
): AdministrationFact {
  return onlyAdministration(factsOf([administration, ...others]));
}

/** Oracle Health's per-tenant billing code systems (fhir.cerner.com R4 ChargeItem; code-systems.json aliasPatterns). */
export const ORACLE_TENANT = 'https://fhir.cerner.com/ec2458f2-1e24-41c8-b71b-0e701af7583d/CodeSystem';
const ORACLE_PROCEDURE_CODE = 'https://fhir-ehr.cerner.com/r4/StructureDefinition/procedure-code';
const ORACLE_MODIFIER_CODE = 'https://fhir-ehr.cerner.com/r4/StructureDefinition/modifier-code';
export const ORACLE_PRIORITY = 'https://fhir-ehr.cerner.com/r4/StructureDefinition/priority';

export interface ChargeOptions {
  readonly id?: string;
  readonly status?: ChargeItem['status'];
  readonly modifiers?: readonly string[];
  readonly units?: number;
  /** ICD-10-CM reasons with their Oracle priority (1 = first-listed), under BillCodes-ICD. */
  readonly reasons?: readonly (readonly [code: string, priority: number | undefined])[];
  /** References for ChargeItem.service (the administration it bills). */
  readonly service?: readonly string[];
  readonly encounter?: string;
}

/**
 * An Oracle Health ChargeItem of enc-1 as README "cerner" shows it (the s01 cerner.json ChargeItem): the CPT in the
 * procedure-code extension, modifiers in modifier-code extensions, the charge-master item in `code`.
 */
export function aChargeItem(cpt: string, options: ChargeOptions = {}): ChargeItem {
  const codeExtension = (url: string, system: string, value: string): Extension => ({
    url,
    extension: [
      { url: 'code', valueCodeableConcept: { coding: [{ system: `${ORACLE_TENANT}/${system}`, code: value }] } },
      { url: ORACLE_PRIORITY, valueUnsignedInt: 1 },
    ],
  });
  const reasons = (options.reasons ?? []).map(([code, priority]): CodeableConcept => ({
    coding: [{ system: `${ORACLE_TENANT}/BillCodes-ICD`, code }],
    ...(priority !== undefined ? { extension: [{ url: ORACLE_PRIORITY, valueUnsignedInt: priority }] } : {}),
  }));
  return {
    resourceType: 'ChargeItem',
    id: options.id ?? `charge-${cpt}`,
    extension: [
      codeExtension(ORACLE_PROCEDURE_CODE, 'BillCodes-CPT', cpt),
      ...(options.modifiers ?? []).map((m) => codeExtension(ORACLE_MODIFIER_CODE, 'BillCodes-MODIFIER', m)),
    ],
    status: options.status ?? 'billable',
    code: { coding: [{ system: `${ORACLE_TENANT}/BillCodes-CDM_SCHED`, code: '1010500' }] },
    subject: { reference: 'Patient/pat-1' },
    context: { reference: options.encounter ?? 'Encounter/enc-1' },
    occurrenceDateTime: '2025-03-04T15:00:00Z',
    ...(options.units !== undefined ? { quantity: { value: options.units } } : {}),
    ...(reasons.length > 0 ? { reason: reasons } : {}),
    ...(options.service !== undefined ? { service: options.service.map((reference) => ({ reference })) } : {}),
  };
}
