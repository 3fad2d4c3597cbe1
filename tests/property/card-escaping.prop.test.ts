import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadCardCatalogue, placeholdersOf } from '../../src/cds/cards.js';
import { normaliseValue } from '../../src/cds/escape.js';
import { MAX_VALUE_LENGTH } from '../../src/config/limits.js';
import type { CdsCard } from '../../src/cds/types.js';
import { allRules } from '../../src/rules/index.js';
import type { Finding, ProposedAction, RuleId } from '../../src/rules/types.js';
import { parseGfm, shapeOf, textOf } from '../../test-support/gfm.js';

/*
 * Issue 18: whatever a value from the record holds, it reaches a card as text. For every variant of every template in
 * cards/ (read from the catalogue, so a new template is covered without touching this file), every placeholder gets
 * an arbitrary value, and:
 * - `detail`, parsed by micromark's GFM parser, has exactly the tree the template has with harmless sentinel values
 *   (no element, link, image, html, emphasis, code, heading, list or table of the value's own), and reads back as
 *   the template's text with each value in place, literally;
 * - `summary`, suggestion `label` and action `description` are one line of plain text with no `<`, no `>` the
 *   template did not write, no control or bidi characters, and bounded length.
 */

const catalogue = loadCardCatalogue();
const rules = new Map(allRules.map((r) => [r.id, r]));

/** Any proposed action: only its presence matters, so that a variant with a suggestion renders it. */
const action: ProposedAction = {
  type: 'create',
  resource: { resourceType: 'Procedure', status: 'completed', subject: { reference: 'Patient/pat-1' } },
};

interface VariantCase {
  readonly name: string;
  readonly ruleId: RuleId;
  readonly variant: string;
  readonly placeholders: readonly string[];
  readonly summary: string;
  readonly label: string | undefined;
  readonly description: string | undefined;
}

const variants: VariantCase[] = [...catalogue.templates.entries()].flatMap(([ruleId, template]) =>
  Object.entries(template.variants).map(([variant, v]) => ({
    name: `${ruleId} ${variant}`,
    ruleId,
    variant,
    placeholders: [
      ...new Set(
        [v.summary, v.detail, v.suggestion?.label ?? '', v.suggestion?.actionDescription ?? ''].flatMap(placeholdersOf),
      ),
    ],
    summary: v.summary,
    label: v.suggestion?.label,
    description: v.suggestion?.actionDescription,
  })),
);
const withPlaceholders = variants.filter((c) => c.placeholders.length > 0);

function render(c: VariantCase, params: Readonly<Record<string, string>>, evidence: readonly string[] = []): CdsCard {
  const finding: Finding = { ruleId: c.ruleId, variant: c.variant, params, evidence, actions: [action] };
  const { cards, failed } = catalogue.render([finding], rules, { maxCards: 1 });
  expect(failed).toEqual([]);
  const card = cards[0];
  if (!card) {
    throw new Error(`${c.name}: no card`);
  }
  return card;
}

/** Letters only: no escaping, normalisation or autolinking touches them, and no template text contains them. */
const sentinel = (i: number): string => `qqsentinel${String.fromCharCode(97 + i)}qq`;

function sentinels(c: VariantCase): Record<string, string> {
  return Object.fromEntries(c.placeholders.map((name, i) => [name, sentinel(i)]));
}

/**
 * Text compared up to whitespace (values are one line, and their edge spaces are dropped beside a delimiter) and the
 * word joiner the escaper inserts where GFM would autolink (invisible; ./src/cds/escape.ts).
 */
const comparable = (text: string): string => text.replace(/[\s\u2060]/gu, '');

const UNSAFE_PLAIN = /[\p{Cc}\p{Zl}\p{Zp}\p{Cs}\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069<]/u;

