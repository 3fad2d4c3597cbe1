import type { Encounter, Resource } from 'fhir/r4.js';
import { expect } from 'vitest';
import { buildSnapshot, type PatientSnapshot } from '../src/fhir/snapshot.js';
import { runRules } from '../src/rules/run-rules.js';
import { defaultRuleSettings, type RuleSettings } from '../src/config/rule-settings.js';
import type { Finding, Rule, RuleContext } from '../src/rules/types.js';
import { Terminology } from '../src/terminology/terminology.js';
import { anEncounter } from './builders.js';

export const terminology = new Terminology();

/** What the engine is given besides the snapshot (it builds the encounter facts itself). */
export function ruleContext(settings: Partial<RuleSettings> = {}): Omit<RuleContext, 'facts'> {
  return { terminology, settings: { ...defaultRuleSettings, ...settings } };
}

export function snapshotOf(resources: readonly Resource[], encounter: Encounter = anEncounter()): PatientSnapshot {
  return buildSnapshot({
    patientId: 'pat-1',
    encounterId: encounter.id,
    resources: [encounter, ...resources].map((resource) => ({ resource })),
  }).snapshot;
}

/**
 * Runs one rule through the engine on the given resources around one encounter (default: builders' anEncounter()),
 * so the rule's card contract is checked too: a rule that throws or reports parameters its card does not declare
 * fails the test.
 */
export function evaluateRule(
  rule: Rule,
  resources: readonly Resource[],
  options: { encounter?: Encounter; settings?: Partial<RuleSettings> } = {},
): readonly Finding[] {
  const result = runRules([rule], snapshotOf(resources, options.encounter), ruleContext(options.settings));
  expect(result.failed).toEqual([]);
  return result.findings;
}

/** Runs the rule and returns its single finding (fails the test unless there is exactly one, of this rule). */
export function onlyFinding(
  rule: Rule,
  resources: readonly Resource[],
  options: { encounter?: Encounter; settings?: Partial<RuleSettings> } = {},
): Finding {
  const findings = evaluateRule(rule, resources, options);
  expect(findings).toHaveLength(1);
  const [finding] = findings;
  expect(finding?.ruleId).toBe(rule.id);
  return finding as Finding;
}
