/*
 * What comes from the record is data, never markup (issue 18). Card templates are Markdown written by us; the values
 * a rule hands the template filler (drug names, code displays, CarePlan titles, scores, resource ids) are typed by
 * people or arrive from interfaces. Every value passes through this module on its way into a card, so no rule and no
 * template can forget it:
 *
 * - `normaliseValue` (every field): lone surrogates become U+FFFD, every run of whitespace and line breaks becomes
 *   one space, control and bidirectional-override characters are removed, and the value is cut to MAX_VALUE_LENGTH
 *   code points. A value is one line of text: no value can start a new Markdown block or hide its own meaning.
 * - `markdownValue` (`detail`, GitHub-flavoured Markdown): the normalised value, escaped so that a GFM parser reads
 *   it back as the same literal text (see `escapeMarkdown` for the rules).
 * - `plainValue` (`summary`, suggestion `label`, action `description`): the normalised value with `<` and `>`
 *   replaced by ‹ and ›, so no client can mistake any part of it for an HTML tag.
 */
import { MAX_VALUE_LENGTH } from '../config/limits.js';

/** The template text right before and right after a placeholder (undefined at the start or end of the template). */
export interface Neighbours {
  readonly before?: string | undefined;
  readonly after?: string | undefined;
}

/** U+2060 WORD JOINER: invisible and no line-break opportunity; it only splits what an autolinker would match. */
const WORD_JOINER = '\u2060';

