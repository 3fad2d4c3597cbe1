import { SYSTEM } from '../../terminology/systems.js';
import type { BilledCode } from '../../facts/billed-codes.js';
import type { AdministrationFact } from '../../facts/administrations.js';
import { overlapInTime } from '../../facts/administrations.js';
import { addOnHourUnits } from './time-rules.js';

/*
 * The chemotherapy administration codes the documentation supports, per encounter (physician-office reporting):
 * one initial service (infusion over push), additional hours, one sequential infusion per additional different drug,
 * one additional push per additional different drug, injections by drug class. FIRM (secondary): Noridian [S10],
 * AAPC [S13a-c]; code meanings code-lists.md section 4 (paraphrased). Oral drugs have no administration code.
 */

export interface ExpectedLine {
  readonly code: string;
  readonly units: number;
  readonly evidence: readonly string[];
}

export interface ExpectedChemoCodes {
  readonly lines: readonly ExpectedLine[];
  /** False when some antineoplastic administration lacks what the derivation needs (times or route). */
  readonly complete: boolean;
}

interface RouteCodes {
  readonly push: string;
  readonly additionalPush: string | undefined;
  readonly infusion: string;
  readonly additionalHour: string;
  readonly sequential: string | undefined;
}

const intravenous: RouteCodes = {
  push: '96409',
  additionalPush: '96411',
  infusion: '96413',
  additionalHour: '96415',
  sequential: '96417',
};
const intraArterial: RouteCodes = {
  push: '96420',
  additionalPush: undefined,
  infusion: '96422',
  additionalHour: '96423',
  sequential: undefined,
};

function deriveForRoute(given: readonly AdministrationFact[], codes: RouteCodes): ExpectedLine[] {
  const lines: ExpectedLine[] = [];
  const infusions = given.filter((f) => !f.push);
  const pushes = given.filter((f) => f.push);
  const initial = infusions[0] ?? pushes[0];
  if (!initial) {
    return lines;
  }
  lines.push({ code: initial.push ? codes.push : codes.infusion, units: 1, evidence: [initial.reference] });
  const extraHours = infusions.reduce((n, f) => n + addOnHourUnits(f.minutes ?? 0), 0);
  if (extraHours > 0) {
    lines.push({
      code: codes.additionalHour,
      units: extraHours,
      // One reference per unit: the infusion whose additional hour it is.
      evidence: infusions.flatMap((f) => Array.from({ length: addOnHourUnits(f.minutes ?? 0) }, () => f.reference)),
    });
  }
  if (codes.sequential !== undefined) {
    const sequentialDrugs = new Map<string, AdministrationFact>();
    for (const f of infusions) {
      if (f === initial || f.drug.key === undefined || f.drug.key === initial.drug.key || overlapInTime(f, initial)) {
        continue;
      }
      if (!sequentialDrugs.has(f.drug.key)) {
        sequentialDrugs.set(f.drug.key, f);
      }
    }
    if (sequentialDrugs.size > 0) {
      lines.push({
        code: codes.sequential,
        units: sequentialDrugs.size,
        evidence: [...sequentialDrugs.values()].map((f) => f.reference),
      });
    }
  }
  if (codes.additionalPush !== undefined) {
    const pushedDrugs = new Map<string, AdministrationFact>();
    for (const f of pushes) {
      if (f === initial || f.drug.key === undefined || f.drug.key === initial.drug.key) {
        continue;
      }
      pushedDrugs.set(f.drug.key, pushedDrugs.get(f.drug.key) ?? f);
    }
    if (pushedDrugs.size > 0) {
      lines.push({
        code: codes.additionalPush,
        units: pushedDrugs.size,
        evidence: [...pushedDrugs.values()].map((f) => f.reference),
      });
    }
  }
  return lines;
}

export function expectedChemotherapyCodes(administrations: readonly AdministrationFact[]): ExpectedChemoCodes {
  const chemo = administrations.filter((f) => f.drug.drugClass === 'antineoplastic' && f.status !== 'in-progress');
  let complete = true;
  const known = (f: AdministrationFact): boolean => f.documentedPush || f.minutes !== undefined;
  const iv = chemo.filter((f) => f.route === 'intravenous');
  const ia = chemo.filter((f) => f.route === 'intra-arterial');
  if ([...iv, ...ia].some((f) => !known(f)) || chemo.some((f) => f.route === 'unknown' || f.route === 'other')) {
    complete = false;
  }
  const lines = [...deriveForRoute(iv.filter(known), intravenous), ...deriveForRoute(ia.filter(known), intraArterial)];
  const injections = chemo.filter((f) => f.route === 'injection');
  // An endocrine antineoplastic (ATC L02) given SC/IM is 96402, not 96401 (code-lists.md section 4).
  const hormonal = injections.filter((f) => f.drug.hormonal);
  const other = injections.filter((f) => !f.drug.hormonal);
  if (other.length > 0) {
    lines.push({ code: '96401', units: other.length, evidence: other.map((f) => f.reference) });
  }
  if (hormonal.length > 0) {
    lines.push({ code: '96402', units: hormonal.length, evidence: hormonal.map((f) => f.reference) });
  }
  return { lines, complete };
}

/**
 * Units billed for a CPT code on the encounter: draft Claim lines carry units (quantity, default 1); without Claim
 * lines for the code, each documented Procedure counts one.
 */
export function billedUnits(codes: readonly BilledCode[], code: string): number {
  const lines = codes.filter((c) => c.system === SYSTEM.cpt && c.code === code && c.source !== 'encounter-type');
  const claimLines = lines.filter((c) => c.source === 'claim');
  if (claimLines.length > 0) {
    return claimLines.reduce((n, c) => n + (c.units ?? 1), 0);
  }
  return lines.length;
}
