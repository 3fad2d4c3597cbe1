import type { FhirResource } from 'fhir/r4.js';
import type { PatientSnapshot } from '../fhir/snapshot.js';
import type { SnapshotResourceType } from '../fhir/resources.js';
import type { Terminology } from '../terminology/terminology.js';
import type { RuleSettings } from './settings.js';

/** Catalogue ids from oncology-rules.md: PAIN-001..007, INF-001..020, DX-001..013. */
export type RuleId = `PAIN-${string}` | `INF-${string}` | `DX-${string}`;

/** How firmly a rule is grounded (oncology-rules.md, "Grounding labels"). */
export type Grounding = 'FIRM' | 'FIRM (secondary)' | 'JUDGMENT';

export type Indicator = 'info' | 'warning' | 'critical';

export interface RuleContext {
  /** The evaluation time; rules never read the clock themselves. */
  readonly now: Date;
  readonly terminology: Terminology;
  readonly settings: RuleSettings;
}

/** A proposed FHIR change the clinician or coder can accept from the card. Only CODER rules propose any. */
export interface ProposedAction {
  readonly type: 'create' | 'update' | 'delete';
  readonly resource: FhirResource;
}

/**
 * What a rule found: which card template to fill (the rule's own, optionally a named variant), the values for its
 * placeholders, and the references of the resources the finding rests on.
 */
export interface Finding {
  readonly ruleId: RuleId;
  readonly variant?: string;
  readonly params: Readonly<Record<string, string>>;
  readonly evidence: readonly string[];
  readonly actions?: readonly ProposedAction[];
}

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
  readonly evaluate: (snapshot: PatientSnapshot, context: RuleContext) => readonly Finding[];
}
