import { loadCardCatalogue, type CardCatalogue } from './cds/cards.js';
import { loadServiceRegistry, type ServiceRegistry } from './cds/services.js';
import { allRules } from './rules/index.js';
import type { RuleSettings } from './rules/settings.js';
import type { Rule, RuleId } from './rules/types.js';
import { loadSiteConfig } from './site-config.js';
import { Terminology } from './terminology/terminology.js';

/**
 * Everything evaluation needs, loaded and validated once from the data folders and the site configuration: the same
 * for the service, the command-line evaluator and the retrospective audit (no second implementation of anything).
 */
export interface Engine {
  readonly registry: ServiceRegistry;
  readonly cards: CardCatalogue;
  readonly terminology: Terminology;
  /** The rules this site runs. */
  readonly rules: readonly Rule[];
  readonly allRules: readonly Rule[];
  readonly rulesById: ReadonlyMap<RuleId, Rule>;
  readonly settings: RuleSettings;
  readonly maxCards: number;
}

export function loadEngine(siteConfigPath: string | undefined): Engine {
  const site = loadSiteConfig(siteConfigPath, allRules);
  const cards = loadCardCatalogue();
  const missingTemplates = allRules.filter((r) => !cards.templates.has(r.id)).map((r) => r.id);
  if (missingTemplates.length > 0) {
    throw new Error(`cards/: rules without a card template: ${missingTemplates.join(', ')}`);
  }
  return {
    registry: loadServiceRegistry(),
    cards,
    terminology: new Terminology(),
    rules: site.rules,
    allRules,
    rulesById: new Map(allRules.map((r) => [r.id, r])),
    settings: site.settings,
    maxCards: site.maxCards,
  };
}
