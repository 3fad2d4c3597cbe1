import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ConfigError } from './environment.js';
import { ACCEPTED_SUGGESTION_WINDOW_HOURS, MAX_CARDS } from './limits.js';
import type { Rule, RuleId } from '../rules/types.js';
import { ruleSettingsSchema, type RuleSettings } from './rule-settings.js';

/*
 * Per-site configuration: which rules run and how (active, shadow, off), the thresholds they use, the card budget
 * and override memory. A JSON file whose path is SITE_CONFIG; without one, the catalogue's defaults apply (JUDGMENT
 * rules the catalogue marks off stay off).
 * Example: {"rules": {"PAIN-005": {"mode": "shadow"}, "INF-001": {"overrideMemory": false}},
 *           "settings": {"chemoLookbackDays": 30}, "maxCards": 8, "overrideMemory": {"acceptedSuggestionWindowHours": 12}}
 */

/**
 * One rule's switches. `mode` says what the rule does: `active` (cards returned), `shadow` (evaluated and recorded,
 * no card returned, so a site can measure a rule before showing it) or `off`. `enabled` is the older switch and
 * still works: true is `active`, false is `off`. `overrideMemory: false` shows the rule's cards again after an
 * override.
 */
const ruleSwitchSchema = z
  .strictObject({
    enabled: z.boolean().optional(),
    mode: z.enum(['active', 'shadow', 'off']).optional(),
    overrideMemory: z.boolean().optional(),
  })
  .refine(
    (r) => r.enabled === undefined || r.mode === undefined || (r.enabled ? r.mode !== 'off' : r.mode === 'off'),
    'enabled and mode disagree; give mode alone',
  );

const siteConfigSchema = z.strictObject({
  rules: z.record(z.string(), ruleSwitchSchema).default({}),
  settings: ruleSettingsSchema.default(ruleSettingsSchema.parse({})),
  /** Cards per call at most; the most severe are kept (CDS Hooks best practice: few, relevant cards). */
  maxCards: z.number().int().min(MAX_CARDS.min).max(MAX_CARDS.max).default(MAX_CARDS.default),
  /**
   * Override memory (src/feedback/card-memory.ts): a card overridden with a coded reason is not shown again for that
   * encounter while its evidence is unchanged; a card whose suggestion was accepted is not shown again for
   * `acceptedSuggestionWindowHours`, while the EHR's data catches up with the accepted change. JUDGMENT: 24 h.
   */
  overrideMemory: z
    .strictObject({
      enabled: z.boolean().default(true),
      acceptedSuggestionWindowHours: z
        .number()
        .min(ACCEPTED_SUGGESTION_WINDOW_HOURS.min)
        .max(ACCEPTED_SUGGESTION_WINDOW_HOURS.max)
        .default(ACCEPTED_SUGGESTION_WINDOW_HOURS.default),
    })
    .default({ enabled: true, acceptedSuggestionWindowHours: ACCEPTED_SUGGESTION_WINDOW_HOURS.default }),
});

export type RuleMode = 'active' | 'shadow' | 'off';

export interface OverrideMemorySettings {
  readonly enabled: boolean;
  readonly acceptedSuggestionWindowHours: number;
  /** Rules whose cards are never held back. */
  readonly disabledRules: ReadonlySet<RuleId>;
}

export interface SiteConfig {
  /** The rules this site evaluates: active and shadow. */
  readonly rules: readonly Rule[];
  /** The mode of every rule in `rules` (never `off`). */
  readonly modes: ReadonlyMap<RuleId, Exclude<RuleMode, 'off'>>;
  readonly settings: RuleSettings;
  readonly maxCards: number;
  readonly overrideMemory: OverrideMemorySettings;
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
  const switches = parsed.data.rules as Partial<Record<RuleId, z.infer<typeof ruleSwitchSchema>>>;
  const modeOf = (rule: Rule): RuleMode => {
    const own = switches[rule.id];
    if (own?.mode !== undefined) {
      return own.mode;
    }
    if (own?.enabled !== undefined) {
      return own.enabled ? 'active' : 'off';
    }
    return rule.enabledByDefault ? 'active' : 'off';
  };
  const modes = new Map<RuleId, Exclude<RuleMode, 'off'>>();
  for (const rule of allRules) {
    const mode = modeOf(rule);
    if (mode !== 'off') {
      modes.set(rule.id, mode);
    }
  }
  return {
    rules: allRules.filter((rule) => modes.has(rule.id)),
    modes,
    settings: parsed.data.settings,
    maxCards: parsed.data.maxCards,
    overrideMemory: {
      ...parsed.data.overrideMemory,
      disabledRules: new Set(allRules.filter((r) => switches[r.id]?.overrideMemory === false).map((r) => r.id)),
    },
  };
}