// Fragments that mean something to Markdown, GFM, HTML or a terminal, and characters that stress normalisation.
const fragments = [
  'carboplatin <img src=x onerror="alert(1)">',
  '<script>alert(1)</script>',
  '[click](javascript:alert(1))',
  '![x](https://x.test/a.png)',
  '<https://x.test>',
  '<a@b.co>',
  'www.example.com',
  'WWW.example.com',
  'http://example.com/x?y=1',
  'https://',
  'mailto:a@b.co',
  'xmpp:a@b.co',
  'a@b.co',
  'www',
  'http',
  ':',
  '//',
  '.',
  '@',
  '| a | b |\n| --- | --- |\n| c | d |',
  '|',
  '# heading',
  '###### ',
  '- item',
  '* item',
  '+ item',
  '1. item',
  '1) item',
  '2.',
  '> quote',
  '```js',
  '~~~',
  '`code`',
  '``',
  '**bold**',
  '__bold__',
  '*em*',
  '_em_',
  '~~del~~',
  '~x~',
  '\\',
  '\\*',
  '&amp;',
  '&#60;',
  '&lt;b&gt;',
  '&',
  '<!-- c -->',
  '<div>',
  '</b>',
  '[^1]',
  '[x]: /u',
  '[ ] task',
  '[x]',
  '---',
  '***',
  '===',
  '=',
  '$x$',
  '    indented',
  '\t',
  '\n',
  '\r\n',
  '\r',
  '\n\n',
  '  \n',
  '\\\n',
  '\u2028',
  '\u2029',
  '\u0085',
  '\u00a0',
  '\u3000',
  '\u202e',
  '\u2066',
  '\u200f',
  '\u0000',
  '\u001b[31m',
  '\u007f',
  '\u0090',
  '\ud800',
  'x\udfff',
  '\u2060',
  '👨‍👩‍👧',
  'e\u0301',
  'ｗｗｗ．',
  '(',
  ')',
  '"',
  "'",
  ' ',
  'x',
  '0',
];

const markdownish = fc
  .array(
    fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom(...fragments) },
      { weight: 1, arbitrary: fc.string({ unit: fc.constantFrom(...Array.from('\\`*_[]()#+-!|<>&~.:/@=$ \n\tw1')) }) },
      { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 8 }) },
    ),
    { maxLength: 12 },
  )
  .map((parts) => parts.join(''));

/** Any string a record could hold: Markdown-ish, any Unicode (graphemes and raw code points), or very long. */
const recordText = fc.oneof(
  { weight: 6, arbitrary: markdownish },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 60 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 60 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme-ascii', minLength: 200, maxLength: 3000 }) },
);

function valuesFor(c: VariantCase): fc.Arbitrary<Record<string, string>> {
  return fc.record(Object.fromEntries(c.placeholders.map((name) => [name, recordText])));
}

/** The template's fixed text, in order, must survive around the values (whitespace aside). */
function expectFixedTextInOrder(template: string, filled: string): void {
  let from = 0;
  const text = comparable(filled);
  for (const segment of template.split(/\{[a-zA-Z][a-zA-Z0-9]*\}/).map(comparable)) {
    const at = text.indexOf(segment, from);
    expect(at, `"${segment}" missing from "${filled}"`).toBeGreaterThanOrEqual(0);
    from = at + segment.length;
  }
}

function expectPlainText(text: string, template: string): void {
  expect(text).not.toMatch(UNSAFE_PLAIN);
  expect(text.split('>').length).toBe(template.replace(/\{[a-zA-Z][a-zA-Z0-9]*\}/g, '').split('>').length);
}

/** What the plain-text contract promises for a value: normalised, and `<` `>` shown as ‹ ›. */
const asPlain = (value: string): string => normaliseValue(value).replace(/</g, '\u2039').replace(/>/g, '\u203A');

function fillWith(template: string, values: Readonly<Record<string, string>>): string {
  return template.replace(/\{([a-zA-Z][a-zA-Z0-9]*)\}/g, (_, name: string) => values[name] ?? '');
}

const RUNS = 60;

describe('card text: a value from the record is data, never markup (GFM, micromark)', () => {
  it('the catalogue has templates with placeholders to check', () => {
    expect(withPlaceholders.length).toBeGreaterThan(30);
  });

  describe.each(withPlaceholders)('$name', (c) => {
    /**
     * The sentinel rendering to compare with. A value that is empty once normalised is left empty there too: with
     * nothing in it, `**{drug}**` is no longer emphasis, which is the template's structure collapsing, not the
     * value's markup.
     */
    function reference(values: Readonly<Record<string, string>>): string {
      const params = Object.fromEntries(
        c.placeholders.map((name, i) => [name, normaliseValue(values[name] ?? '').trim() === '' ? '' : sentinel(i)]),
      );
      return render(c, params, ['Encounter/enc-1']).detail ?? '';
    }

    it('detail: same GFM tree as with sentinel values, and each value reads back literally', () => {
      fc.assert(
        fc.property(valuesFor(c), (values) => {
          const card = render(c, values, ['Encounter/enc-1']);
          const tree = parseGfm(card.detail ?? '');
          const base = parseGfm(reference(values));
          expect(shapeOf(tree)).toBe(shapeOf(base));
          let expected = textOf(base);
          c.placeholders.forEach((name, i) => {
            expected = expected.split(sentinel(i)).join(normaliseValue(values[name] ?? ''));
          });
          expect(comparable(textOf(tree))).toBe(comparable(expected));
        }),
        { numRuns: RUNS },
      );
    });

    it('summary, suggestion label and action description: one bounded line of plain text', () => {
      fc.assert(
        fc.property(valuesFor(c), (values) => {
          const card = render(c, values, ['Encounter/enc-1']);
          expect(Array.from(card.summary).length).toBeLessThanOrEqual(139);
          expectPlainText(card.summary, c.summary);
          expectFixedTextInOrder(c.summary, card.summary);
          const plain = Object.fromEntries(Object.entries(values).map(([k, v]) => [k, asPlain(v)]));
          if (Array.from(fillWith(c.summary, plain)).length < 130) {
            expect(comparable(card.summary)).toBe(comparable(fillWith(c.summary, plain)));
          }
          const suggestion = card.suggestions?.[0];
          for (const [text, template] of [
            [suggestion?.label, c.label],
            [suggestion?.actions[0]?.description, c.description],
          ] as const) {
            expect(text === undefined).toBe(template === undefined);
            if (text !== undefined && template !== undefined) {
              expectPlainText(text, template);
              expect(comparable(text)).toBe(comparable(fillWith(template, plain)));
              const bound =
                Array.from(fillWith(template, {})).length + 1 + placeholdersOf(template).length * MAX_VALUE_LENGTH;
              expect(Array.from(text).length).toBeLessThanOrEqual(bound);
            }
          }
        }),
        { numRuns: RUNS },
      );
    });
  });
});

