import { listDrugs } from '../drug-names.js';
import type { Rule } from '../types.js';

/*
 * INF-015 Incomplete antineoplastic administration record (CLIN). FIRM (secondary): volume, rate, start and stop are
 * requested by Medicare reviewers [S12]; drug/dose/route alignment between clinical and billing records is seed 004;
 * the element list is JUDGMENT. Fires (warning) when an antineoplastic administration of the encounter lacks
 * dosage.route or dosage.dose; (info variant) when an IV infusion (not a push) lacks dosage.rate[x].
 * Not implementable from FHIR data: "missing coded drug" for an antineoplastic: an uncoded drug cannot be recognised
 * as one (the rule would need free text); such records are INF-013/014's blind spot and are left to pharmacy review.
 */
export const inf015IncompleteRecord: Rule = {
  id: 'INF-015',
  title: 'Incomplete antineoplastic administration record',
  grounding: 'FIRM (secondary)',
  sources: ['Palmetto GBA, CMS MCD article 53778 [S12]', 'Seed 004 (documentation accuracy)'],
  reads: ['MedicationAdministration'],
  enabledByDefault: true,
  card: { default: ['drug', 'missing'], rate: ['drug', 'missing'] },
  evaluate({ facts }) {
    const chemo = facts.administrations.filter((f) => f.drug.drugClass === 'antineoplastic');
    const missingCore = chemo
      .map((f) => ({
        f,
        missing: [f.routeRecorded ? undefined : 'route', f.dose === undefined ? 'dose' : undefined].filter(
          (m): m is string => m !== undefined,
        ),
      }))
      .filter((x) => x.missing.length > 0);
    if (missingCore.length > 0) {
      return [
        {
          params: {
            drug: listDrugs(missingCore.map((x) => x.f.drug.name)),
            missing: [...new Set(missingCore.flatMap((x) => x.missing))].join(' and '),
          },
          evidence: missingCore.map((x) => x.f.reference),
        },
      ];
    }
    const noRate = chemo.filter((f) => f.route === 'intravenous' && !f.push && f.rate === undefined);
    if (noRate.length > 0) {
      return [
        {
          variant: 'rate',
          params: { drug: listDrugs(noRate.map((f) => f.drug.name)), missing: 'rate' },
          evidence: noRate.map((f) => f.reference),
        },
      ];
    }
    return [];
  },
};
