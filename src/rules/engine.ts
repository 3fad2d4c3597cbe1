import type { PatientSnapshot } from '../fhir/snapshot.js';
import type { Finding, Rule, RuleContext, RuleId } from './types.js';

export interface EngineResult {
  /** At most one finding per rule, in rule-id order. */
  readonly findings: readonly Finding[];
  readonly failed: readonly RuleId[];
  readonly skipped: readonly { readonly ruleId: RuleId; readonly reason: 'data-unavailable' }[];
}

function mergeFindings(first: Finding, rest: readonly Finding[]): Finding {
  if (rest.length === 0) {
    return first;
  }
  const evidence = new Set(first.evidence);
  for (const finding of rest) {
    finding.evidence.forEach((e) => evidence.add(e));
  }
  return { ...first, evidence: [...evidence] };
}

/**
 * Runs the rules over one snapshot. A rule that throws is recorded and left out (the hook still answers); a rule
 * whose data is unavailable is skipped; a rule that finds several problems in one encounter yields one finding
 * (one card per rule per encounter), keeping the first and the union of evidence.
 */
export function runRules(rules: readonly Rule[], snapshot: PatientSnapshot, context: RuleContext): EngineResult {
  const findings: Finding[] = [];
  const failed: RuleId[] = [];
  const skipped: EngineResult['skipped'][number][] = [];
  const ordered = [...rules].sort((a, b) => a.id.localeCompare(b.id));
  for (const rule of ordered) {
    if (rule.reads.some((type) => snapshot.unavailable.has(type))) {
      skipped.push({ ruleId: rule.id, reason: 'data-unavailable' });
      continue;
    }
    let produced: readonly Finding[];
    try {
      produced = rule.evaluate(snapshot, context);
    } catch {
      failed.push(rule.id);
      continue;
    }
    const own = produced.filter((f) => f.ruleId === rule.id);
    const [first, ...rest] = own;
    if (first) {
      findings.push(mergeFindings(first, rest));
    }
  }
  return { findings, failed, skipped };
}
