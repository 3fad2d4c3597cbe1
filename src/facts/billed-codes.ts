import type { Coding, Procedure } from 'fhir/r4.js';
import { dateTimeSpan } from '../fhir/intervals.js';
import { referenceKey } from '../fhir/references.js';
import type { PatientSnapshot } from '../fhir/snapshot.js';
import type { Terminology, ValueSetId } from '../terminology/terminology.js';
import type { AdministrationFact } from './administrations.js';

/*
 * Every CPT/HCPCS code documented on the encounter being signed. Real records carry the same code in several places
 * (discovery/hooks/encounter-sign.md, "codes"): a Procedure (US Core; Epic's Procedure for performed services), a
 * line of a draft Claim (the only R4 element with modifiers and units; athenahealth and charge-driven feeds), or, as
 * the CMS157 test data and some Oracle Health encounters do, the visit's E/M code in `Encounter.type`. Same-day
 * Procedures and Claims with no encounter link belong to the encounter (snapshot: `thisEncounter`).
 */

export interface BilledCode {
  readonly system: string;
  readonly code: string;
  readonly modifiers: readonly string[];
  readonly units: number | undefined;
  /** `Procedure/<id>`, `Claim/<id>#<sequence>`, `ChargeItem/<id>` or `Encounter/<id>`. */
  readonly reference: string;
  /** Claim lines and Oracle Health ChargeItems are billing lines (they carry modifiers and units). */
  readonly source: 'procedure' | 'claim' | 'encounter-type';
  /** The Procedure the code is documented on, when it is one. */
  readonly procedure: Procedure | undefined;
  /**
   * The administrations the code bills, and how that is known: a reference (`Procedure.partOf` or
   * `reasonReference` naming the administration, or `MedicationAdministration.partOf` naming the Procedure), or
   * the same documented start time as exactly one administration (the catalogue's "one-to-one match", INF-003).
   */
  readonly administrations: readonly string[];
  readonly link: 'reference' | 'time' | undefined;
}

const skippedProcedureStatuses = new Set(['not-done', 'entered-in-error', 'preparation']);
const voidClaimStatuses = new Set(['cancelled', 'entered-in-error']);
/** "0521F-8P", "0521F 8P": a code written with its modifier appended, as some systems send Category II codes. */
const codeWithModifier = /^([0-9A-Z]{5})[-\s]?([0-9A-Z]{2})$/;

function splitModifier(code: string): { code: string; modifier?: string } {
  const match = codeWithModifier.exec(code.toUpperCase());
  return match?.[1] !== undefined && match[2] !== undefined ? { code: match[1], modifier: match[2] } : { code };
}

/** Modifiers as codings (CPT/HCPCS modifier codes) or as text ("25", "JW"), as the charge system wrote them. */
function modifierCodes(modifiers: readonly { coding?: { code?: string }[]; text?: string }[] | undefined): string[] {
  return (modifiers ?? []).flatMap((m) => {
    const codes = (m.coding ?? []).map((c) => c.code).filter((c): c is string => c !== undefined);
    const raw = codes.length > 0 ? codes : m.text !== undefined ? [m.text] : [];
    return raw.map((c) => c.trim().toUpperCase()).filter((c) => c !== '');
  });
}

const TIME_MATCH_TOLERANCE_MS = 60_000;

/*
 * Oracle Health ChargeItem (fhir.cerner.com, Millennium R4 ChargeItem): the CPT/HCPCS code and each modifier are in
 * complex extensions whose `code` sub-extension holds a CodeableConcept under a per-tenant BillCodes system
 * (code-systems.json aliasPatterns); `ChargeItem.code` is the charge-master item, which names no standard code.
 */
const ORACLE_PROCEDURE_CODE = 'https://fhir-ehr.cerner.com/r4/StructureDefinition/procedure-code';
const ORACLE_MODIFIER_CODE = 'https://fhir-ehr.cerner.com/r4/StructureDefinition/modifier-code';
const voidChargeStatuses = new Set(['aborted', 'entered-in-error', 'not-billable']);

interface NestedExtension {
  readonly url?: unknown;
  readonly extension?: unknown;
  readonly valueCodeableConcept?: unknown;
}

/** The codings in the `code` sub-extensions of the complex extensions with this url (untrusted shapes checked). */
function nestedCodes(extensions: readonly NestedExtension[] | undefined, url: string): Coding[] {
  return (extensions ?? [])
    .filter((e) => e.url === url && Array.isArray(e.extension))
    .flatMap((e) => e.extension as unknown[])
    .filter((sub): sub is NestedExtension => typeof sub === 'object' && sub !== null)
    .filter((sub) => sub.url === 'code')
    .flatMap((sub) => {
      const coding = (sub.valueCodeableConcept as { coding?: unknown } | undefined)?.coding;
      return Array.isArray(coding) ? coding.filter(isCoding) : [];
    });
}

function isCoding(value: unknown): value is Coding {
  if (typeof value !== 'object' || value === null) {
    return false;
  }
  const { system, code } = value as { system?: unknown; code?: unknown };
  return (system === undefined || typeof system === 'string') && typeof code === 'string';
}

