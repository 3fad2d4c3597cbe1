import type {
  CarePlan,
  Claim,
  ClaimItem,
  CodeableConcept,
  Condition,
  Encounter,
  Extension,
  Medication,
  MedicationAdministration,
  MedicationRequest,
  Procedure,
  Reference,
  Resource,
} from 'fhir/r4.js';
import { expect } from 'vitest';
import type { RuleSettings } from '../src/config/rule-settings.js';
import type { Finding, Rule } from '../src/rules/types.js';
import {
  anEncounter,
  ATC,
  CARBOPLATIN,
  concept,
  CPT,
  ENCOUNTER,
  HCPCS,
  ICD10,
  PATIENT,
  RXNORM,
  SNOMED,
} from './builders.js';
import { evaluateRule, onlyFinding } from './rules.js';

/*
 * Builders for the INF-002..020 table tests: plain FHIR R4 objects for patient pat-1 around encounter enc-1 (the visit
 * builders.ts's anEncounter() makes: 2025-03-04, -05:00, start only). Times are written as minutes after T0 =
 * 2025-03-04T10:00:00-05:00, so a case reads as "0 to 45" and durations are exact. Ids are fixed so evidence can be
 * asserted. Codes are those of terminology/medication-administration.json and oncology-coding.json.
 */

export { ATC, CARBOPLATIN, concept, CPT, ENCOUNTER, HCPCS, ICD10, PATIENT, RXNORM, SNOMED };

const UCUM = 'http://unitsofmeasure.org';

/** The documented extension for a discarded amount (discovery/hooks/encounter-sign.md, "Discarded drug amounts"). */
export const DISCARDED_QUANTITY_URL = 'urn:oncosign:fhir:extension:discarded-quantity';
/** mCODE procedure intent (oncology-rules.md 0.1). */
export const MCODE_INTENT_URL = 'http://hl7.org/fhir/us/mcode/StructureDefinition/mcode-procedure-intent';

export const VISIT_DAY = '2025-03-04';

// ---------------------------------------------------------------------------------------------------------------
// Time

const T0_MS = Date.parse('2025-03-04T10:00:00-05:00');
const OFFSET_MS = 5 * 3_600_000;

/** The dateTime `minutes` after T0 (2025-03-04T10:00:00-05:00), written in the -05:00 offset. */
export function at(minutes: number): string {
  const wall = new Date(T0_MS + minutes * 60_000 - OFFSET_MS);
  return `${wall.toISOString().slice(0, 19)}-05:00`;
}

// ---------------------------------------------------------------------------------------------------------------
// Codes

export const ROUTES = {
  iv: concept(SNOMED, '47625008', 'Intravenous route'),
  ia: concept(SNOMED, '58100008', 'Intra-arterial route'),
  sc: concept(SNOMED, '34206005', 'Subcutaneous route'),
  im: concept(SNOMED, '78421000', 'Intramuscular route'),
  oral: concept(SNOMED, '26643006', 'Oral route'),
} as const;
export type RouteName = keyof typeof ROUTES;

export const PUSH_METHOD = concept(SNOMED, '420620005', 'Push - dosing instruction imperative');

export const PACLITAXEL = concept(RXNORM, '56946', 'paclitaxel');
export const GEMCITABINE = concept(RXNORM, '12574', 'gemcitabine');
export const FLUOROURACIL = concept(RXNORM, '4492', 'fluorouracil');
/** Carboplatin as billed: RxNorm ingredient first (its identity for INF-008), HCPCS J9045 second. */
export const CARBOPLATIN_J9045: CodeableConcept = {
  coding: [
    { system: RXNORM, code: '40048', display: 'carboplatin' },
    { system: HCPCS, code: 'J9045', display: 'Injection, carboplatin, 50 mg' },
  ],
};
/** Bortezomib by ATC L01XG01 only: a non-hormonal antineoplastic given SC (96401). */
export const BORTEZOMIB_ATC = concept(ATC, 'L01XG01', 'bortezomib');
export const FULVESTRANT_ATC = concept(ATC, 'L02BA03', 'fulvestrant');
export const FULVESTRANT_RXNORM = concept(RXNORM, '282357', 'fulvestrant');
export const FULVESTRANT_J9395 = concept(HCPCS, 'J9395', 'Injection, fulvestrant, 25 mg');
export const CAPECITABINE_ATC = concept(ATC, 'L01BC06', 'capecitabine');
/** Hydration: sodium chloride 0.9% (RxNorm 313002, hydration-fluid). */
export const SALINE = concept(RXNORM, '313002', 'Sodium Chloride 0.9% injectable solution');
/** Supportive: ondansetron (RxNorm 26225, supportive-oncology-drug). */
export const ONDANSETRON = concept(RXNORM, '26225', 'ondansetron');
/** On none of the lists: vancomycin (RxNorm 11124). */
export const VANCOMYCIN = concept(RXNORM, '11124', 'vancomycin');

