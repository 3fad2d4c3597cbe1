import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config.js';
import { allRules } from '../../src/rules/index.js';
import { defaultRuleSettings } from '../../src/rules/settings.js';
import { loadSiteConfig } from '../../src/site-config.js';

const dir = mkdtempSync(join(tmpdir(), 'oncosign-site-'));
function siteFile(content: unknown): string {
  const path = join(dir, `${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

describe('site configuration', () => {
  it('defaults to the catalogue: every rule enabled by default, default thresholds, 10 cards', () => {
    const site = loadSiteConfig(undefined, allRules);
    expect(site.rules.map((r) => r.id)).toEqual(allRules.filter((r) => r.enabledByDefault).map((r) => r.id));
    expect(site.settings).toEqual(defaultRuleSettings);
    expect(site.maxCards).toBe(10);
  });

  it('switches rules, overrides thresholds and the budget', () => {
    const site = loadSiteConfig(
      siteFile({ rules: { 'PAIN-005': { enabled: false } }, settings: { chemoLookbackDays: 21 }, maxCards: 3 }),
      allRules,
    );
    expect(site.rules.map((r) => r.id)).not.toContain('PAIN-005');
    expect(site.rules.map((r) => r.id)).toContain('PAIN-004');
    expect(site.settings).toEqual({ ...defaultRuleSettings, chemoLookbackDays: 21 });
    expect(site.maxCards).toBe(3);
  });

  it.each([
    ['not JSON', '{nope', /cannot read .* as JSON/],
    ['an unknown rule id', { rules: { 'PAIN-999': { enabled: true } } }, /unknown rule ids PAIN-999/],
    ['an unknown setting', { settings: { chemoLookbackDay: 30 } }, /SITE_CONFIG/],
    ['a window out of range', { settings: { radiationLookbackDays: 60 } }, /SITE_CONFIG/],
    ['a budget of zero', { maxCards: 0 }, /SITE_CONFIG/],
    ['an unknown top-level key', { rule: {} }, /SITE_CONFIG/],
  ])('stops start-up on %s', (_name, content, message) => {
    const path = siteFile(content);
    expect(() => loadSiteConfig(path, allRules)).toThrow(ConfigError);
    expect(() => loadSiteConfig(path, allRules)).toThrow(message);
  });

  it('refuses a missing file', () => {
    expect(() => loadSiteConfig(join(dir, 'absent.json'), allRules)).toThrow(/SITE_CONFIG: cannot read/);
  });
});
