import { SYSTEM } from '../../terminology/systems.js';
import type { Rule } from '../types.js';
import { isIntravascular } from '../../facts/administrations.js';
import { isProlongedInfusion } from './time-rules.js';

/*
 * INF-010 Prolonged-infusion pump code checks (96416 / 96425) (CODER). FIRM: 96416/96425 = initiation of a prolonged
 * (more than 8 hours) chemotherapy infusion requiring a portable or implantable pump [S16, S1]; pump disconnection is
 * not separately paid [S16b]; Medicare's G0498 when the office starts the infusion with its pump [S31].
 * (a) 96416/96425 billed but no antineoplastic administration of the encounter has a pump (MedicationAdministration
 *     .device) or the only pumped one completed in 8 hours or less;
 * (b) an antineoplastic started with a pump that is still running (in-progress) or ran more than 8 hours, and none of
 *     96416, 96425, G0498 billed.
 * JUDGMENT: a device on the administration is taken to be the pump (Device details are not prefetched).
 * (b) is silent at a pump-refill visit (96521/96522 billed): the pump running there was started at an earlier visit,
 * and its initiation was billed then (catalogue INF-011; a refill is not a new prolonged infusion).
 * Not implementable from FHIR data: "pump started elsewhere (home infusion supplier)" has no standard marker;
 * override reason "started-elsewhere".
 */
export const inf010ProlongedPump: Rule = {
  id: 'INF-010',
  title: 'Prolonged-infusion pump code checks',
  grounding: 'FIRM',
  sources: [
    'ASCO JOP 2010, billing infusion pumps in prolonged chemotherapy [S16]',
    'AAPC pump scenarios [S16b, S31]',
    'CMS157 Chemotherapy Administration value set descriptors [S1]',
  ],
  reads: ['Procedure', 'MedicationAdministration'],
  enabledByDefault: true,
  card: { default: ['code', 'drug'], 'billed-without-support': ['code', 'why'] },
  evaluate({ facts }) {
    const codes = facts.codes.all;
    const billedPump = codes.filter((c) => c.system === SYSTEM.cpt && (c.code === '96416' || c.code === '96425'));
    const billedAny = billedPump.length > 0 || codes.some((c) => c.system === SYSTEM.hcpcs && c.code === 'G0498');
    const chemo = facts.administrations.filter((f) => f.drug.drugClass === 'antineoplastic' && isIntravascular(f));
    const pumped = chemo.filter((f) => f.hasDevice);
    const prolonged = pumped.filter(
      (f) => f.status === 'in-progress' || (f.minutes !== undefined && isProlongedInfusion(f.minutes)),
    );
    if (billedPump.length > 0 && prolonged.length === 0) {
      const short = pumped.find((f) => f.minutes !== undefined);
      return [
        {
          variant: 'billed-without-support',
          params: {
            code: billedPump[0]?.code ?? '96416',
            why: short
              ? `the pumped infusion ran ${String(short.minutes)} min`
              : pumped.length > 0
                ? 'the pumped infusion has no documented end'
                : 'no pump is documented on the administration',
          },
          evidence: [...billedPump.map((c) => c.reference), ...chemo.map((f) => f.reference)],
        },
      ];
    }
    const refillVisit = codes.some((c) => c.system === SYSTEM.cpt && (c.code === '96521' || c.code === '96522'));
    if (!billedAny && !refillVisit && prolonged.length > 0) {
      const intraArterial = prolonged.every((f) => f.route === 'intra-arterial');
      return [
        {
          params: { code: intraArterial ? '96425' : '96416', drug: prolonged[0]?.drug.name ?? 'the drug' },
          evidence: prolonged.map((f) => f.reference),
        },
      ];
    }
    return [];
  },
};
