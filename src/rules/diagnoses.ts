import type { Condition } from 'fhir/r4.js';
import { perSnapshot } from './per-snapshot.js';
import type { PatientSnapshot } from '../fhir/snapshot.js';
import type { Terminology, ValueSetId } from '../terminology/terminology.js';
import { SYSTEM } from '../terminology/systems.js';

/** One ICD-10-CM diagnosis of the encounter, in billed order when the record gives one. */
export interface EncounterDiagnosis {
  /** Normalised dotted ICD-10-CM code. */
  readonly code: string;
  /** 1 = first-listed; undefined when the source gives no order. */
  readonly rank: number | undefined;
  readonly reference: string;
  readonly condition: Condition | undefined;
}

function icd10Of(concept: Condition['code'], terminology: Terminology): string | undefined {
  for (const coding of concept?.coding ?? []) {
    const normal = terminology.normalise(coding);
    if (normal?.system === SYSTEM.icd10cm) {
      return normal.code;
    }
  }
  return undefined;
}

export function conditionIcd10(condition: Condition, terminology: Terminology): string | undefined {
  return icd10Of(condition.code, terminology);
}

function categoryCodes(condition: Condition): string[] {
  return (condition.category ?? []).flatMap((c) => (c.coding ?? []).map((x) => x.code ?? ''));
}

export function isEncounterDiagnosisOnly(condition: Condition): boolean {
  const categories = categoryCodes(condition);
  return (
    categories.includes('encounter-diagnosis') &&
    !categories.some((c) => c === 'problem-list-item' || c === 'health-concern')
  );
}

export function isProblemListEntry(condition: Condition): boolean {
  return categoryCodes(condition).some((c) => c === 'problem-list-item' || c === 'health-concern');
}

const excludedVerification = new Set(['refuted', 'entered-in-error']);

/** Not refuted and not entered in error (verificationStatus), whatever the clinical status. */
export function isAssertedCondition(condition: Condition): boolean {
  const status = condition.verificationStatus?.coding?.[0]?.code;
  return status === undefined || !excludedVerification.has(status);
}

/**
 * The encounter's ICD-10-CM diagnoses. Authority, most to least: the draft Claim's `diagnosis` (what will be billed,
 * ordered by `sequence`); `Encounter.diagnosis` (ordered by `rank`); Conditions linked to the encounter (no order).
 * JUDGMENT: sequencing rules only run when a rank is given.
 */
export function encounterDiagnoses(snapshot: PatientSnapshot, terminology: Terminology): EncounterDiagnosis[] {
  return perSnapshot(snapshot, 'encounterDiagnoses', () => computeEncounterDiagnoses(snapshot, terminology));
}

function computeEncounterDiagnoses(snapshot: PatientSnapshot, terminology: Terminology): EncounterDiagnosis[] {
  for (const claim of snapshot.thisEncounter.claims) {
    if (claim.status === 'cancelled' || claim.status === 'entered-in-error') {
      continue;
    }
    const fromClaim = (claim.diagnosis ?? []).flatMap((d): EncounterDiagnosis[] => {
      const referenced = snapshot.resolve(d.diagnosisReference);
      const condition = referenced?.resourceType === 'Condition' ? referenced : undefined;
      const code =
        icd10Of(d.diagnosisCodeableConcept, terminology) ??
        (condition ? conditionIcd10(condition, terminology) : undefined);
      return code === undefined ? [] : [{ code, rank: d.sequence, reference: `Claim/${claim.id ?? ''}`, condition }];
    });
    if (fromClaim.length > 0) {
      return fromClaim.sort((a, b) => (a.rank ?? Infinity) - (b.rank ?? Infinity));
    }
  }
  const fromEncounter = (snapshot.encounter?.diagnosis ?? []).flatMap((d): EncounterDiagnosis[] => {
    const referenced = snapshot.resolve(d.condition);
    if (referenced?.resourceType !== 'Condition' || !isAssertedCondition(referenced)) {
      return [];
    }
    const code = conditionIcd10(referenced, terminology);
    return code === undefined
      ? []
      : [{ code, rank: d.rank, reference: `Condition/${referenced.id ?? ''}`, condition: referenced }];
  });
  if (fromEncounter.length > 0) {
    return fromEncounter.sort((a, b) => (a.rank ?? Infinity) - (b.rank ?? Infinity));
  }
  return snapshot.thisEncounter.conditions.filter(isAssertedCondition).flatMap((condition) => {
    const code = conditionIcd10(condition, terminology);
    return code === undefined
      ? []
      : [{ code, rank: undefined, reference: `Condition/${condition.id ?? ''}`, condition }];
  });
}

export function diagnosesIn(
  diagnoses: readonly EncounterDiagnosis[],
  terminology: Terminology,
  valueSet: ValueSetId,
): EncounterDiagnosis[] {
  return diagnoses.filter((d) => terminology.has(valueSet, { system: SYSTEM.icd10cm, code: d.code }));
}

export function firstListed(diagnoses: readonly EncounterDiagnosis[]): EncounterDiagnosis | undefined {
  const first = diagnoses[0];
  return first?.rank === undefined ? undefined : first;
}
