import { hasTimeOfDay } from '../../fhir/time.js';
import { listDrugs } from '../drug-names.js';
import type { Rule } from '../types.js';
import { isFinishedChemoInfusion } from '../../facts/administrations.js';

/*
 * INF-002 Infusion start time missing (CLIN + CODER). FIRM: as INF-001, the record must hold start and stop times
 * for time-based infusion codes (Palmetto GBA, CMS MCD 53778 [S12]). Fires for a completed or stopped IV or
 * intra-arterial antineoplastic administration of this encounter whose start has no time of day: no effective[x]
 * at all, a period with an end but no start, or a date-only value (e.g. mCODE's "2018-04-22": neither time is
 * documented, so this card, not INF-001's, says so). Silent for in-progress, documented pushes and other routes.
 */
export const inf002StartTimeMissing: Rule = {
  id: 'INF-002',
  title: 'Infusion start time missing',
  grounding: 'FIRM',
  sources: ['Palmetto GBA, infusion documentation article, CMS Medicare Coverage Database article 53778 [S12]'],
  reads: ['MedicationAdministration'],
  enabledByDefault: true,
  card: { default: ['drug', 'documented'] },
  evaluate({ facts }) {
    const missing = facts.administrations.filter((f) => isFinishedChemoInfusion(f) && !hasTimeOfDay(f.start));
    if (missing.length === 0) {
      return [];
    }
    return [
      {
        params: {
          drug: listDrugs(missing.map((f) => f.drug.name)),
          documented: missing[0]?.start ?? 'nothing',
        },
        evidence: missing.map((f) => f.reference),
      },
    ];
  },
};