// ---------------------------------------------------------------------------------------------------------------
// MedicationAdministration

export interface AdministrationOptions {
  readonly drug?: CodeableConcept;
  /** Minutes after T0; default 0; null leaves the start out. */
  readonly start?: number | null;
  /** Minutes after T0; default 45; null leaves the end out. */
  readonly end?: number | null;
  /** Replaces effectivePeriod with effectiveDateTime (e.g. a date-only '2025-03-04'). */
  readonly effectiveDateTime?: string;
  /** No effective[x] at all. */
  readonly noEffective?: boolean;
  readonly status?: MedicationAdministration['status'];
  /** Default 'iv'; null leaves dosage.route out. */
  readonly route?: RouteName | null;
  /** dosage.method = push (SNOMED 420620005). */
  readonly push?: boolean;
  /** Dose in mg; default 450; null leaves dosage.dose out. */
  readonly dose?: number | null;
  /** dosage.rateQuantity; default true. */
  readonly rate?: boolean;
  /** MedicationAdministration.device: a pump. */
  readonly device?: boolean;
  /** dosage.site, as text ("left forearm"). */
  readonly site?: string;
  /** The drug on a contained Medication ('#med') with batch lot/expiry, instead of medicationCodeableConcept. */
  readonly contained?: { readonly lot?: string; readonly expiry?: string };
  /** The discarded-quantity extension, in mg (0 documents that nothing was discarded). */
  readonly discarded?: number;
  readonly partOf?: readonly string[];
  /** Default enc-1; null leaves context out. */
  readonly encounter?: string | null;
}

/** An administration of pat-1 in enc-1: by default IV carboplatin, completed, 0 to 45 minutes, dose and rate. */
export function anAdministration(id: string, options: AdministrationOptions = {}): MedicationAdministration {
  const drug = options.drug ?? CARBOPLATIN;
  const start = options.start === undefined ? 0 : options.start;
  const end = options.end === undefined ? 45 : options.end;
  const period = {
    ...(start !== null ? { start: at(start) } : {}),
    ...(end !== null ? { end: at(end) } : {}),
  };
  const effective =
    options.noEffective === true
      ? {}
      : options.effectiveDateTime !== undefined
        ? { effectiveDateTime: options.effectiveDateTime }
        : { effectivePeriod: period };
  const route = options.route === undefined ? 'iv' : options.route;
  const dose = options.dose === undefined ? 450 : options.dose;
  const medication: Medication | undefined =
    options.contained !== undefined
      ? {
          resourceType: 'Medication',
          id: 'med',
          code: drug,
          batch: {
            ...(options.contained.lot !== undefined ? { lotNumber: options.contained.lot } : {}),
            ...(options.contained.expiry !== undefined ? { expirationDate: options.contained.expiry } : {}),
          },
        }
      : undefined;
  const extension: Extension[] =
    options.discarded !== undefined
      ? [{ url: DISCARDED_QUANTITY_URL, valueQuantity: { value: options.discarded, unit: 'mg' } }]
      : [];
  const encounter = options.encounter === undefined ? ENCOUNTER : options.encounter;
  return {
    resourceType: 'MedicationAdministration',
    id,
    status: options.status ?? 'completed',
    ...(medication !== undefined
      ? { contained: [medication], medicationReference: { reference: '#med' } }
      : { medicationCodeableConcept: drug }),
    subject: { reference: PATIENT },
    ...(encounter !== null ? { context: { reference: encounter } } : {}),
    ...effective,
    ...(extension.length > 0 ? { extension } : {}),
    ...(options.device === true ? { device: [{ reference: 'Device/pump-1' }] } : {}),
    ...(options.partOf !== undefined ? { partOf: options.partOf.map((reference) => ({ reference })) } : {}),
    dosage: {
      ...(route !== null ? { route: ROUTES[route] } : {}),
      ...(options.push === true ? { method: PUSH_METHOD } : {}),
      ...(dose !== null ? { dose: { value: dose, unit: 'mg', system: UCUM, code: 'mg' } } : {}),
      ...((options.rate ?? true) ? { rateQuantity: { value: 250, unit: 'mL/h', system: UCUM, code: 'mL/h' } } : {}),
      ...(options.site !== undefined ? { site: { text: options.site } } : {}),
    },
  };
}

