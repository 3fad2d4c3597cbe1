import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { z } from 'zod';
import { projectPath } from '../paths.js';
import type { Finding, Indicator, Rule, RuleId } from '../rules/types.js';
import { isEvidenceReference, markdownValue, normaliseValue, plainValue, type Neighbours } from './escape.js';
import { EVIDENCE_EXTENSION, OVERRIDE_REASON_SYSTEM, RULE_TOPIC_SYSTEM, type CdsCard } from './types.js';
import { MAX_SUMMARY_LENGTH } from '../config/limits.js';

const SOURCE_LABEL = 'OncoSign documentation integrity';
const placeholder = /\{([a-zA-Z][a-zA-Z0-9]*)\}/g;

/** Plain-text template fields: the template itself must not bring a tag opener or a control character either. */
const plainTemplateText = z
  .string()
  .min(1)
  .refine((text) => !/[<\p{Cc}]/u.test(text), 'plain text: no "<" and no control characters');

const variantSchema = z.strictObject({
  indicator: z.enum(['info', 'warning', 'critical']),
  summary: plainTemplateText,
  detail: z.string().min(1),
  suggestion: z.strictObject({ label: plainTemplateText, actionDescription: plainTemplateText }).optional(),
});

const templateSchema = z.strictObject({
  ruleId: z.string().regex(/^(PAIN|INF|DX)-\d{3}$/),
  topicDisplay: z.string().min(1),
  variants: z.record(z.string(), variantSchema).refine((v) => 'default' in v, 'a "default" variant is required'),
  overrideReasons: z
    .array(z.strictObject({ code: z.string().regex(/^[a-z0-9-]+$/), display: plainTemplateText }))
    .min(1),
});

export type CardTemplate = z.infer<typeof templateSchema>;

export function placeholdersOf(text: string): string[] {
  return [...text.matchAll(placeholder)].map((m) => m[1] ?? '');
}

function codePoints(text: string): number {
  return Array.from(text).length;
}

/** How a value enters one kind of field: escaped for Markdown, or normalised as plain text (./escape.ts). */
type ValueRenderer = (value: string, neighbours: Neighbours) => string;

/**
 * The one place where values enter card text: every placeholder's value goes through `render`, which is told the
 * template characters on either side of the placeholder.
 */
function fill(text: string, params: Readonly<Record<string, string>>, ruleId: string, render: ValueRenderer): string {
  return text.replace(placeholder, (match: string, name: string, offset: number) => {
    const value = params[name];
    if (value === undefined) {
      throw new Error(`${ruleId}: no value for placeholder {${name}}`);
    }
    return render(value, { before: text[offset - 1], after: text[offset + match.length] });
  });
}

/** Fills `detail` (and any other Markdown field): template text stays Markdown, every value is escaped. */
function fillMarkdown(text: string, params: Readonly<Record<string, string>>, ruleId: string): string {
  return fill(text, params, ruleId, markdownValue);
}

/** Fills a plain-text field (suggestion label, action description); the summary also keeps its length limit. */
function fillPlain(text: string, params: Readonly<Record<string, string>>, ruleId: string): string {
  return fill(text, params, ruleId, plainValue);
}

/**
 * Fills the summary and, while it is 140 characters or more, shortens the longest parameter with an ellipsis;
 * only the template's fixed text, which start-up has checked is short enough, can never be shortened.
 */
function fillSummary(text: string, params: Readonly<Record<string, string>>, ruleId: string): string {
  // Normalised first, so the shortening below counts the characters that will be shown.
  const working: Record<string, string> = Object.fromEntries(
    Object.entries(params).map(([name, value]) => [name, normaliseValue(value)]),
  );
  let summary = fillPlain(text, working, ruleId);
  while (codePoints(summary) > MAX_SUMMARY_LENGTH) {
    const used = placeholdersOf(text);
    const longest = used.sort((a, b) => codePoints(working[b] ?? '') - codePoints(working[a] ?? ''))[0];
    const current = longest === undefined ? [] : Array.from(working[longest] ?? '');
    if (longest === undefined || current.length <= 1) {
      break;
    }
    const excess = codePoints(summary) - MAX_SUMMARY_LENGTH;
    working[longest] = `${current.slice(0, Math.max(1, current.length - excess - 1)).join('')}…`;
    summary = fillPlain(text, working, ruleId);
  }
  return summary;
}

