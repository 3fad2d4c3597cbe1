import type { PatientSnapshot } from '../fhir/snapshot.js';
import type { Terminology } from '../terminology/terminology.js';
import { runRules, type EngineResult } from './engine.js';
import type { RuleSettings } from '../config/rule-settings.js';
import type { Rule } from './types.js';

export interface EvaluationDeps {
  readonly rules: readonly Rule[];
  readonly terminology: Terminology;
  readonly settings: RuleSettings;
  readonly now: () => Date;
}

/** Runs the site's rules over one encounter's snapshot: the one entry point of evaluation (service and audit). */
export function evaluateSnapshot(snapshot: PatientSnapshot, deps: EvaluationDeps): EngineResult {
  return runRules(deps.rules, snapshot, { now: deps.now(), terminology: deps.terminology, settings: deps.settings });
}
