import { loadCardCatalogue, placeholdersOf, type CardCatalogue } from './cds/cards.js';
import { loadServiceRegistry, type ServiceRegistry } from './cds/services.js';
import type { ObservationFilter } from './fhir/snapshot.js';
import { allRules } from './rules/index.js';
import type { RuleSettings } from './config/rule-settings.js';
import type { Rule, RuleId } from './rules/types.js';
import { loadSiteConfig, type OverrideMemorySettings, type RuleMode } from './config/site-file.js';
import { Terminology } from './terminology/terminology.js';

/**
 * Everything evaluation needs, loaded and validated once from the data folders and the site configuration: the same
 * for the service, the command-line evaluator and the retrospective audit (no second implementation of anything).
 */
export interface Engine {
  readonly registry: ServiceRegistry;
  readonly cards: CardCatalogue;
  readonly terminology: Terminology;
  /** The rules this site runs: active ones and shadow ones (evaluated and recorded, no card returned). */
  readonly rules: readonly Rule[];
  /** Each rule in `rules`: `active` or `shadow`. */
  readonly ruleModes: ReadonlyMap<RuleId, Exclude<RuleMode, 'off'>>;
  readonly overrideMemory: OverrideMemorySettings;
  readonly allRules: readonly Rule[];
  readonly rulesById: ReadonlyMap<RuleId, Rule>;
  readonly settings: RuleSettings;
  readonly maxCards: number;
  /**
   * The Observations any rule or the CMS157 module reads: pain assessments (the CMS157 pain-tool value set, which
   * includes every intensity instrument). A rule that starts reading other Observations widens this.
   */
  readonly observationFilter: ObservationFilter;
}

/**
 * Each rule's declared card contract against its template: the same variants, and every placeholder a variant's text
 * uses declared by the rule (so a template placeholder that no report fills fails at start-up and in the tests, rather
 * than losing the card in production). Returns one message per breach.
 */
export function cardContractBreaches(rules: readonly Rule[], cards: CardCatalogue): string[] {
  const breaches: string[] = [];
  for (const rule of rules) {
    const template = cards.templates.get(rule.id);
    if (!template) {
      continue;
    }
    const declared = Object.keys(rule.card).sort();
    const written = Object.keys(template.variants).sort();
    if (declared.join() !== written.join()) {
      breaches.push(`${rule.id}: declares variants [${declared.join(', ')}], cards/ has [${written.join(', ')}]`);
    }
    for (const [name, variant] of Object.entries(template.variants)) {
      const texts = [variant.summary, variant.detail, variant.suggestion?.label, variant.suggestion?.actionDescription];
      const needed = new Set(texts.flatMap((t) => (t === undefined ? [] : placeholdersOf(t))));
      const missing = [...needed].filter((p) => !(rule.card[name] ?? []).includes(p));
      if (missing.length > 0) {
        breaches.push(`${rule.id}: variant ${name} uses {${missing.join('}, {')}} that the rule does not declare`);
      }
    }
  }
  return breaches;
}

export function loadEngine(siteConfigPath: string | undefined): Engine {
  const site = loadSiteConfig(siteConfigPath, allRules);
  const cards = loadCardCatalogue();
  const missingTemplates = allRules.filter((r) => !cards.templates.has(r.id)).map((r) => r.id);
  if (missingTemplates.length > 0) {
    throw new Error(`cards/: rules without a card template: ${missingTemplates.join(', ')}`);
  }
  const breaches = cardContractBreaches(allRules, cards);
  if (breaches.length > 0) {
    throw new Error(`cards/: card templates and rule contracts disagree: ${breaches.join('; ')}`);
  }
  const terminology = new Terminology();
  const observationFilter: ObservationFilter = (codings) =>
    codings.some(
      (c) =>
        typeof c.system === 'string' &&
        typeof c.code === 'string' &&
        terminology.has('cms157-pain-assessment-tool', { system: c.system, code: c.code }),
    );
  return {
    registry: loadServiceRegistry(),
    cards,
    terminology,
    rules: site.rules,
    ruleModes: site.modes,
    overrideMemory: site.overrideMemory,
    allRules,
    rulesById: new Map(allRules.map((r) => [r.id, r])),
    settings: site.settings,
    maxCards: site.maxCards,
    observationFilter,
  };
}
