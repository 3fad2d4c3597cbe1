import { z } from 'zod';

/**
 * Thresholds the rules read. Defaults are the catalogue's (oncology-rules.md); a site changes them in its site
 * configuration file. Every window here is JUDGMENT unless its comment names a source.
 */
export const ruleSettingsSchema = z.strictObject({
  /** CMS157: chemotherapy 0-30 days on or before the visit day, and another 0-30 days after [S1]. */
  chemoLookbackDays: z.number().int().min(0).max(90).default(30),
  chemoLookaheadDays: z.number().int().min(0).max(90).default(30),
  /** CMS157 numerator 2: 77427 pain score from 6 days before through the visit day [S1, S28]. */
  radiationLookbackDays: z.number().int().min(0).max(14).default(6),
  /** PAIN-001/003: only E/M (Office Visit) or telehealth encounters count for the chemotherapy measure [S1]. */
  requireOfficeOrTelehealthVisit: z.boolean().default(true),
  /** PAIN-005: whether the practice reports #143 with claims quality-data codes (registries do not need them) [S6]. */
  reportQualityDataCodes: z.boolean().default(true),
});

export type RuleSettings = z.infer<typeof ruleSettingsSchema>;

export const defaultRuleSettings: RuleSettings = ruleSettingsSchema.parse({});
