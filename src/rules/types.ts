import type { FhirResource } from 'fhir/r4.js';
import type { EncounterFacts } from '../facts/encounter-facts.js';
import type { SnapshotResourceType } from '../fhir/resource-types.js';
import type { Terminology } from '../terminology/terminology.js';
import type { RuleSettings } from '../config/rule-settings.js';

/** Catalogue ids from oncology-rules.md: PAIN-001..007, INF-001..020, DX-001..013. */
export type RuleId = `PAIN-${string}` | `INF-${string}` | `DX-${string}`;

/** How firmly a rule is grounded (oncology-rules.md, "Grounding labels"). */
export type Grounding = 'FIRM' | 'FIRM (secondary)' | 'JUDGMENT';

export type Indicator = 'info' | 'warning' | 'critical';

/** What a rule is given: the encounter's facts (never raw FHIR), the terminology and the site's settings. */
export interface RuleContext {
  readonly facts: EncounterFacts;
  readonly terminology: Terminology;
  readonly settings: RuleSettings;
}

/** A proposed FHIR change the clinician or coder can accept from the card. Only CODER rules propose any. */
export interface ProposedAction {
  readonly type: 'create' | 'update' | 'delete';
  readonly resource: FhirResource;
}

/**
 * What a rule reports: which variant of its card template to fill (default: "default"), the values for its
 * placeholders, and the references of the resources the finding rests on. The engine adds the rule's id, so a rule
 * cannot report under another rule's id.
 */
export interface Report {
  readonly variant?: string;
  readonly params: Readonly<Record<string, string>>;
  readonly evidence: readonly string[];
  readonly actions?: readonly ProposedAction[];
}

/** A report with the id of the rule that made it: what the engine returns and the card renderer reads. */
export interface Finding extends Report {
  readonly ruleId: RuleId;
}

/**
 * The card a rule fills: for each variant of `cards/<ID>.json`, the placeholders the rule's reports give values for.
 * Checked against the templates at load (a placeholder no report fills would lose the card in production).
 */
export type CardContract = Readonly<Record<string, readonly string[]>>;

export interface Rule {
  readonly id: RuleId;
  readonly title: string;
  readonly grounding: Grounding;
  /** Published sources (measure spec, CPT/NCCI/CMS guidance) with the catalogue's [S..] keys. */
  readonly sources: readonly string[];
  /**
   * Resource types whose absence the rule draws a conclusion from ("no pain score", "no plan"): when one could be had
   * neither from prefetch nor from the FHIR server, the rule is skipped rather than guessing. Types read only as
   * optional, positive evidence (a draft Claim, plan evidence for PAIN-004) are not listed.
   */
  readonly reads: readonly SnapshotResourceType[];
  /** Off-by-default rules are the catalogue's JUDGMENT rules marked so; sites switch them on. */
  readonly enabledByDefault: boolean;
  readonly card: CardContract;
  readonly evaluate: (context: RuleContext) => readonly Report[];
}
