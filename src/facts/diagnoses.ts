import type { CodeableConcept, Condition } from 'fhir/r4.js';
import { overlaps, toInterval, type Interval } from '../fhir/intervals.js';
import type { PatientSnapshot } from '../fhir/snapshot.js';
import type { Terminology, ValueSetId } from '../terminology/terminology.js';
import { SYSTEM } from '../terminology/systems.js';

/*
 * Conditions and the encounter's diagnoses, as real records send them:
 * - ICD-10-CM dotted (C50.911) or not (C50911), under http://hl7.org/fhir/sid/icd-10-cm or its OID
 *   urn:oid:2.16.840.1.113883.6.90 (code-systems.json); Epic and Oracle Health send the ICD-10-CM coding beside
 *   SNOMED CT and their own (IMO) codes, in any order.
 * - The encounter's diagnoses from a draft Claim's `diagnosis` (ordered by `sequence`: what will be billed), from
 *   Oracle Health ChargeItems' `reason` (ordered by their priority extension; fhir.cerner.com R4 ChargeItem), from
 *   `Encounter.diagnosis` (ordered by `rank`, with `use` such as billing or admission; US Core and Epic), or from
 *   Conditions that name the encounter (`Condition.encounter`; US Core encounter-diagnosis category), unordered.
 * - Problem-list and health-concern Conditions (US Core categories, under the HL7 or the US Core code system).
 * - `clinicalStatus` coded in the HL7 code system, coded with no system, or only as text ("Active"), as some
 *   interfaces send it.
 */

export interface ConditionFact {
  readonly condition: Condition;
  readonly reference: string;
  /** Normalised dotted ICD-10-CM code, when the Condition carries one. */
  readonly icd10: string | undefined;
  readonly clinicalStatus: string | undefined;
  /** Not refuted and not entered in error. */
  readonly asserted: boolean;
  /** clinicalStatus active, recurrence or relapse. */
  readonly active: boolean;
  readonly problemList: boolean;
  readonly encounterDiagnosis: boolean;
  /** Onset to abatement; undefined when the end is unknown for an inactive condition (QICoreCommon). */
  readonly prevalence: Interval | undefined;
}

/** One ICD-10-CM diagnosis of the encounter, in billed order when the record gives one. */
export interface EncounterDiagnosis {
  readonly code: string;
  /** 1 = first-listed; undefined when the source gives no order. */
  readonly rank: number | undefined;
  readonly reference: string;
  readonly condition: Condition | undefined;
}

const clinicalStatuses = new Set(['active', 'recurrence', 'relapse', 'inactive', 'remission', 'resolved']);
const activeStatuses = new Set(['active', 'recurrence', 'relapse']);
const excludedVerification = new Set(['refuted', 'entered-in-error']);
const problemListCategories = new Set(['problem-list-item', 'health-concern']);

function statusOf(concept: CodeableConcept | undefined, system: string): string | undefined {
  const codings = concept?.coding ?? [];
  const coded =
    codings.find((c) => c.system === system || c.system === undefined)?.code ??
    codings.find((c) => c.code !== undefined && clinicalStatuses.has(c.code.toLowerCase()))?.code;
  const value = coded ?? concept?.text;
  return value?.trim().toLowerCase();
}

export function icd10Of(concept: CodeableConcept | undefined, terminology: Terminology): string | undefined {
  for (const coding of concept?.coding ?? []) {
    const normal = terminology.normalise(coding);
    if (normal?.system === SYSTEM.icd10cm) {
      return normal.code;
    }
  }
  return undefined;
}

function categoryCodes(condition: Condition): string[] {
  return (condition.category ?? []).flatMap((c) => [
    ...(c.coding ?? []).map((x) => (x.code ?? '').toLowerCase()),
    ...(c.text !== undefined ? [c.text.trim().toLowerCase().replace(/\s+/g, '-')] : []),
  ]);
}

export function conditionFact(condition: Condition, terminology: Terminology): ConditionFact {
  const clinicalStatus = statusOf(condition.clinicalStatus, SYSTEM.conditionClinical);
  const verification = statusOf(condition.verificationStatus, SYSTEM.conditionVerification);
  const active = clinicalStatus !== undefined && activeStatuses.has(clinicalStatus);
  const categories = categoryCodes(condition);
  const onset = toInterval(condition.onsetDateTime, condition.onsetPeriod);
  const abatement = toInterval(condition.abatementDateTime, condition.abatementPeriod);
  const low = onset?.low ?? Number.NEGATIVE_INFINITY;
  return {
    condition,
    reference: `Condition/${condition.id ?? ''}`,
    icd10: icd10Of(condition.code, terminology),
    clinicalStatus,
    asserted: verification === undefined || !excludedVerification.has(verification),
    active,
    problemList: categories.some((c) => problemListCategories.has(c)),
    encounterDiagnosis: categories.includes('encounter-diagnosis'),
    prevalence: active
      ? { low, high: abatement?.high ?? Number.POSITIVE_INFINITY }
      : abatement
        ? { low, high: abatement.high }
        : undefined,
  };
}

