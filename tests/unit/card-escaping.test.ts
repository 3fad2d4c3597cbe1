import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCardCatalogue } from '../../src/cds/cards.js';
import { MAX_SUMMARY_LENGTH, MAX_VALUE_LENGTH } from '../../src/config/limits.js';
import type { CdsCard } from '../../src/cds/types.js';
import { projectPath } from '../../src/paths.js';
import { allRules } from '../../src/rules/index.js';
import type { RuleId } from '../../src/rules/types.js';
import { parseGfm, textOf, typesIn, type MarkdownNode } from '../../test-support/gfm.js';

/* Issue 18: the payloads the issue names, each through the real template filler and read back with micromark GFM. */

const catalogue = loadCardCatalogue();
const rules = new Map(allRules.map((r) => [r.id, r]));

function card(ruleId: RuleId, params: Record<string, string>, evidence: string[] = []): CdsCard {
  const { cards, failed } = catalogue.render([{ ruleId, params, evidence }], rules, { maxCards: 1 });
  expect(failed).toEqual([]);
  const rendered = cards[0];
  if (!rendered) {
    throw new Error(`${ruleId}: no card`);
  }
  return rendered;
}

const detailTree = (c: CdsCard): MarkdownNode => parseGfm(c.detail ?? '');
/** What a reader sees, without the invisible word joiners that stop autolinking. */
const visible = (node: MarkdownNode): string => textOf(node).replace(/\u2060/g, '');

/** Element types a value must never create (the templates themselves write paragraphs and strong emphasis only). */
const FOREIGN = ['html', 'link', 'image', 'linkReference', 'imageReference', 'inlineCode', 'code', 'heading'];
const MARKUP_TYPES = [...FOREIGN, 'emphasis', 'delete', 'list', 'listItem', 'table', 'blockquote', 'thematicBreak'];

function expectNoMarkupFrom(tree: MarkdownNode): void {
  const types = typesIn(tree);
  for (const type of MARKUP_TYPES) {
    expect(types.has(type), `a ${type} node`).toBe(false);
  }
  expect(types.has('break')).toBe(false);
}

const strongTexts = (node: MarkdownNode): string[] =>
  node.type === 'strong' ? [visible(node)] : (node.children ?? []).flatMap(strongTexts);