function linkedAdministrations(
  procedure: Procedure,
  administrations: readonly AdministrationFact[],
): { administrations: string[]; link: BilledCode['link'] } {
  const procedureKey = `Procedure/${procedure.id ?? ''}`;
  const named = new Set(
    [...(procedure.partOf ?? []), ...(procedure.reasonReference ?? [])]
      .map((r) => referenceKey(r.reference))
      .filter((k): k is string => k !== undefined),
  );
  const byReference = administrations.filter(
    (a) => named.has(a.reference) || a.partOf.some((p) => referenceKey(p) === procedureKey),
  );
  if (byReference.length > 0) {
    return { administrations: byReference.map((a) => a.reference), link: 'reference' };
  }
  const performed = procedure.performedPeriod?.start ?? procedure.performedDateTime;
  const at = performed !== undefined && performed.includes('T') ? dateTimeSpan(performed)?.low : undefined;
  if (at === undefined) {
    return { administrations: [], link: undefined };
  }
  const sameStart = administrations.filter(
    (a) => a.startMs !== undefined && Math.abs(a.startMs - at) <= TIME_MATCH_TOLERANCE_MS,
  );
  return sameStart.length === 1 && sameStart[0]
    ? { administrations: [sameStart[0].reference], link: 'time' }
    : { administrations: [], link: undefined };
}

export function billedCodes(
  snapshot: PatientSnapshot,
  terminology: Terminology,
  administrations: readonly AdministrationFact[],
): BilledCode[] {
  const out: BilledCode[] = [];
  const push = (coding: { system?: string; code?: string }, rest: Omit<BilledCode, 'system' | 'code'>): void => {
    const normal = terminology.normalise(coding);
    if (!normal) {
      return;
    }
    const { code, modifier } = splitModifier(normal.code);
    out.push({
      ...rest,
      system: normal.system,
      code,
      modifiers: modifier !== undefined ? [...rest.modifiers, modifier] : rest.modifiers,
    });
  };
  for (const procedure of snapshot.thisEncounter.procedures) {
    if (skippedProcedureStatuses.has(procedure.status)) {
      continue;
    }
    const linked = linkedAdministrations(procedure, administrations);
    for (const coding of procedure.code?.coding ?? []) {
      push(coding, {
        modifiers: [],
        units: undefined,
        reference: `Procedure/${procedure.id ?? ''}`,
        source: 'procedure',
        procedure,
        ...linked,
      });
    }
  }
  for (const claim of snapshot.thisEncounter.claims) {
    if (voidClaimStatuses.has(claim.status)) {
      continue;
    }
    for (const item of claim.item ?? []) {
      for (const coding of item.productOrService.coding ?? []) {
        push(coding, {
          modifiers: modifierCodes(item.modifier),
          units: item.quantity?.value,
          reference: `Claim/${claim.id ?? ''}#${String(item.sequence)}`,
          source: 'claim',
          procedure: undefined,
          administrations: [],
          link: undefined,
        });
      }
    }
  }
  for (const charge of snapshot.thisEncounter.chargeItems) {
    if (voidChargeStatuses.has(charge.status)) {
      continue;
    }
    const services = new Set((charge.service ?? []).map((s) => referenceKey(s.reference)));
    const billed = administrations.filter((a) => services.has(a.reference)).map((a) => a.reference);
    const modifiers = nestedCodes(charge.extension, ORACLE_MODIFIER_CODE).map(
      (c) => c.code?.trim().toUpperCase() ?? '',
    );
    const codings = [...nestedCodes(charge.extension, ORACLE_PROCEDURE_CODE), ...(charge.code.coding ?? [])];
    for (const coding of codings) {
      push(coding, {
        modifiers: modifiers.filter((m) => m !== ''),
        units: charge.quantity?.value,
        reference: `ChargeItem/${charge.id ?? ''}`,
        source: 'claim',
        procedure: undefined,
        administrations: billed,
        link: billed.length > 0 ? 'reference' : undefined,
      });
    }
  }
  const encounter = snapshot.encounter;
  for (const coding of (encounter?.type ?? []).flatMap((t) => t.coding ?? [])) {
    push(coding, {
      modifiers: [],
      units: undefined,
      reference: `Encounter/${encounter?.id ?? ''}`,
      source: 'encounter-type',
      procedure: undefined,
      administrations: [],
      link: undefined,
    });
  }
  return out;
}

/** The codes' list with helpers the rules use to ask of it. */
export interface BilledCodes {
  readonly all: readonly BilledCode[];
  in(valueSet: ValueSetId): BilledCode[];
  withCode(system: string, code: string): BilledCode[];
  /** True when billing data (a draft Claim with lines) was sent: only then can a missing modifier mean anything. */
  readonly hasBillingLines: boolean;
}

export function billedCodeList(
  all: readonly BilledCode[],
  terminology: Terminology,
  snapshot: PatientSnapshot,
): BilledCodes {
  return {
    all,
    in: (valueSet) => all.filter((c) => terminology.has(valueSet, c)),
    withCode: (system, code) => all.filter((c) => c.system === system && c.code === code),
    hasBillingLines:
      snapshot.thisEncounter.claims.some((c) => (c.item ?? []).length > 0) ||
      all.some((c) => c.reference.startsWith('ChargeItem/')),
  };
}
