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
  /** INF-009: hydration is reportable only above this many minutes; 30 per CPT [S13d], 15 for one payer [S14]. */
  hydrationMinimumMinutes: z.number().int().min(1).max(120).default(30),
  /**
   * INF-006: facility (hospital outpatient) or physician office; the initial-service hierarchy differs. The EHR's
   * data rarely says which, so the site states it; with 'unknown' INF-006 stays silent (catalogue).
   */
  careSetting: z.enum(['unknown', 'office', 'facility']).default('unknown'),
  /**
   * INF-016/017: the site's drug master. HCPCS codes of separately payable drugs from single-dose containers, and
   * of multi-dose products. Empty by default: without it the wastage-modifier rules have nothing to judge and stay
   * silent rather than guess.
   */
  singleDoseDrugs: z.array(z.string().regex(/^[A-Z0-9]{5}$/)).default([]),
  multiDoseDrugs: z.array(z.string().regex(/^[A-Z0-9]{5}$/)).default([]),
  /** INF-016: whether the site's payers require JZ (Medicare Part B since 2023-07-01 [S18]). */
  requireJzModifier: z.boolean().default(false),
});

export type RuleSettings = z.infer<typeof ruleSettingsSchema>;

export const defaultRuleSettings: RuleSettings = ruleSettingsSchema.parse({});