describe('card text from the record is data (issue 18)', () => {
  const img = 'carboplatin <img src=x onerror="alert(1)">';

  it.each(['INF-001', 'INF-015'] as const)(
    '%s: an <img onerror> drug name is literal text in detail and summary',
    (rule) => {
      const c = card(rule, { drug: img, start: '2025-03-04T10:00:00Z', missing: 'dose' });
      const tree = detailTree(c);
      expectNoMarkupFrom(tree);
      expect(strongTexts(tree)).toContain(img);
      expect(c.detail).not.toContain('<');
      expect(c.summary).toContain('carboplatin ‹img src=x onerror="alert(1)"›');
      expect(c.summary).not.toMatch(/[<>]/);
    },
  );

  it('a javascript: link is text, not a link', () => {
    const value = '[click](javascript:alert(1))';
    const tree = detailTree(card('INF-001', { drug: value, start: 's' }));
    expectNoMarkupFrom(tree);
    expect(strongTexts(tree)).toContain(value);
  });

  it.each([
    'www.example.com',
    'WWW.example.com/x',
    'see http://example.com/x?y=1',
    'https://example.com',
    'a.b@example.com',
    'mailto:a@example.com',
    'xmpp:a@example.com/res',
    '<https://example.com>',
    '<a@example.com>',
  ])('GFM does not autolink %s', (value) => {
    const tree = detailTree(card('INF-001', { drug: value, start: 's' }));
    expectNoMarkupFrom(tree);
    expect(strongTexts(tree)).toContain(value);
  });

  it('text beside a value cannot complete an autolink with it', () => {
    const tree = detailTree(card('DX-001', { z51: 'www', first: '.example.com' }));
    expectNoMarkupFrom(tree);
  });

  it.each([
    ['a table', '| a | b |\n| --- | --- |\n| c | d |'],
    ['a heading', '# Heading'],
    ['a setext heading', 'Heading\n==='],
    ['a bullet list', '- item'],
    ['an ordered list', '1. item'],
    ['an ordered list with )', '1) item'],
    ['a block quote', '> quote'],
    ['a thematic break', '---'],
    ['a code fence', '```js'],
    ['an indented code block', '\n\n    code'],
    ['an HTML block', '<div>x</div>'],
    ['an HTML comment', '<!-- x -->'],
    ['a link reference definition', '[x]: https://example.com'],
    ['a footnote', '[^1]: note'],
    ['a task list item', '- [ ] task'],
    ['a new paragraph', 'a\n\n# b'],
    ['a hard break', 'a\\\nb'],
  ])('at a line start (DX-010 opens its detail with {code}) a value cannot make %s', (_what, value) => {
    const c = card('DX-010', { code: value });
    const tree = detailTree(c);
    expectNoMarkupFrom(tree);
    expect(tree.children?.[0]?.type).toBe('paragraph');
    expect(visible(tree).replace(/\s+/g, ' ')).toContain(value.replace(/\s+/g, ' ').trim());
  });

  it.each([
    ['inline code', '`rm -rf /`'],
    ['a double-backtick span', '``x``'],
    ['emphasis', '*a* _b_'],
    ['strong emphasis', '**a** __b__'],
    ['strikethrough', '~~a~~ ~b~'],
    ['an image', '![x](https://example.com/a.png)'],
    ['an entity', '&lt;b&gt; &amp; &#60;'],
    ['a backslash escape', '\\* \\\\'],
    ['a table pipe', 'a | b'],
  ])('mid-line a value cannot make %s', (_what, value) => {
    const tree = detailTree(card('INF-001', { drug: value, start: 's' }));
    expectNoMarkupFrom(tree);
    expect(strongTexts(tree)).toContain(value);
  });

  it('line breaks, tabs, control and bidi characters are normalised away in every field', () => {
    const value = 'carbo\u202Eplatin\r\n\tpaclitaxel\u0000\u001b[31m\u2028x';
    const c = card('INF-015', { drug: value, missing: 'rate' });
    const [drug] = strongTexts(detailTree(c));
    for (const text of [c.summary, drug ?? '']) {
      expect(text).not.toMatch(/[\p{Cc}\p{Zl}\u202E]/u);
    }
    expect(c.summary).toContain('carboplatin paclitaxel[31m x');
    expect(strongTexts(detailTree(c))).toContain('carboplatin paclitaxel[31m x');
  });

  it('a very long value is bounded in detail and summary', () => {
    const c = card('INF-001', { drug: 'x'.repeat(10_000), start: 's' });
    expect(Array.from(c.summary).length).toBeLessThanOrEqual(MAX_SUMMARY_LENGTH);
    const [drug] = strongTexts(detailTree(c));
    expect(Array.from(drug ?? '')).toHaveLength(MAX_VALUE_LENGTH);
    expect(drug?.endsWith('…')).toBe(true);
  });

  it('ordinary values stay readable in the Markdown source', () => {
    const c = card('INF-001', { drug: 'carboplatin and paclitaxel', start: '2025-03-04T10:00:00-05:00' });
    expect(c.detail).toContain('**carboplatin and paclitaxel** started at 2025-03-04T10:00:00-05:00 ');
    expect(card('DX-012', { code: 'C50.911, 0521F-8P' }).detail).toContain('C50.911, 0521F-8P');
  });

  it('INF-008 keeps the space its note starts with after the full stop', () => {
    const c = card('INF-008', { expected: '1', billed: '0', note: ' Overlapping infusions are concurrent.' });
    expect(c.detail).toContain('are billed. Overlapping infusions are concurrent.');
  });

  it('only well-formed evidence references reach detail and the evidence extension', () => {
    const evidence = [
      'MedicationAdministration/ma-1',
      'MedicationAdministration/<img src=x onerror=alert(1)>',
      'MedicationAdministration/',
      'Claim/claim-1#2',
      'Procedure/[x](javascript:alert(1))',
      `Condition/${'a'.repeat(65)}`,
    ];
    const c = card('INF-001', { drug: 'carboplatin', start: 's' }, evidence);
    expect(c.extension).toEqual({ 'org.oncosign.evidence': ['MedicationAdministration/ma-1', 'Claim/claim-1#2'] });
    const tree = detailTree(c);
    expectNoMarkupFrom(tree);
    expect(visible(tree)).toContain('Based on: MedicationAdministration/ma-1, Claim/claim-1#2');
    expect(c.detail).not.toMatch(/img|javascript|aaaa/);
  });

  it('no evidence line and no extension when no reference is well formed', () => {
    const c = card('INF-001', { drug: 'carboplatin', start: 's' }, ['MedicationAdministration/']);
    expect(c).not.toHaveProperty('extension');
    expect(c.detail).not.toContain('Based on');
  });

  it('refuses a template whose plain-text fields hold "<" (start-up stops, naming the file)', () => {
    const directory = mkdtempSync(join(tmpdir(), 'oncosign-cards-'));
    cpSync(projectPath('cards'), directory, { recursive: true });
    const file = join(directory, 'INF-001.json');
    const template = JSON.parse(readFileSync(file, 'utf8')) as { variants: { default: { summary: string } } };
    template.variants.default.summary = 'Missing stop time for <b>{drug}</b>';
    writeFileSync(file, JSON.stringify(template));
    expect(() => loadCardCatalogue(directory)).toThrow(/cards\/INF-001\.json: .*no "<"/s);
  });
});
