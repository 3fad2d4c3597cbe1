import { describe, expect, it } from 'vitest';
import { loadCardCatalogue } from '../../src/cds/cards.js';
import { MAX_SUMMARY_LENGTH } from '../../src/config/limits.js';
import { allRules } from '../../src/rules/index.js';
import type { RuleId } from '../../src/rules/types.js';

const catalogue = loadCardCatalogue();
const rules = new Map(allRules.map((r) => [r.id, r]));

describe('card rendering', () => {
  it('fills the template and stays under 140 characters whatever the drug name', () => {
    const longName = 'pembrolizumab-and-a-very-long-investigational-combination-product-name '.repeat(4);
    const { cards, failed } = catalogue.render(
      [
        {
          ruleId: 'INF-001',
          params: { drug: longName, start: '2025-03-04T10:00:00Z' },
          evidence: ['MedicationAdministration/1'],
        },
      ],
      rules,
      { maxCards: 10 },
    );
    expect(failed).toEqual([]);
    const summary = cards[0]?.summary ?? '';
    expect(Array.from(summary).length).toBeLessThanOrEqual(MAX_SUMMARY_LENGTH);
    expect(summary).toMatch(/^Missing infusion stop time for pembrolizumab.*…\. Infusion codes/);
  });

  it('gives every card and suggestion its own uuid', () => {
    const finding = { ruleId: 'INF-001' as RuleId, params: { drug: 'x', start: 's' }, evidence: [] };
    const { cards } = catalogue.render([finding, finding], rules, { maxCards: 10 });
    expect(new Set(cards.map((c) => c.uuid)).size).toBe(2);
    expect(cards[0]).not.toHaveProperty('extension');
  });

  it('leaves out a finding whose template cannot be filled, and reports it', () => {
    const { cards, failed } = catalogue.render([{ ruleId: 'INF-001', params: {}, evidence: [] }], rules, {
      maxCards: 10,
    });
    expect(cards).toEqual([]);
    expect(failed).toEqual(['INF-001']);
  });

  it('applies the card budget', () => {
    const finding = { ruleId: 'INF-001' as RuleId, params: { drug: 'x', start: 's' }, evidence: [] };
    expect(catalogue.render([finding, finding, finding], rules, { maxCards: 2 }).cards).toHaveLength(2);
  });
});