/** An IV antineoplastic running from `start` to `end` minutes after T0 (default carboplatin). */
export function aChemo(
  id: string,
  start: number | null,
  end: number | null,
  options: AdministrationOptions = {},
): MedicationAdministration {
  return anAdministration(id, { start, end, ...options });
}

/** Normal saline (RxNorm 313002) IV from `start` to `end` minutes after T0. */
export function aHydration(
  id: string,
  start: number | null,
  end: number | null,
  options: AdministrationOptions = {},
): MedicationAdministration {
  return anAdministration(id, { drug: SALINE, start, end, dose: null, ...options });
}

/** Ondansetron (RxNorm 26225) IV from `start` to `end` minutes after T0. */
export function aSupportive(
  id: string,
  start: number | null,
  end: number | null,
  options: AdministrationOptions = {},
): MedicationAdministration {
  return anAdministration(id, { drug: ONDANSETRON, start, end, dose: 8, ...options });
}

export const maRef = (id: string): string => `MedicationAdministration/${id}`;

// ---------------------------------------------------------------------------------------------------------------
// Procedures (codes documented on the encounter)

export interface ProcedureOptions {
  readonly system?: string;
  readonly status?: Procedure['status'];
  /** Default enc-1. */
  readonly encounter?: string;
  /** References (e.g. 'MedicationAdministration/ma-1') for Procedure.partOf. */
  readonly partOf?: readonly string[];
  readonly reasonReference?: readonly string[];
  readonly intent?: boolean;
  /** Minutes after T0 for performedDateTime; default 0; null: the date only (no time of day). */
  readonly performedAt?: number | null;
}

/** A completed Procedure of enc-1 coded CPT (or the given system), performed at T0. */
export function aCode(id: string, code: string, options: ProcedureOptions = {}): Procedure {
  const toReferences = (references: readonly string[]): Reference[] => references.map((reference) => ({ reference }));
  return {
    resourceType: 'Procedure',
    id,
    status: options.status ?? 'completed',
    code: concept(options.system ?? CPT, code),
    subject: { reference: PATIENT },
    encounter: { reference: options.encounter ?? ENCOUNTER },
    performedDateTime: options.performedAt === null ? at(0).slice(0, 10) : at(options.performedAt ?? 0),
    ...(options.partOf !== undefined ? { partOf: toReferences(options.partOf) } : {}),
    ...(options.reasonReference !== undefined ? { reasonReference: toReferences(options.reasonReference) } : {}),
    ...(options.intent === true ? { extension: [intentExtension()] } : {}),
  };
}

export const procRef = (id: string): string => `Procedure/${id}`;

// ---------------------------------------------------------------------------------------------------------------
// Draft Claim

export interface Line {
  readonly code: string;
  /** Default CPT for five digits, HCPCS otherwise. */
  readonly system?: string;
  readonly modifiers?: readonly string[];
  /** Modifiers written as bare text ({"text":"JW"}) instead of codings. */
  readonly modifiersAsText?: boolean;
  readonly quantity?: number;
}

export interface ClaimOptions {
  readonly id?: string;
  readonly status?: Claim['status'];
  /** Default enc-1. */
  readonly encounter?: string;
}

const lineOf = (entry: string | Line): Line => (typeof entry === 'string' ? { code: entry } : entry);

