import type { FhirResource } from 'fhir/r4.js';
import type { Indicator } from '../rules/types.js';

/* CDS Hooks 2.0 response types, with the spec's field names (https://cds-hooks.hl7.org/2.0/#cds-service-response). */

export interface CdsCoding {
  readonly system: string;
  readonly code: string;
  readonly display?: string;
}

export interface CdsAction {
  readonly type: 'create' | 'update' | 'delete';
  readonly description: string;
  readonly resource?: FhirResource;
  readonly resourceId?: string;
}

export interface CdsSuggestion {
  readonly label: string;
  readonly uuid: string;
  readonly isRecommended?: boolean;
  readonly actions: readonly CdsAction[];
}

export interface CdsLink {
  readonly label: string;
  readonly url: string;
  readonly type: 'absolute' | 'smart';
}

export interface CdsCard {
  readonly uuid: string;
  readonly summary: string;
  readonly detail?: string;
  readonly indicator: Indicator;
  readonly source: { readonly label: string; readonly url?: string; readonly topic: CdsCoding };
  readonly suggestions?: readonly CdsSuggestion[];
  readonly selectionBehavior?: 'at-most-one' | 'any';
  readonly overrideReasons: readonly CdsCoding[];
  readonly links?: readonly CdsLink[];
  readonly extension?: Readonly<Record<string, unknown>>;
}

export interface CdsResponse {
  readonly cards: readonly CdsCard[];
}

export const RULE_TOPIC_SYSTEM = 'urn:oncosign:rule';
export const OVERRIDE_REASON_SYSTEM = 'urn:oncosign:override-reason';
export const EVIDENCE_EXTENSION = 'org.oncosign.evidence';
