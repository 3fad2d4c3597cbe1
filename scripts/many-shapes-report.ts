/*
 * "Same story, many shapes" report: sends every story x shape of tests/fixtures/many-shapes through the real HTTP
 * service (real config, real JWT verification, in-process via supertest, as the integration tests do) and prints
 * recall and precision over the (story, shape, expected rule) set, per shape and overall, and a table of the misses.
 *
 *   npx tsx scripts/many-shapes-report.ts [--json]
 *
 * Recall: expected rule ids the shape's cards contain / expected rule ids. Precision: card rule ids that were expected
 * / card rule ids given (a story with no expected rule contributes only to precision: any card there is a false
 * positive). Rule ids are counted once per (story, shape). Forbidden rules are reported separately; they are also
 * false positives whenever they appear.
 */
import {
  cardRuleIds,
  compareRules,
  loadStories,
  resourceCount,
  type RuleComparison,
} from '../test-support/many-shapes.js';
import { ENCOUNTER_SIGN, startHarness } from '../test-support/service-harness.js';

interface CaseResult {
  readonly story: string;
  readonly shape: string;
  readonly resources: number;
  readonly status: number;
  readonly expected: readonly string[];
  readonly got: readonly string[];
  readonly comparison: RuleComparison;
}

interface Tally {
  expected: number;
  found: number;
  given: number;
  correct: number;
  cases: number;
  exact: number;
}

const emptyTally = (): Tally => ({ expected: 0, found: 0, given: 0, correct: 0, cases: 0, exact: 0 });

function tallyOf(results: readonly CaseResult[]): Tally {
  const t = emptyTally();
  for (const r of results) {
    t.cases += 1;
    t.expected += r.expected.length;
    t.found += r.expected.length - r.comparison.missing.length;
    t.given += r.got.length;
    t.correct += r.got.length - r.comparison.extra.length;
    if (r.comparison.missing.length === 0 && r.comparison.extra.length === 0 && r.comparison.forbidden.length === 0) {
      t.exact += 1;
    }
  }
  return t;
}

const pct = (num: number, den: number): string => (den === 0 ? 'n/a' : `${((100 * num) / den).toFixed(1)}%`);

function pad(cells: readonly string[], widths: readonly number[]): string {
  return cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ');
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  return [
    pad(header, widths),
    pad(
      widths.map((w) => '-'.repeat(w)),
      widths,
    ),
    ...rows.map((r) => pad(r, widths)),
  ].join('\n');
}

async function main(): Promise<void> {
  const json = process.argv.includes('--json');
  const stories = loadStories();
  const harness = await startHarness({ logLevel: 'silent' });
  const results: CaseResult[] = [];
  try {
    for (const story of stories) {
      for (const shape of story.shapes) {
        const body = shape.request();
        const res = await harness.request
          .post(ENCOUNTER_SIGN)
          .set('Authorization', harness.bearer(ENCOUNTER_SIGN))
          .set('Content-Type', 'application/json')
          .send(JSON.stringify(body));
        const got = res.status === 200 ? cardRuleIds(res.body) : [];
        results.push({
          story: story.id,
          shape: shape.shape,
          resources: resourceCount(body),
          status: res.status,
          expected: story.expectedRules,
          got,
          comparison: compareRules(story, got),
        });
      }
    }
  } finally {
    await harness.close();
  }

  const shapes = [...new Set(results.map((r) => r.shape))];
  const perShape = shapes.map((shape) => ({ shape, ...tallyOf(results.filter((r) => r.shape === shape)) }));
  const overall = tallyOf(results);
  const vendor = tallyOf(results.filter((r) => r.shape !== 'idealized'));
  if (json) {
    console.log(JSON.stringify({ perShape, overall, vendorShapes: vendor, results }, null, 2));
    return;
  }

  console.log(
    `Same story, many shapes: ${String(stories.length)} stories, ${String(results.length)} story x shape cases`,
  );
  console.log('');
  const line = (name: string, t: Tally): string[] => [
    name,
    String(t.cases),
    `${String(t.exact)}/${String(t.cases)}`,
    `${String(t.found)}/${String(t.expected)}`,
    pct(t.found, t.expected),
    `${String(t.correct)}/${String(t.given)}`,
    pct(t.correct, t.given),
  ];
  console.log(
    table(
      ['shape', 'cases', 'exact', 'found/expected', 'recall', 'correct/given', 'precision'],
      [...perShape.map((t) => line(t.shape, t)), line('all vendor shapes', vendor), line('overall', overall)],
    ),
  );
  console.log('');
  console.log('Story x shape (cards given; ok = exactly the expected cards, none forbidden)');
  const grid = stories.map((story) => [
    story.id,
    ...shapes.map((shape) => {
      const r = results.find((x) => x.story === story.id && x.shape === shape);
      if (!r) {
        return '';
      }
      const c = r.comparison;
      return c.missing.length === 0 && c.extra.length === 0 && c.forbidden.length === 0 ? 'ok' : 'FAIL';
    }),
  ]);
  console.log(table(['story', ...shapes], grid));
  console.log('');
  const misses = results.filter(
    (r) => r.comparison.missing.length > 0 || r.comparison.extra.length > 0 || r.comparison.forbidden.length > 0,
  );
  console.log(`Misses (${String(misses.length)})`);
  console.log(
    table(
      ['story', 'shape', 'status', 'expected', 'got', 'missing', 'extra'],
      misses.map((r) => [
        r.story,
        r.shape,
        String(r.status),
        r.expected.join(',') || '-',
        r.got.join(',') || '-',
        r.comparison.missing.join(',') || '-',
        [...r.comparison.extra, ...r.comparison.forbidden.map((f) => `${f}(forbidden)`)]
          .filter((v, i, a) => a.indexOf(v) === i)
          .join(',') || '-',
      ]),
    ),
  );
}

await main();
