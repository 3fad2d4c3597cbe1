import { SYSTEM } from '../../terminology/systems.js';
import type { Rule } from '../types.js';

/*
 * INF-003 Push versus infusion code mismatch (CODER). FIRM (secondary): a push is an injection with the professional
 * continuously present, or an infusion of 15 minutes or less (CPT, restated by Noridian [S10] and AAPC [S13c]).
 * (a) infusion code 96413/96417/96422 on an administration of 15 minutes or less not documented as a push: expect
 *     96409/96411/96420; (b) push code 96409/96411/96420 on an administration of 16 minutes or more not documented as
 *     a push: expect 96413/96417/96422.
 * Fires only when the code is linked to exactly one administration, as the catalogue allows: by reference
 * (Procedure.partOf or reasonReference naming it, or MedicationAdministration.partOf naming the Procedure) or by a
 * one-to-one match of documented start times (facts/billed-codes.ts), never by guessing which drug a code was for
 * (JUDGMENT); silent when times are missing (INF-001/002).
 */
const pushFor: Record<string, string> = { '96413': '96409', '96417': '96411', '96422': '96420' };
const infusionFor: Record<string, string> = { '96409': '96413', '96411': '96417', '96420': '96422' };

export const inf003PushInfusionMismatch: Rule = {
  id: 'INF-003',
  title: 'Push versus infusion code mismatch',
  grounding: 'FIRM (secondary)',
  sources: [
    'Noridian JF, chemotherapy administration (push definition) [S10]',
    'AAPC, push questions [S13c]',
    'HCPro on stop times [S29]',
  ],
  reads: ['Procedure', 'MedicationAdministration'],
  enabledByDefault: true,
  card: { default: ['drug', 'minutes', 'kind', 'code', 'billedCode'] },
  evaluate({ facts }) {
    for (const billed of facts.codes.all) {
      // Only Procedures carry a link to what they bill; only services that happened are listed (code-lists 12).
      if (billed.source !== 'procedure' || billed.system !== SYSTEM.cpt || billed.administrations.length !== 1) {
        continue;
      }
      if (pushFor[billed.code] === undefined && infusionFor[billed.code] === undefined) {
        continue;
      }
      const administration = facts.administrations.find((a) => a.reference === billed.administrations[0]);
      if (!administration || administration.minutes === undefined || administration.documentedPush) {
        continue;
      }
      const wantPush = administration.minutes <= 15;
      const expected = wantPush ? pushFor[billed.code] : infusionFor[billed.code];
      if (expected === undefined) {
        continue;
      }
      return [
        {
          params: {
            drug: administration.drug.name,
            minutes: String(administration.minutes),
            kind: wantPush ? 'push' : 'infusion',
            code: expected,
            billedCode: billed.code,
          },
          evidence: [billed.reference, administration.reference],
        },
      ];
    }
    return [];
  },
};
