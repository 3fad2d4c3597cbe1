import { writeFileSync } from 'node:fs';
import { barChart, escapeHtml, scriptJson, style } from '../audit/report-html.js';
import type { FeedbackReport } from './report.js';

/*
 * The feedback report's report.html, in the audit report's style and on the same terms: one self-contained page, no
 * network (its content security policy allows nothing remote), charts as inline SVG, tables built in the browser
 * from JSON embedded in the page and sortable by any column.
 */

const percent = (rate: number | null): string => (rate === null ? '–' : `${(rate * 100).toFixed(1)}%`);

interface Column {
  readonly label: string;
  /** The row field it shows; `rate` fields are shown as percentages and sort as numbers. */
  readonly field: string;
  readonly kind?: 'text' | 'number' | 'rate';
}

const ruleColumns: readonly Column[] = [
  { label: 'Rule', field: 'rule' },
  { label: 'Audience', field: 'audience' },
  { label: 'Issued', field: 'issued', kind: 'number' },
  { label: 'Accepted', field: 'accepted', kind: 'number' },
  { label: 'Overridden', field: 'overridden', kind: 'number' },
  { label: 'Dismissed', field: 'dismissed', kind: 'number' },
  { label: 'Suppressed (override)', field: 'suppressedByOverride', kind: 'number' },
  { label: 'Suppressed (accepted)', field: 'suppressedByAcceptedSuggestion', kind: 'number' },
  { label: 'Shadow', field: 'shadow', kind: 'number' },
  { label: 'Acceptance rate', field: 'acceptanceRate', kind: 'rate' },
];

const weekColumns: readonly Column[] = [{ label: 'Week', field: 'week' }, ...ruleColumns];

const reasonColumns: readonly Column[] = [
  { label: 'Reason', field: 'reason' },
  { label: 'HL7 non-adherence code', field: 'hl7' },
  { label: 'Overrides', field: 'count', kind: 'number' },
  { label: 'Rules', field: 'rules' },
];

function table(id: string, columns: readonly Column[]): string {
  return `<table id="${id}" class="sortable" data-columns="${escapeHtml(JSON.stringify(columns))}"><thead><tr>${columns
    .map((c) => `<th>${escapeHtml(c.label)}</th>`)
    .join('')}</tr></thead><tbody></tbody></table>`;
}

const script = `
(function () {
  var data = JSON.parse(document.getElementById('report-data').textContent);
  function show(value, kind) {
    if (kind === 'rate') { return value === null ? '\\u2013' : (value * 100).toFixed(1) + '%'; }
    return String(value);
  }
  document.querySelectorAll('table.sortable').forEach(function (table) {
    var columns = JSON.parse(table.getAttribute('data-columns'));
    var rows = data[table.id];
    var body = table.querySelector('tbody');
    var sortColumn = -1, ascending = true;
    function key(row, column) {
      var v = row[column.field];
      if (column.kind === 'number' || column.kind === 'rate') { return v === null ? -1 : v; }
      return String(v);
    }
    function render() {
      var sorted = rows.slice();
      if (sortColumn >= 0) {
        var column = columns[sortColumn];
        sorted.sort(function (a, b) {
          var x = key(a, column), y = key(b, column);
          var order = x < y ? -1 : x > y ? 1 : 0;
          return ascending ? order : -order;
        });
      }
      body.textContent = '';
      sorted.forEach(function (row) {
        var tr = document.createElement('tr');
        columns.forEach(function (column) {
          var td = document.createElement('td');
          td.textContent = show(row[column.field], column.kind);
          tr.appendChild(td);
        });
        body.appendChild(tr);
      });
    }
    table.querySelectorAll('th').forEach(function (th, i) {
      th.setAttribute('aria-sort', 'none');
      th.addEventListener('click', function () {
        // Numbers sort largest first on the first click, text A to Z.
        var numeric = columns[i].kind === 'number' || columns[i].kind === 'rate';
        ascending = sortColumn === i ? !ascending : !numeric;
        sortColumn = i;
        table.querySelectorAll('th').forEach(function (other) { other.setAttribute('aria-sort', 'none'); });
        th.setAttribute('aria-sort', ascending ? 'ascending' : 'descending');
        render();
      });
    });
    render();
  });
})();
`;

export function writeFeedbackHtml(path: string, report: FeedbackReport): void {
  const { totals } = report;
  const total = (id: string, value: string, label: string) =>
    `<div class="total"><span class="value" id="${id}">${escapeHtml(value)}</span>${escapeHtml(label)}</div>`;
  const suppressed = totals.suppressedByOverride + totals.suppressedByAcceptedSuggestion;
  const data = {
    'rules-table': report.perRule,
    'weeks-table': report.weeks,
    'reasons-table': report.reasons.map((r) => ({
      ...r,
      rules: Object.entries(r.perRule)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([rule, n]) => `${rule} (${String(n)})`)
        .join(', '),
    })),
  };
  const page = `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'">
<title>OncoSign feedback</title><style>${style} table.sortable td { white-space: nowrap; }</style></head>
<body>
<h1>OncoSign feedback</h1>
<div class="meta">Generated ${escapeHtml(report.generatedAt)} from the ${escapeHtml(report.backend)} store. Acceptance rate: suggestions accepted per card issued. Feedback counts in the ISO week it arrived; an item sent again counts once.</div>
<div class="totals">
  ${total('total-issued', String(totals.issued), 'cards issued')}
  ${total('total-accepted', String(totals.accepted), 'accepted')}
  ${total('total-overridden', String(totals.overridden), 'overridden with a reason')}
  ${total('total-dismissed', String(totals.dismissed), 'dismissed without a reason')}
  ${total('total-suppressed', String(suppressed), 'held back by override memory')}
  ${total('total-acceptance', percent(totals.acceptanceRate), 'acceptance rate')}
</div>
<div class="totals">
  ${total('total-shadow', String(totals.shadow), 'shadow findings (not shown)')}
  ${total('total-unknown', String(totals.unknownCardFeedback), 'feedback for unknown cards (kept apart)')}
  ${total('total-legacy', String(totals.feedbackBeforeCardRecords), 'feedback from before cards were recorded')}
</div>
${barChart(
  'chart-issued',
  'Cards issued per rule',
  report.perRule.filter((r) => r.issued > 0).map((r) => ({ label: r.rule, value: r.issued })),
)}
${barChart(
  'chart-acceptance',
  'Acceptance rate per rule',
  report.perRule.filter((r) => r.acceptanceRate !== null).map((r) => ({ label: r.rule, value: r.acceptanceRate ?? 0 })),
  (rate) => percent(rate),
)}
${barChart(
  'chart-weeks',
  'Cards issued per week',
  report.perWeek.map((w) => ({ label: w.week, value: w.issued })),
)}
<section><h2>Per rule</h2><p class="meta">Click a column to sort.</p>${table('rules-table', ruleColumns)}</section>
<section><h2>Override reasons</h2>${table('reasons-table', reasonColumns)}</section>
<section><h2>Per week and rule</h2>${table('weeks-table', weekColumns)}</section>
<script type="application/json" id="report-data">${scriptJson(data)}</script>
<script>${script}</script>
</body></html>
`;
  writeFileSync(path, page);
}