// Line breaks (CR, LF, NEL, U+2028/U+2029), tabs and every Unicode space: a value is one line of single spaces.
const WHITESPACE_RUN = /[\s\u0085]+/gu;
// C0/C1 controls, and the bidi marks, embeddings, overrides and isolates that can reorder how text around the value
// reads ("Trojan source"). Other format characters (ZWJ in emoji, soft hyphen) are harmless and kept.
const INVISIBLE_CONTROL = /[\p{Cc}\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/gu;
const LONE_SURROGATE = /\p{Cs}/gu;

export function normaliseValue(value: string): string {
  const cleaned = value
    .replace(LONE_SURROGATE, '\uFFFD')
    .replace(WHITESPACE_RUN, ' ')
    .replace(INVISIBLE_CONTROL, '')
    .replace(/ {2,}/g, ' ');
  const points = Array.from(cleaned);
  return points.length <= MAX_VALUE_LENGTH ? cleaned : `${points.slice(0, MAX_VALUE_LENGTH - 1).join('')}…`;
}

// Next to these template characters a value's edge space is dropped: beside whitespace it is redundant (and two
// spaces before a line end are a hard break), beside an emphasis delimiter or a bracket it would stop CommonMark
// reading `**{drug}**` as emphasis, or just look odd. Elsewhere (INF-008 puts ` Overlapping…` right after a full
// stop) one space is kept, as the rule meant.
const TIGHT_NEIGHBOUR = /^[\s*_~()[\]{}]$/u;

function placeEdges(value: string, { before, after }: Neighbours): string {
  let placed = value;
  if (placed.startsWith(' ') && (before === undefined || TIGHT_NEIGHBOUR.test(before))) {
    placed = placed.slice(1);
  }
  if (placed.endsWith(' ') && (after === undefined || TIGHT_NEIGHBOUR.test(after))) {
    placed = placed.slice(0, -1);
  }
  return placed;
}

/** A value for a plain-text field. Markdown characters are left alone: these fields are not Markdown. */
export function plainValue(value: string, neighbours: Neighbours = {}): string {
  return placeEdges(normaliseValue(value), neighbours).replace(/</g, '\u2039').replace(/>/g, '\u203A');
}

/** A value for `detail`: parsed as GitHub-flavoured Markdown, it reads back as the normalised value, literally. */
export function markdownValue(value: string, neighbours: Neighbours = {}): string {
  return escapeMarkdown(breakAutolinks(placeEdges(normaliseValue(value), neighbours)));
}

/**
 * GFM's autolink-literal extension links `www.…`, `http://…`/`https://…` and `name@domain` found in text. Escaping
 * does not stop it: micromark's mdast utilities (remark, react-markdown) find them in the text after escapes and
 * character references are decoded, so `www\.x.com` and `www&#46;x.com` are both still links. The literal text
 * itself has to differ, so a word joiner goes where each pattern would match: between `www` and the dot, after the
 * colon of `://`, before every `@` (which also covers GFM's `mailto:` and `xmpp:` forms). A value that begins with
 * `.`, `:`, `/` or `@`, or ends with `www` or `:`, also gets one at that edge, so that text beside it (another value,
 * or template text) cannot complete a pattern.
 */
function breakAutolinks(text: string): string {
  let broken = text
    .replace(/(www)(?=\.)/giu, `$1${WORD_JOINER}`)
    .replace(/:(?=\/\/)/gu, `:${WORD_JOINER}`)
    .replace(/@/gu, `${WORD_JOINER}@`);
  if (/^[.:/@]/u.test(broken)) {
    broken = WORD_JOINER + broken;
  }
  if (/(?:www|:)$/iu.test(broken)) {
    broken += WORD_JOINER;
  }
  return broken;
}

/*
 * One rule per character, applied in one pass (an escape is never escaped again):
 * - `<` and `>` become the numeric character references `&#60;` and `&#62;`, which are literal both to a Markdown
 *   parser and to a client that (wrongly) inserts `detail` as HTML; they can never open a tag, an autolink, an HTML
 *   block or a block quote.
 * - Every other ASCII punctuation character that a CommonMark or GFM construct uses anywhere in a line gets a
 *   backslash, which CommonMark defines as "this character is literal": `\` `` ` `` `*` `_` `[` `]` `(` `)` `#` `+`
 *   `!` `|` `&` `~` `=` `$` (`$` for the math that GitHub renders).
 * - `-` and `.` mean something only at the start of a line (a list item, a thematic break or a setext underline;
 *   `1.` starts an ordered list), so they are escaped only where the value begins (after at most one space, and for
 *   `.` after leading digits when no digit follows); a value has no line breaks, so nowhere else can it begin a line.
 *   Dates, times, decimal codes and hyphenated drug names (2025-03-04T10:00:00Z, C50.911, 0521F-8P) stay readable.
 * - `:`, `/` and `@` only ever matter to autolinks, handled above with the word joiner. `"` `'` `%` `,` `;` `?` `^`
 *   `{` `}` mean nothing in GFM once `<`, `[` and `(` are escaped.
 * Backslash escapes do not work inside code spans, code blocks, HTML or autolinks, so templates must not put a
 * placeholder there; the property test (tests/property/card-escaping.prop.test.ts) fails for a template that does.
 */
const ESCAPED = /[\\`*_[\]()#+!|&~=$<>]/gu;

export function escapeMarkdown(text: string): string {
  return text
    .replace(ESCAPED, (c) => (c === '<' ? '&#60;' : c === '>' ? '&#62;' : `\\${c}`))
    .replace(/^( ?)-/u, '$1\\-')
    .replace(/^( ?)(\d*)\.(?!\d)/u, '$1$2\\.');
}

/** A FHIR resource type, a FHIR id ([A-Za-z0-9\-.]{1,64}) and, for a claim item, `#sequence`. */
const EVIDENCE_REFERENCE = /^[A-Z][A-Za-z]{1,63}\/[A-Za-z0-9\-.]{1,64}(?:#[0-9]{1,9})?$/u;

/**
 * Evidence references are built by rules from resource ids in the request, which nothing else validates. Only a
 * well-formed `Type/id` (or `Claim/id#sequence`) is shown or listed on a card; anything else is left out.
 */
export function isEvidenceReference(reference: string): boolean {
  return EVIDENCE_REFERENCE.test(reference);
}
