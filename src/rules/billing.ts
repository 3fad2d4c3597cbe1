import type { Encounter } from 'fhir/r4.js';
import { perSnapshot } from './per-snapshot.js';
import type { PatientSnapshot } from '../fhir/snapshot.js';
import type { Terminology, ValueSetId } from '../terminology/terminology.js';

/** One code on the encounter: a documented Procedure or a line of a draft Claim, with the modifiers we can see. */
export interface EncounterCode {
  readonly system: string;
  readonly code: string;
  readonly modifiers: readonly string[];
  readonly units: number | undefined;
  /** `Procedure/<id>` or `Claim/<id>` (the line's sequence follows a `#`). */
  readonly reference: string;
  readonly source: 'procedure' | 'claim' | 'encounter-type';
}

const skippedProcedureStatuses = new Set(['not-done', 'entered-in-error', 'preparation']);
/** "0521F-8P", "0521F 8P": a code written with its modifier appended, as some systems send Category II codes. */
const codeWithModifier = /^([0-9A-Z]{5})[-\s]?([0-9A-Z]{2})$/;

function splitModifier(code: string): { code: string; modifier?: string } {
  const match = codeWithModifier.exec(code.toUpperCase());
  return match?.[1] !== undefined && match[2] !== undefined ? { code: match[1], modifier: match[2] } : { code };
}

function modifierCodes(modifiers: readonly { coding?: { code?: string }[]; text?: string }[] | undefined): string[] {
  return (modifiers ?? []).flatMap((m) => {
    const codes = (m.coding ?? []).map((c) => c.code).filter((c): c is string => c !== undefined);
    return codes.length > 0 ? codes : m.text !== undefined ? [m.text] : [];
  });
}

/**
 * Every code documented on the encounter being signed: Procedure codes, draft Claim lines (with modifiers and units)
 * and, as the CMS157 data does, CPT visit codes in Encounter.type. Systems canonical, codes normalised.
 */
export function encounterCodes(snapshot: PatientSnapshot, terminology: Terminology): EncounterCode[] {
  return perSnapshot(snapshot, 'encounterCodes', () => computeEncounterCodes(snapshot, terminology));
}

function computeEncounterCodes(snapshot: PatientSnapshot, terminology: Terminology): EncounterCode[] {
  const out: EncounterCode[] = [];
  const push = (
    coding: { system?: string; code?: string },
    rest: Omit<EncounterCode, 'system' | 'code' | 'modifiers'> & { modifiers: readonly string[] },
  ): void => {
    const normal = terminology.normalise(coding);
    if (!normal) {
      return;
    }
    const { code, modifier } = splitModifier(normal.code);
    out.push({
      system: normal.system,
      code,
      ...rest,
      modifiers: modifier !== undefined ? [...rest.modifiers, modifier] : rest.modifiers,
    });
  };
  for (const procedure of snapshot.thisEncounter.procedures) {
    if (skippedProcedureStatuses.has(procedure.status)) {
      continue;
    }
    for (const coding of procedure.code?.coding ?? []) {
      push(coding, {
        modifiers: [],
        units: undefined,
        reference: `Procedure/${procedure.id ?? ''}`,
        source: 'procedure',
      });
    }
  }
  for (const claim of snapshot.thisEncounter.claims) {
    if (claim.status === 'cancelled' || claim.status === 'entered-in-error') {
      continue;
    }
    for (const item of claim.item ?? []) {
      for (const coding of item.productOrService.coding ?? []) {
        push(coding, {
          modifiers: modifierCodes(item.modifier),
          units: item.quantity?.value,
          reference: `Claim/${claim.id ?? ''}#${String(item.sequence)}`,
          source: 'claim',
        });
      }
    }
  }
  const encounter: Encounter | undefined = snapshot.encounter;
  for (const coding of (encounter?.type ?? []).flatMap((t) => t.coding ?? [])) {
    push(coding, {
      modifiers: [],
      units: undefined,
      reference: `Encounter/${encounter?.id ?? ''}`,
      source: 'encounter-type',
    });
  }
  return out;
}

export function codesIn(
  codes: readonly EncounterCode[],
  terminology: Terminology,
  valueSet: ValueSetId,
): EncounterCode[] {
  return codes.filter((c) => terminology.has(valueSet, c));
}

export function withCode(codes: readonly EncounterCode[], system: string, code: string): EncounterCode[] {
  return codes.filter((c) => c.system === system && c.code === code);
}

/** True when billing data (a draft Claim) was sent: only then can the absence of a modifier mean anything. */
export function hasBillingLines(snapshot: PatientSnapshot): boolean {
  return snapshot.thisEncounter.claims.some((c) => (c.item ?? []).length > 0);
}
