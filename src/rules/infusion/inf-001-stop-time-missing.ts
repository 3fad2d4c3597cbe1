import { hasTimeOfDay } from '../../fhir/time.js';
import { listDrugs } from '../drug-names.js';
import { isFinishedChemoInfusion } from '../../facts/administrations.js';
import type { Rule } from '../types.js';

/*
 * INF-001 Infusion stop time missing (CLIN + CODER).
 * Time-based infusion codes (96413/96415/96417, 96422/96423) need the actual infusion time, so the record must hold
 * start and stop times. FIRM: Palmetto GBA infusion-documentation article in the CMS Medicare Coverage Database
 * (article 53778) [S12]; HCPro on infusions without a stop time [S29]; what a MAC allows without one varies [S29].
 *
 * Fires for a completed or stopped IV/intra-arterial antineoplastic administration of this encounter whose start
 * has a time of day but whose end is absent. Silent for in-progress (a pump still running: INF-010), not-done,
 * entered-in-error, documented pushes (no stop time needed), non-intravascular routes, and administrations whose
 * start is missing or date-only (that is INF-002's finding: neither time is documented).
 */

export const inf001StopTimeMissing: Rule = {
  id: 'INF-001',
  title: 'Infusion stop time missing',
  grounding: 'FIRM',
  sources: [
    'Palmetto GBA, infusion documentation article, CMS Medicare Coverage Database article 53778 [S12]',
    'HCPro Revenue Cycle Advisor, coding infusions with no documented stop time [S29]',
  ],
  reads: ['MedicationAdministration'],
  enabledByDefault: true,
  card: { default: ['drug', 'start'] },
  evaluate({ facts }) {
    const missing = facts.administrations.filter(
      (f) => isFinishedChemoInfusion(f) && hasTimeOfDay(f.start) && (f.end === undefined || f.end === ''),
    );
    const first = missing[0];
    if (!first) {
      return [];
    }
    return [
      {
        params: { drug: listDrugs(missing.map((f) => f.drug.name)), start: first.start ?? '' },
        evidence: missing.map((f) => f.reference),
      },
    ];
  },
};
