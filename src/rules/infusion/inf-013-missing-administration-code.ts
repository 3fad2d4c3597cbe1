import type { Procedure } from 'fhir/r4.js';
import { SYSTEM } from '../../terminology/systems.js';
import type { ProposedAction, Rule } from '../types.js';
import { expectedChemotherapyCodes } from './expected-codes.js';

/*
 * INF-013 Antineoplastic given but no chemotherapy administration code (CODER). Time/route to code mapping FIRM
 * (secondary) (oncology-rules 0.4, [S10, S13a-b]); drug classification JUDGMENT (antineoplastic-drug value set).
 * Fires when a completed antineoplastic administration of this encounter is documented and no 96401-96549 or G0498 is
 * on the encounter; the card lists the codes and units the documentation supports and suggests creating them as
 * completed Procedures, one per unit (JUDGMENT: many sites generate charges elsewhere; the override says so).
 * Silent for oral antineoplastics (no administration code) and in-progress ones, and while the documentation does
 * not support a derivation (times or route missing): INF-001/002/015 say what is missing, and one card is enough.
 * Not implementable from FHIR data: "given in another department that bills separately"; override reason.
 */
export const inf013MissingAdministrationCode: Rule = {
  id: 'INF-013',
  title: 'Antineoplastic given but no chemotherapy administration code',
  grounding: 'FIRM (secondary)',
  sources: ['Noridian JF [S10]', 'AAPC [S13a, S13b]', 'CMS157 Chemotherapy Administration value set (code list) [S1]'],
  reads: ['Procedure', 'MedicationAdministration'],
  enabledByDefault: true,
  card: { default: ['drug', 'route', 'minutes', 'codes'] },
  evaluate({ facts }) {
    if (facts.codes.in('chemotherapy-administration-code').length > 0) {
      return [];
    }
    const administrations = facts.administrations;
    const chemo = administrations.filter(
      (f) =>
        f.drug.drugClass === 'antineoplastic' &&
        f.route !== 'oral' &&
        (f.status === 'completed' || f.status === 'stopped'),
    );
    if (chemo.length === 0) {
      return [];
    }
    const expected = expectedChemotherapyCodes(administrations);
    const lines = expected.lines;
    if (!expected.complete || lines.length === 0) {
      return [];
    }
    // One Procedure per unit: a Procedure documents one service, as billedUnits() counts them.
    const actions: ProposedAction[] = lines.flatMap((line) =>
      Array.from({ length: line.units }, (_, unit): ProposedAction => {
        // Each unit is partOf the one administration it codes (so INF-003's one-to-one link works on it).
        const own = line.evidence.length === line.units ? line.evidence.slice(unit, unit + 1) : line.evidence;
        const resource: Procedure = {
          resourceType: 'Procedure',
          status: 'completed',
          code: { coding: [{ system: SYSTEM.cpt, code: line.code }] },
          subject: { reference: `Patient/${facts.patientId}` },
          ...(facts.visit.reference !== undefined ? { encounter: { reference: facts.visit.reference } } : {}),
          partOf: own.map((reference) => ({ reference })),
        };
        return { type: 'create', resource };
      }),
    );
    const first = chemo[0];
    return [
      {
        params: {
          drug: first?.drug.name ?? 'the drug',
          route: first?.route ?? 'unknown route',
          minutes: first?.documentedPush ? 'push' : first?.minutes !== undefined ? `${String(first.minutes)} min` : '',
          codes: lines.map((l) => `${l.code} × ${String(l.units)}`).join(', '),
        },
        evidence: chemo.map((f) => f.reference),
        actions,
      },
    ];
  },
};
