import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ConfigError } from './config.js';
import type { Rule, RuleId } from './rules/types.js';
import { ruleSettingsSchema, type RuleSettings } from './rules/settings.js';

/*
 * Per-site configuration: which rules run, the thresholds they use, and the card budget. A JSON file whose path is
 * SITE_CONFIG; without one, the catalogue's defaults apply (JUDGMENT rules the catalogue marks off stay off).
 * Example: {"rules": {"PAIN-005": {"enabled": false}}, "settings": {"chemoLookbackDays": 30}, "maxCards": 8}
 */

const siteConfigSchema = z.strictObject({
  rules: z.record(z.string(), z.strictObject({ enabled: z.boolean() })).default({}),
  settings: ruleSettingsSchema.default(ruleSettingsSchema.parse({})),
  /** Cards per call at most; the most severe are kept (CDS Hooks best practice: few, relevant cards). */
  maxCards: z.number().int().min(1).max(100).default(10),
});

export interface SiteConfig {
  readonly rules: readonly Rule[];
  readonly settings: RuleSettings;
  readonly maxCards: number;
}

export function loadSiteConfig(path: string | undefined, allRules: readonly Rule[]): SiteConfig {
  let raw: unknown = {};
  if (path !== undefined) {
    try {
      raw = JSON.parse(readFileSync(path, 'utf8')) as unknown;
    } catch (error) {
      throw new ConfigError(
        `Invalid configuration: SITE_CONFIG: cannot read ${path} as JSON (${error instanceof Error ? error.message : 'unknown error'})`,
      );
    }
  }
  const parsed = siteConfigSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ConfigError(`Invalid configuration: SITE_CONFIG: ${z.prettifyError(parsed.error).replace(/\n/g, ' ')}`);
  }
  const known = new Set<string>(allRules.map((r) => r.id));
  const unknown = Object.keys(parsed.data.rules).filter((id) => !known.has(id));
  if (unknown.length > 0) {
    throw new ConfigError(`Invalid configuration: SITE_CONFIG: unknown rule ids ${unknown.join(', ')}`);
  }
  const switches = parsed.data.rules as Partial<Record<RuleId, { enabled: boolean }>>;
  return {
    rules: allRules.filter((rule) => switches[rule.id]?.enabled ?? rule.enabledByDefault),
    settings: parsed.data.settings,
    maxCards: parsed.data.maxCards,
  };
}