/** A draft professional Claim of pat-1 whose items are the given lines, sequenced 1..n, each naming the encounter. */
export function aClaim(lines: readonly (string | Line)[], options: ClaimOptions = {}): Claim {
  const item = lines.map(lineOf).map((line, index): ClaimItem => ({
    sequence: index + 1,
    productOrService: concept(line.system ?? (/^\d{5}$/.test(line.code) ? CPT : HCPCS), line.code),
    ...(line.modifiers !== undefined && line.modifiers.length > 0
      ? {
          modifier: line.modifiers.map((m): CodeableConcept =>
            line.modifiersAsText === true ? { text: m } : { coding: [{ code: m }] },
          ),
        }
      : {}),
    ...(line.quantity !== undefined ? { quantity: { value: line.quantity } } : {}),
    servicedDate: VISIT_DAY,
    encounter: [{ reference: options.encounter ?? ENCOUNTER }],
  }));
  return {
    resourceType: 'Claim',
    id: options.id ?? 'claim-1',
    status: options.status ?? 'draft',
    type: concept('http://terminology.hl7.org/CodeSystem/claim-type', 'professional'),
    use: 'claim',
    patient: { reference: PATIENT },
    created: VISIT_DAY,
    provider: { reference: 'Practitioner/onc-7' },
    priority: concept('http://terminology.hl7.org/CodeSystem/processpriority', 'normal'),
    insurance: [{ sequence: 1, focal: true, coverage: { reference: 'Coverage/cov-1' } }],
    ...(item.length > 0 ? { item } : {}),
  };
}

/** The evidence reference of a Claim line: `Claim/<id>#<sequence>`. */
export const lineRef = (sequence: number, claimId = 'claim-1'): string => `Claim/${claimId}#${String(sequence)}`;

// ---------------------------------------------------------------------------------------------------------------
// Diagnoses, orders, plans

/** An active ICD-10-CM encounter diagnosis of enc-1. */
export function aDiagnosis(id: string, code: string): Condition {
  return {
    resourceType: 'Condition',
    id,
    subject: { reference: PATIENT },
    encounter: { reference: ENCOUNTER },
    code: concept(ICD10, code),
    category: [concept('http://terminology.hl7.org/CodeSystem/condition-category', 'encounter-diagnosis')],
    clinicalStatus: concept('http://terminology.hl7.org/CodeSystem/condition-clinical', 'active'),
  };
}

/** mCODE procedure intent, palliative (SNOMED 363676003) unless told otherwise. */
export function intentExtension(code = '363676003', display = 'Palliative'): Extension {
  return { url: MCODE_INTENT_URL, valueCodeableConcept: concept(SNOMED, code, display) };
}

/** An active order of pat-1 in enc-1 for the drug, with or without the mCODE intent extension. */
export function anOrder(id: string, drug: CodeableConcept, intent: boolean): MedicationRequest {
  return {
    resourceType: 'MedicationRequest',
    id,
    status: 'active',
    intent: 'order',
    subject: { reference: PATIENT },
    encounter: { reference: ENCOUNTER },
    authoredOn: VISIT_DAY,
    medicationCodeableConcept: drug,
    ...(intent ? { extension: [intentExtension()] } : {}),
  };
}

/** An oncology CarePlan of pat-1 with the given status, with or without the intent extension. */
export function aPlan(id: string, status: CarePlan['status'], intent: boolean): CarePlan {
  return {
    resourceType: 'CarePlan',
    id,
    status,
    intent: 'plan',
    subject: { reference: PATIENT },
    created: '2025-02-01',
    ...(intent ? { extension: [intentExtension('373808002', 'Curative')] } : {}),
  };
}

/** enc-1 starting on the given day (09:00 -05:00). */
export function encounterOn(day: string): Encounter {
  return anEncounter({ period: { start: `${day}T09:00:00-05:00` } });
}

// ---------------------------------------------------------------------------------------------------------------
// Running a rule

export interface RunOptions {
  readonly encounter?: Encounter;
  readonly settings?: Partial<RuleSettings>;
}

export { evaluateRule as run, onlyFinding };

/** A table row: a name, the case's resources, and optionally its encounter and settings. */
export interface InfCase extends RunOptions {
  readonly name: string;
  readonly resources: readonly Resource[];
}

/** A row that must fire, with the finding's expected content. */
export interface InfFiringCase extends InfCase {
  readonly variant?: string;
  readonly params: Readonly<Record<string, string>>;
  readonly evidence: readonly string[];
}

/** Asserts the single finding equals the row's ruleId, variant (or none), params and evidence. */
export function expectFinding(rule: Rule, row: InfFiringCase): Finding {
  const finding = onlyFinding(rule, row.resources, row);
  expect(finding.variant).toBe(row.variant);
  expect(finding.params).toEqual(row.params);
  expect(finding.evidence).toEqual(row.evidence);
  return finding;
}
