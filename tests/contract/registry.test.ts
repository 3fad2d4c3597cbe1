import { describe, expect, it } from 'vitest';
import { loadCardCatalogue, placeholdersOf } from '../../src/cds/cards.js';
import { loadServiceRegistry } from '../../src/cds/services.js';
import { allRules } from '../../src/rules/index.js';
import { readFileSync } from 'node:fs';
import { projectPath } from '../../src/paths.js';

/** Discovery, the rule registry and cards/ are three views of one contract; they must agree. */
describe('discovery, rules and card templates agree', () => {
  const registry = loadServiceRegistry();
  const catalogue = loadCardCatalogue();
  const catalogueText = readFileSync(projectPath('..', 'shared', 'reference', 'oncology-rules.md'), 'utf8');

  it("every rule id is one of the catalogue's (oncology-rules.md headings)", () => {
    for (const rule of allRules) {
      expect(catalogueText).toContain(`### ${rule.id} `);
    }
  });

  it('every rule has exactly one card template and every template a rule', () => {
    const ruleIds = allRules.map((r) => r.id).sort();
    expect([...catalogue.templates.keys()].sort()).toEqual(ruleIds);
  });

  it('rule ids are unique, well formed, cited and graded', () => {
    const ids = allRules.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const rule of allRules) {
      expect(rule.id).toMatch(/^(PAIN|INF|DX)-\d{3}$/);
      expect(rule.sources.length).toBeGreaterThan(0);
      expect(['FIRM', 'FIRM (secondary)', 'JUDGMENT']).toContain(rule.grounding);
      expect(rule.reads.length).toBeGreaterThan(0);
    }
  });

  it('both services are discoverable and both run over the same rules', () => {
    expect([...registry.services.values()].map((s) => s.hook).sort()).toEqual(['encounter-sign', 'patient-view']);
    for (const service of registry.services.values()) {
      const prefetched = new Set(service.prefetch.map((p) => p.resourceType));
      for (const rule of allRules) {
        for (const type of rule.reads) {
          expect(prefetched.has(type), `${service.id} prefetches nothing for ${rule.id}'s ${type}`).toBe(true);
        }
      }
    }
  });

  it('prefetch templates use only first-level context tokens and Type/id references', () => {
    for (const service of registry.services.values()) {
      for (const { template } of service.prefetch) {
        for (const [, token] of template.matchAll(/\{\{([^}]*)\}\}/g)) {
          expect(token).toMatch(/^context\.[A-Za-z]+$/);
        }
        expect(template).not.toMatch(/(patient|context|encounter)=\{\{/);
      }
    }
  });

  it('every template placeholder used in a summary leaves room under 140 characters', () => {
    for (const template of catalogue.templates.values()) {
      for (const variant of Object.values(template.variants)) {
        const fixed = variant.summary.replace(/\{[a-zA-Z]+\}/g, '');
        expect(Array.from(fixed).length).toBeLessThan(130);
        for (const name of placeholdersOf(variant.detail)) {
          expect(name).toMatch(/^[a-zA-Z][a-zA-Z0-9]*$/);
        }
      }
    }
  });
});
