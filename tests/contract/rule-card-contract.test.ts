import { describe, expect, it } from 'vitest';
import { loadCardCatalogue } from '../../src/cds/cards.js';
import { cardContractBreaches } from '../../src/engine.js';
import { buildSnapshot } from '../../src/fhir/snapshot.js';
import { runRules } from '../../src/rules/run-rules.js';
import { defaultRuleSettings } from '../../src/config/rule-settings.js';
import { Terminology } from '../../src/terminology/terminology.js';
import { allRules } from '../../src/rules/index.js';
import type { Rule } from '../../src/rules/types.js';

/*
 * Issue 13, the rule contract: each rule declares, per variant of its card, the placeholders its reports fill; the
 * templates in cards/ must agree, and the engine refuses a report that breaks its rule's declaration.
 */
const cards = loadCardCatalogue();

function withCard(rule: Rule, card: Rule['card']): Rule {
  return { ...rule, card };
}

describe('rule card contracts', () => {
  it('every rule declares exactly its template variants and every placeholder they use', () => {
    expect(cardContractBreaches(allRules, cards)).toEqual([]);
  });

  it('a template placeholder the rule does not declare is a breach', () => {
    const inf003 = allRules.find((r) => r.id === 'INF-003') as Rule;
    const breaches = cardContractBreaches([withCard(inf003, { default: ['drug', 'minutes', 'kind', 'code'] })], cards);
    expect(breaches).toEqual(['INF-003: variant default uses {billedCode} that the rule does not declare']);
  });

  it('a variant the template lacks, or one the rule forgets, is a breach', () => {
    const pain001 = allRules.find((r) => r.id === 'PAIN-001') as Rule;
    expect(cardContractBreaches([withCard(pain001, { default: [] })], cards)).toEqual([
      'PAIN-001: declares variants [default], cards/ has [default, likely]',
    ]);
    expect(cardContractBreaches([withCard(pain001, { default: [], likely: [], other: [] })], cards)).toHaveLength(1);
  });
});

describe('the engine keeps a rule to its contract', () => {
  it('a report that leaves a declared placeholder empty, or names an undeclared variant, fails the rule', () => {
    const { snapshot } = buildSnapshot({ patientId: 'p', resources: [] });
    const base = allRules.find((r) => r.id === 'INF-003') as Rule;
    const environment = { terminology: new Terminology(), settings: defaultRuleSettings };
    const reporting = (report: ReturnType<Rule['evaluate']>[number]): Rule => ({ ...base, evaluate: () => [report] });
    const full = { drug: 'x', minutes: '1', kind: 'push', code: '96409', billedCode: '96413' };
    expect(runRules([reporting({ params: full, evidence: [] })], snapshot, environment).findings).toHaveLength(1);
    const { billedCode: _dropped, ...partial } = full;
    expect(runRules([reporting({ params: partial, evidence: [] })], snapshot, environment).failed).toEqual(['INF-003']);
    expect(
      runRules([reporting({ variant: 'nope', params: full, evidence: [] })], snapshot, environment).failed,
    ).toEqual(['INF-003']);
  });
});