/** True when the condition's prevalence overlaps the interval. */
export function prevalentDuring(fact: ConditionFact, interval: Interval): boolean {
  return fact.prevalence !== undefined && overlaps(fact.prevalence, interval);
}

const ORACLE_PRIORITY = 'https://fhir-ehr.cerner.com/r4/StructureDefinition/priority';

/** The priority extension Oracle Health puts on each ChargeItem reason (1 = first-listed). */
function priorityOf(concept: CodeableConcept): number | undefined {
  const extensions = (concept as { extension?: unknown }).extension;
  if (!Array.isArray(extensions)) {
    return undefined;
  }
  for (const extension of extensions as { url?: unknown; valueUnsignedInt?: unknown; valueInteger?: unknown }[]) {
    const value = extension.valueUnsignedInt ?? extension.valueInteger;
    if (extension.url === ORACLE_PRIORITY && typeof value === 'number' && Number.isInteger(value)) {
      return value;
    }
  }
  return undefined;
}

function byRank(a: EncounterDiagnosis, b: EncounterDiagnosis): number {
  return (a.rank ?? Infinity) - (b.rank ?? Infinity);
}

/**
 * The encounter's ICD-10-CM diagnoses. Authority, most to least: the draft Claim's `diagnosis`; `Encounter.diagnosis`;
 * Conditions linked to the encounter. JUDGMENT: sequencing rules only run when a rank is given.
 */
export function encounterDiagnoses(
  snapshot: PatientSnapshot,
  terminology: Terminology,
  factOf: (condition: Condition) => ConditionFact,
): EncounterDiagnosis[] {
  for (const claim of snapshot.thisEncounter.claims) {
    if (claim.status === 'cancelled' || claim.status === 'entered-in-error') {
      continue;
    }
    const fromClaim = (claim.diagnosis ?? []).flatMap((d): EncounterDiagnosis[] => {
      const referenced = snapshot.resolve(d.diagnosisReference);
      const condition = referenced?.resourceType === 'Condition' ? referenced : undefined;
      const code =
        icd10Of(d.diagnosisCodeableConcept, terminology) ?? (condition ? factOf(condition).icd10 : undefined);
      return code === undefined ? [] : [{ code, rank: d.sequence, reference: `Claim/${claim.id ?? ''}`, condition }];
    });
    if (fromClaim.length > 0) {
      return fromClaim.sort(byRank);
    }
  }
  const fromCharges = new Map<string, EncounterDiagnosis>();
  for (const charge of snapshot.thisEncounter.chargeItems) {
    for (const reason of charge.reason ?? []) {
      const code = icd10Of(reason, terminology);
      const rank = priorityOf(reason);
      const known = code === undefined ? undefined : fromCharges.get(code);
      if (code !== undefined && (known === undefined || (rank ?? Infinity) < (known.rank ?? Infinity))) {
        fromCharges.set(code, { code, rank, reference: `ChargeItem/${charge.id ?? ''}`, condition: undefined });
      }
    }
  }
  if (fromCharges.size > 0) {
    return [...fromCharges.values()].sort(byRank);
  }
  const fromEncounter = (snapshot.encounter?.diagnosis ?? []).flatMap((d): EncounterDiagnosis[] => {
    const referenced = snapshot.resolve(d.condition);
    if (referenced?.resourceType !== 'Condition') {
      return [];
    }
    const fact = factOf(referenced);
    return !fact.asserted || fact.icd10 === undefined
      ? []
      : [{ code: fact.icd10, rank: d.rank, reference: fact.reference, condition: referenced }];
  });
  if (fromEncounter.length > 0) {
    return fromEncounter.sort(byRank);
  }
  return snapshot.thisEncounter.conditions.flatMap((condition) => {
    const fact = factOf(condition);
    return !fact.asserted || fact.icd10 === undefined
      ? []
      : [{ code: fact.icd10, rank: undefined, reference: fact.reference, condition }];
  });
}

/** The diagnoses with helpers the DX rules ask with. */
export interface EncounterCoding {
  readonly diagnoses: readonly EncounterDiagnosis[];
  is(diagnosis: EncounterDiagnosis, valueSet: ValueSetId): boolean;
  having(valueSet: ValueSetId): EncounterDiagnosis[];
  hasCode(code: string): boolean;
  /** The first-listed diagnosis, when the record gives an order. */
  readonly firstListed: EncounterDiagnosis | undefined;
}

export function encounterCoding(diagnoses: readonly EncounterDiagnosis[], terminology: Terminology): EncounterCoding {
  const is = (d: EncounterDiagnosis, valueSet: ValueSetId): boolean =>
    terminology.has(valueSet, { system: SYSTEM.icd10cm, code: d.code });
  const first = diagnoses[0];
  return {
    diagnoses,
    is,
    having: (valueSet) => diagnoses.filter((d) => is(d, valueSet)),
    hasCode: (code) => diagnoses.some((d) => d.code === code),
    firstListed: first?.rank === undefined ? undefined : first,
  };
}
