import type { Procedure } from 'fhir/r4.js';
import type { EncounterFacts } from '../../facts/encounter-facts.js';
import { SYSTEM } from '../../terminology/systems.js';
import type { ProposedAction } from '../types.js';

/**
 * The CPT Category II codes of MIPS #143/#144 [S8]. Descriptors are short paraphrases (CPT text is AMA copyright).
 */
export const CATEGORY_II = {
  planDocumented: { code: '0521F', display: 'Plan of care to address pain documented' },
  painPresent: { code: '1125F', display: 'Pain severity quantified; pain present' },
  noPain: { code: '1126F', display: 'Pain severity quantified; no pain present' },
} as const;

/**
 * A `create` action for a completed Procedure carrying a Category II code on this encounter (catalogue 0.3: only
 * CODER cards that add a Category II code carry a create action; no rule creates clinical data).
 */
export function createCategoryIiProcedure(
  facts: EncounterFacts,
  code: { code: string; display: string },
  reasonReference: string,
): ProposedAction {
  const performed = facts.visit.encounter?.period?.start;
  const encounterReference = facts.visit.reference;
  const resource: Procedure = {
    resourceType: 'Procedure',
    status: 'completed',
    code: { coding: [{ system: SYSTEM.cpt, code: code.code, display: code.display }], text: code.display },
    subject: { reference: `Patient/${facts.patientId}` },
    ...(encounterReference !== undefined ? { encounter: { reference: encounterReference } } : {}),
    ...(performed !== undefined ? { performedDateTime: performed } : {}),
    reasonReference: [{ reference: reasonReference }],
  };
  return { type: 'create', resource };
}