export interface CardCatalogue {
  readonly templates: ReadonlyMap<RuleId, CardTemplate>;
  /**
   * Renders findings as cards: most severe first, then by rule id; at most `maxCards`. A finding whose template
   * cannot be filled is left out and reported in `failed` rather than failing the call.
   */
  render(
    findings: readonly Finding[],
    rules: ReadonlyMap<RuleId, Rule>,
    options: { readonly maxCards: number; readonly identify?: (finding: Finding) => CardIds },
  ): { cards: CdsCard[]; failed: RuleId[] };
}

/** The uuids a card and its suggestion get; without `identify`, random ones. */
export interface CardIds {
  readonly card: string;
  readonly suggestion: string;
}

const indicatorRank: Record<Indicator, number> = { critical: 0, warning: 1, info: 2 };

/** Loads and validates every template in `cards/` once; any problem stops start-up with the file named. */
export function loadCardCatalogue(directory: string = projectPath('cards')): CardCatalogue {
  const templates = new Map<RuleId, CardTemplate>();
  for (const file of readdirSync(directory).filter((f) => f.endsWith('.json'))) {
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(`${directory}/${file}`, 'utf8')) as unknown;
    } catch (error) {
      throw new Error(`cards/${file}: not valid JSON (${error instanceof Error ? error.message : 'unreadable'})`, {
        cause: error,
      });
    }
    const parsed = templateSchema.safeParse(json);
    if (!parsed.success) {
      throw new Error(`cards/${file}: ${z.prettifyError(parsed.error)}`);
    }
    const template = parsed.data;
    if (file !== `${template.ruleId}.json`) {
      throw new Error(`cards/${file}: file name must be ${template.ruleId}.json`);
    }
    for (const [name, variant] of Object.entries(template.variants)) {
      const fixed = variant.summary.replace(placeholder, '');
      if (codePoints(fixed) > MAX_SUMMARY_LENGTH - 10) {
        throw new Error(`cards/${file}: variant ${name} summary leaves no room for its values`);
      }
    }
    templates.set(template.ruleId as RuleId, template);
  }

  return {
    templates,
    render(findings, rules, { maxCards, identify }) {
      const cards: CdsCard[] = [];
      const failed: RuleId[] = [];
      for (const finding of findings) {
        try {
          cards.push(renderCard(finding, templates, rules, identify?.(finding)));
        } catch {
          failed.push(finding.ruleId);
        }
      }
      cards.sort(
        (a, b) =>
          indicatorRank[a.indicator] - indicatorRank[b.indicator] ||
          a.source.topic.code.localeCompare(b.source.topic.code),
      );
      return { cards: cards.slice(0, maxCards), failed };
    },
  };
}

function renderCard(
  finding: Finding,
  templates: ReadonlyMap<RuleId, CardTemplate>,
  rules: ReadonlyMap<RuleId, Rule>,
  ids: CardIds | undefined,
): CdsCard {
  const template = templates.get(finding.ruleId);
  const rule = rules.get(finding.ruleId);
  const variant = template?.variants[finding.variant ?? 'default'];
  if (!template || !rule || !variant) {
    throw new Error(`${finding.ruleId}: no card template for variant ${finding.variant ?? 'default'}`);
  }
  const references = finding.evidence.filter(isEvidenceReference);
  const evidence =
    references.length > 0 ? `\n\n**Based on:** ${references.map((r) => markdownValue(r)).join(', ')}` : '';
  const sources = `\n\n**Rule ${rule.id}** (${rule.grounding}): ${rule.sources.join('; ')}`;
  const actions = finding.actions ?? [];
  const suggestion =
    variant.suggestion && actions.length > 0
      ? {
          label: fillPlain(variant.suggestion.label, finding.params, rule.id),
          uuid: ids?.suggestion ?? randomUUID(),
          isRecommended: true,
          actions: actions.map((action) => ({
            type: action.type,
            description: fillPlain(variant.suggestion?.actionDescription ?? '', finding.params, rule.id),
            resource: action.resource,
          })),
        }
      : undefined;
  return {
    uuid: ids?.card ?? randomUUID(),
    summary: fillSummary(variant.summary, finding.params, rule.id),
    detail: fillMarkdown(variant.detail, finding.params, rule.id) + evidence + sources,
    indicator: variant.indicator,
    source: {
      label: SOURCE_LABEL,
      topic: { system: RULE_TOPIC_SYSTEM, code: rule.id, display: template.topicDisplay },
    },
    ...(suggestion ? { suggestions: [suggestion], selectionBehavior: 'at-most-one' as const } : {}),
    overrideReasons: template.overrideReasons.map((r) => ({ system: OVERRIDE_REASON_SYSTEM, ...r })),
    ...(references.length > 0 ? { extension: { [EVIDENCE_EXTENSION]: references } } : {}),
  };
}
