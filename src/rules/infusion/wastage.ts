import type { EncounterFacts } from '../../facts/encounter-facts.js';
import type { Terminology } from '../../terminology/terminology.js';
import { SYSTEM } from '../../terminology/systems.js';
import type { BilledCode } from '../../facts/billed-codes.js';
import { type AdministrationFact } from '../../facts/administrations.js';

/* Drug wastage (JW/JZ, [S18]): billing lines from the draft Claim; discarded amounts are an administration fact. */

export interface DrugLine {
  readonly hcpcs: string;
  readonly lines: readonly BilledCode[];
  readonly jw: readonly BilledCode[];
  readonly jz: readonly BilledCode[];
}

/** HCPCS drug lines of the draft Claim, grouped by drug code, with their JW and JZ lines. */
export function drugLines(facts: EncounterFacts): DrugLine[] {
  const lines = facts.codes.all.filter(
    (c) => c.source === 'claim' && c.system === SYSTEM.hcpcs && /^[A-Z]\d{4}$/.test(c.code),
  );
  const byDrug = new Map<string, BilledCode[]>();
  for (const line of lines) {
    byDrug.set(line.code, [...(byDrug.get(line.code) ?? []), line]);
  }
  return [...byDrug.entries()].map(([hcpcs, all]) => ({
    hcpcs,
    lines: all,
    jw: all.filter((l) => l.modifiers.some((m) => m.toUpperCase() === 'JW')),
    jz: all.filter((l) => l.modifiers.some((m) => m.toUpperCase() === 'JZ')),
  }));
}

/** The encounter's administrations of a drug billed under an HCPCS code (the drug's own codings name it). */
export function administrationsOfHcpcs(
  facts: EncounterFacts,
  terminology: Terminology,
  hcpcs: string,
): AdministrationFact[] {
  return facts.administrations.filter((f) => {
    return f.drug.codings.some((c) => {
      const normal = terminology.normalise(c);
      return normal?.system === SYSTEM.hcpcs && normal.code === hcpcs;
    });
  });
}
