import type { Procedure } from 'fhir/r4.js';
import { SYSTEM } from '../../terminology/systems.js';
import { referenceKey } from '../../fhir/snapshot.js';
import type { Rule } from '../types.js';
import { encounterAdministrations, type AdministrationFacts } from './administrations.js';

/*
 * INF-003 Push versus infusion code mismatch (CODER). FIRM (secondary): a push is an injection with the professional
 * continuously present, or an infusion of 15 minutes or less (CPT, restated by Noridian [S10] and AAPC [S13c]).
 * (a) infusion code 96413/96417/96422 on an administration of 15 minutes or less not documented as a push: expect
 *     96409/96411/96420; (b) push code 96409/96411/96420 on an administration of 16 minutes or more not documented as
 *     a push: expect 96413/96417/96422.
 * Fires only when the code is linked to one administration (Procedure.partOf or reasonReference naming it, or
 * MedicationAdministration.partOf naming the Procedure) (JUDGMENT: the catalogue's one-to-one requirement), never by
 * guessing which drug a code was for; silent when times are missing (INF-001/002).
 */
const pushFor: Record<string, string> = { '96413': '96409', '96417': '96411', '96422': '96420' };
const infusionFor: Record<string, string> = { '96409': '96413', '96411': '96417', '96420': '96422' };

function linkedAdministration(
  procedure: Procedure,
  administrations: readonly AdministrationFacts[],
): AdministrationFacts | undefined {
  const procedureKey = `Procedure/${procedure.id ?? ''}`;
  const named = new Set(
    [...(procedure.partOf ?? []), ...(procedure.reasonReference ?? [])]
      .map((r) => referenceKey(r.reference))
      .filter((k): k is string => k !== undefined),
  );
  const linked = administrations.filter(
    (f) =>
      named.has(f.reference) || (f.administration.partOf ?? []).some((p) => referenceKey(p.reference) === procedureKey),
  );
  return linked.length === 1 ? linked[0] : undefined;
}

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
  evaluate(snapshot, { terminology }) {
    const administrations = encounterAdministrations(snapshot, terminology);
    for (const procedure of snapshot.thisEncounter.procedures) {
      // Only services that happened are billed (code-lists 12); entered-in-error ones never reach the snapshot.
      if (procedure.status === 'not-done' || procedure.status === 'preparation') {
        continue;
      }
      const billed = procedure.code?.coding?.find((c) => terminology.normalise(c)?.system === SYSTEM.cpt)?.code;
      if (billed === undefined || (pushFor[billed] === undefined && infusionFor[billed] === undefined)) {
        continue;
      }
      const facts = linkedAdministration(procedure, administrations);
      if (!facts || facts.minutes === undefined || facts.documentedPush) {
        continue;
      }
      const wantPush = facts.minutes <= 15;
      const expected = wantPush ? pushFor[billed] : infusionFor[billed];
      if (expected === undefined) {
        continue;
      }
      return [
        {
          ruleId: 'INF-003',
          params: {
            drug: facts.drug,
            minutes: String(facts.minutes),
            kind: wantPush ? 'push' : 'infusion',
            code: expected,
            billedCode: billed,
          },
          evidence: [`Procedure/${procedure.id ?? ''}`, facts.reference],
        },
      ];
    }
    return [];
  },
};
