import { encounterFacts } from '../facts/encounter-facts.js';
import type { PatientSnapshot } from '../fhir/snapshot.js';
import type { RuleSettings } from '../config/rule-settings.js';
import type { Terminology } from '../terminology/terminology.js';
import type { Finding, Report, Rule, RuleContext, RuleId } from './types.js';

export interface RuleRunResult {
  /** At most one finding per rule, in rule-id order. */
  readonly findings: readonly Finding[];
  readonly failed: readonly RuleId[];
  readonly skipped: readonly { readonly ruleId: RuleId; readonly reason: 'data-unavailable' }[];
}

function mergeReports(ruleId: RuleId, first: Report, rest: readonly Report[]): Finding {
  const evidence = new Set(first.evidence);
  for (const report of rest) {
    report.evidence.forEach((e) => evidence.add(e));
  }
  return { ...first, ruleId, evidence: [...evidence] };
}

/** True when the report fills every placeholder its variant's card declares (the rule's card contract). */
function fillsItsCard(rule: Rule, report: Report): boolean {
  const declared = rule.card[report.variant ?? 'default'];
  return declared !== undefined && declared.every((name) => report.params[name] !== undefined);
}

/** The rules in rule-id order, sorted once per rules list (the engine's list lives as long as the service). */
const orderedRules = new WeakMap<
  readonly Rule[],
  { readonly as: readonly Rule[]; readonly ordered: readonly Rule[] }
>();

function inIdOrder(rules: readonly Rule[]): readonly Rule[] {
  const known = orderedRules.get(rules);
  // The list is read-only by type; it is compared with the copy sorted anyway, so that a changed list is re-sorted.
  if (known && known.as.length === rules.length && known.as.every((rule, i) => rule === rules[i])) {
    return known.ordered;
  }
  const ordered = [...rules].sort((a, b) => a.id.localeCompare(b.id));
  orderedRules.set(rules, { as: [...rules], ordered });
  return ordered;
}

/**
 * Runs the rules over one snapshot, through one set of encounter facts built lazily for this evaluation. A rule that
 * throws, or reports a variant or parameters its card contract does not have, is recorded as failed and left out
 * (the hook still answers); a rule whose data is unavailable is skipped; a rule that finds several problems in one
 * encounter yields one finding (one card per rule per encounter), keeping the first and the union of evidence.
 */
export function runRules(
  rules: readonly Rule[],
  snapshot: PatientSnapshot,
  environment: Omit<RuleContext, 'facts'>,
): RuleRunResult {
  const context: RuleContext = { ...environment, facts: encounterFacts(snapshot, environment.terminology) };
  const findings: Finding[] = [];
  const failed: RuleId[] = [];
  const skipped: RuleRunResult['skipped'][number][] = [];
  const ordered = inIdOrder(rules);
  for (const rule of ordered) {
    if (rule.reads.some((type) => snapshot.unavailable.has(type))) {
      skipped.push({ ruleId: rule.id, reason: 'data-unavailable' });
      continue;
    }
    let produced: readonly Report[];
    try {
      produced = rule.evaluate(context);
    } catch {
      failed.push(rule.id);
      continue;
    }
    if (!produced.every((report) => fillsItsCard(rule, report))) {
      failed.push(rule.id);
      continue;
    }
    const [first, ...rest] = produced;
    if (first) {
      findings.push(mergeReports(rule.id, first, rest));
    }
  }
  return { findings, failed, skipped };
}

/** What evaluation needs besides the snapshot: the site's rules, the terminology and the rule settings. */
export interface EvaluationDeps {
  readonly rules: readonly Rule[];
  readonly terminology: Terminology;
  readonly settings: RuleSettings;
}

/** Runs the site's rules over one encounter's snapshot: the one entry point of evaluation (service and audit). */
export function evaluateSnapshot(snapshot: PatientSnapshot, deps: EvaluationDeps): RuleRunResult {
  return runRules(deps.rules, snapshot, { terminology: deps.terminology, settings: deps.settings });
}
