import type { PatientSnapshot } from '../../fhir/snapshot.js';
import type { Terminology } from '../../terminology/terminology.js';
import { drugCodings } from '../medication.js';
import type { AdministrationFacts } from './administrations.js';

/** An endocrine antineoplastic (ATC L02): given SC/IM it is 96402, not 96401 (code-lists.md section 4). */
export function isHormonalFacts(
  facts: AdministrationFacts,
  snapshot: PatientSnapshot,
  terminology: Terminology,
): boolean {
  return terminology.match('hormonal-antineoplastic-drug', drugCodings(facts.administration, snapshot)) !== undefined;
}