describe('evidence references: only well-formed Type/id reach the card', () => {
  const c = withPlaceholders.find((v) => v.ruleId === 'INF-001');
  const fhirId = fc.stringMatching(/^[A-Za-z0-9\-.]{1,64}$/);
  const wellFormed = fc.oneof(
    fc
      .tuple(fc.constantFrom('MedicationAdministration', 'Procedure', 'Condition', 'Encounter', 'Observation'), fhirId)
      .map(([type, id]) => `${type}/${id}`),
    fc.tuple(fhirId, fc.integer({ min: 1, max: 999 })).map(([id, n]) => `Claim/${id}#${String(n)}`),
  );
  const malformed = fc.oneof(
    recordText,
    recordText.map((id) => `MedicationAdministration/${id}`),
    fc.constant('MedicationAdministration/'),
    fc.constant('Claim/c-1#undefined'),
    fc.constant(`Procedure/${'a'.repeat(65)}`),
  );
  const independentlyValid = /^[A-Z][A-Za-z]+\/[A-Za-z0-9\-.]{1,64}(#\d+)?$/;

  it('detail lists exactly the well-formed ones, as text; the evidence extension holds the same', () => {
    if (!c) {
      throw new Error('INF-001 template missing');
    }
    const params = sentinels(c);
    fc.assert(
      fc.property(fc.array(fc.oneof(wellFormed, malformed), { maxLength: 6 }), (evidence) => {
        const valid = evidence.filter((r) => independentlyValid.test(r));
        const card = render(c, params, evidence);
        expect(card.extension?.['org.oncosign.evidence']).toEqual(valid.length > 0 ? valid : undefined);
        const tree = parseGfm(card.detail ?? '');
        const base = parseGfm(render(c, params, valid.length > 0 ? ['Encounter/enc-1'] : []).detail ?? '');
        expect(shapeOf(tree)).toBe(shapeOf(base));
        if (valid.length > 0) {
          expect(comparable(textOf(tree))).toContain(comparable(`Based on: ${valid.join(', ')}`));
        } else {
          expect(textOf(tree)).not.toContain('Based on');
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('normaliseValue', () => {
  it('gives one line of at most MAX_VALUE_LENGTH code points with no control, bidi or lone surrogate; idempotent', () => {
    fc.assert(
      fc.property(recordText, (value) => {
        const normal = normaliseValue(value);
        expect(normal).not.toMatch(/[\p{Cc}\p{Zl}\p{Zp}\p{Cs}\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/u);
        expect(normal).not.toMatch(/\s\s|[^\S ]/u);
        expect(Array.from(normal).length).toBeLessThanOrEqual(MAX_VALUE_LENGTH);
        expect(normaliseValue(normal)).toBe(normal);
      }),
      { numRuns: 500 },
    );
  });

  it('leaves ordinary text as it is', () => {
    const ordinary = fc
      .string({ unit: 'grapheme', minLength: 1, maxLength: 20 })
      .filter((s) => !/[\s\p{Cc}\u0085\p{Cs}\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/u.test(s));
    fc.assert(
      fc.property(fc.array(ordinary, { maxLength: 4 }), (words) => {
        const text = words.join(' ');
        fc.pre(Array.from(text).length <= MAX_VALUE_LENGTH);
        expect(normaliseValue(text)).toBe(text);
      }),
      { numRuns: 500 },
    );
  });
});
