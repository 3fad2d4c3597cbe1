import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/environment.js';
import { allRules } from '../../src/rules/index.js';
import { defaultRuleSettings } from '../../src/config/rule-settings.js';
import { loadSiteConfig } from '../../src/config/site-file.js';

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

  it('runs shadow rules (evaluated, not shown), keeps `enabled` working, and reads override-memory switches', () => {
    const site = loadSiteConfig(
      siteFile({
        rules: {
          'PAIN-005': { mode: 'shadow' },
          'INF-020': { mode: 'active' },
          'INF-001': { enabled: false },
          'PAIN-004': { mode: 'off' },
          'INF-002': { enabled: true, overrideMemory: false },
        },
        overrideMemory: { acceptedSuggestionWindowHours: 6 },
      }),
      allRules,
    );
    const ids = site.rules.map((r) => r.id);
    expect(ids).toContain('PAIN-005');
    expect(ids).toContain('INF-020');
    expect(ids).not.toContain('INF-001');
    expect(ids).not.toContain('PAIN-004');
    expect(site.modes.get('PAIN-005')).toBe('shadow');
    expect(site.modes.get('INF-020')).toBe('active');
    expect(site.modes.get('INF-002')).toBe('active');
    expect(site.modes.has('INF-001')).toBe(false);
    expect(site.overrideMemory.enabled).toBe(true);
    expect(site.overrideMemory.acceptedSuggestionWindowHours).toBe(6);
    expect([...site.overrideMemory.disabledRules]).toEqual(['INF-002']);
  });

  it('defaults to override memory on, a 24-hour window for accepted suggestions, and no shadow rule', () => {
    const site = loadSiteConfig(undefined, allRules);
    expect(site.overrideMemory).toEqual({ enabled: true, acceptedSuggestionWindowHours: 24, disabledRules: new Set() });
    expect([...site.modes.values()].every((m) => m === 'active')).toBe(true);
  });

  it.each([
    ['enabled false with mode shadow', { 'PAIN-005': { enabled: false, mode: 'shadow' } }],
    ['enabled true with mode off', { 'PAIN-005': { enabled: true, mode: 'off' } }],
    ['an unknown mode', { 'PAIN-005': { mode: 'loud' } }],
  ])('refuses %s', (_name, rules) => {
    expect(() => loadSiteConfig(siteFile({ rules }), allRules)).toThrow(/SITE_CONFIG/);
  });

  it('refuses a missing file', () => {
    expect(() => loadSiteConfig(join(dir, 'absent.json'), allRules)).toThrow(/SITE_CONFIG: cannot read/);
  });
});
