import type { Rule } from '../types.js';
import { administrationsOfHcpcs, drugLines } from './wastage.js';

/*
 * INF-017 JW modifier / wastage documentation (CODER + CLIN). FIRM: discarded amounts from single-dose containers are
 * billed on a separate JW line and documented in the record; JW is not for multi-dose vials; JW and JZ together for
 * one drug is a contradiction [S18a, S18e]; seed 004.
 * (a) a discard documented (discarded-quantity extension > 0) but no JW line for that drug;
 * (b) a JW line but no discarded amount documented on the drug's administrations;
 * (c) JW on a product the site's drug master lists as multi-dose (setting multiDoseDrugs);
 * (e) JW and JZ for the same drug on one encounter.
 * Silent without a draft Claim (no billing lines to compare).
 * Not implementable from FHIR data: (d) "JW units although the administered units already equal the vial size"
 * needs vial sizes in billing units, which no FHIR element carries; it needs a drug master with package sizes.
 */
export const inf017WastageMismatch: Rule = {
  id: 'INF-017',
  title: 'JW modifier / wastage documentation',
  grounding: 'FIRM',
  sources: ['Noridian JE, JW and JZ [S18a]', 'Noridian DME JZ [S18e]', 'Seed 004 (drug wastage)'],
  reads: ['MedicationAdministration'],
  enabledByDefault: true,
  card: { default: ['hcpcs', 'detail'] },
  evaluate({ facts, terminology, settings }) {
    for (const drug of drugLines(facts)) {
      const given = administrationsOfHcpcs(facts, terminology, drug.hcpcs);
      const discarded = given.filter((f) => (f.discarded ?? 0) > 0);
      const detail =
        drug.jw.length > 0 && drug.jz.length > 0
          ? 'both JW and JZ billed'
          : drug.jw.length > 0 && settings.multiDoseDrugs.includes(drug.hcpcs)
            ? 'JW on a multi-dose product'
            : drug.jw.length > 0 && discarded.length === 0
              ? 'JW billed but no discarded amount documented'
              : drug.jw.length === 0 && discarded.length > 0
                ? 'discard documented but no JW line'
                : undefined;
      if (detail !== undefined) {
        return [
          {
            params: { hcpcs: drug.hcpcs, detail },
            evidence: [...drug.lines.map((l) => l.reference), ...given.map((f) => f.reference)],
          },
        ];
      }
    }
    return [];
  },
};
