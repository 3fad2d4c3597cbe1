import { createReadStream, openSync, closeSync, writeSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { AuditSummary } from './audit.js';

/*
 * report.html: one self-contained page (no network, no external script or font). Totals and the two charts are
 * drawn here as inline SVG; the encounter table is built in the browser from JSON embedded in the page, sortable by
 * any column, each row opening the encounter's cards. The page's content security policy allows nothing remote.
 */

export interface ReportContext {
  readonly summary: AuditSummary;
  readonly byMonth: Readonly<Record<string, Readonly<Record<string, number>>>>;
  readonly generatedAt: Date;
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${String(c.charCodeAt(0))};`);
}

/** JSON safe inside a <script> element. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

export function barChart(
  id: string,
  title: string,
  bars: readonly { label: string; value: number }[],
  format: (value: number) => string = String,
): string {
  const width = 640;
  const rowHeight = 22;
  const labelWidth = 110;
  const max = Math.max(1, ...bars.map((b) => b.value));
  const height = Math.max(1, bars.length) * rowHeight + 10;
  const rows = bars
    .map((bar, i) => {
      const y = i * rowHeight + 5;
      const w = Math.round(((width - labelWidth - 60) * bar.value) / max);
      return `<g class="bar" data-label="${escapeHtml(bar.label)}" data-value="${String(bar.value)}">
  <text x="0" y="${String(y + 15)}">${escapeHtml(bar.label)}</text>
  <rect x="${String(labelWidth)}" y="${String(y + 3)}" width="${String(w)}" height="${String(rowHeight - 6)}"></rect>
  <text x="${String(labelWidth + w + 6)}" y="${String(y + 15)}">${escapeHtml(format(bar.value))}</text>
</g>`;
    })
    .join('\n');
  return `<section><h2>${escapeHtml(title)}</h2>${
    bars.length === 0
      ? '<p class="empty">No findings.</p>'
      : `<svg id="${id}" role="img" aria-label="${escapeHtml(title)}" width="${String(width)}" height="${String(height)}">${rows}</svg>`
  }</section>`;
}

/** The alert burden: per audience, then per rule, as static tables (the page's one script is the encounter table's). */
function burdenSection(summary: AuditSummary): string {
  const { burden } = summary;
  const rows = Object.entries(burden.perRule)
    .sort(([, a], [, b]) => b.per100Encounters - a.per100Encounters)
    .map(
      ([rule, r]) =>
        `<tr data-rule="${escapeHtml(rule)}"><td>${escapeHtml(rule)}</td><td>${escapeHtml(r.audience.join(' + ') || 'unknown')}</td><td>${escapeHtml(r.mode)}</td><td>${String(r.cards)}</td><td>${r.per100Encounters.toFixed(2)}</td></tr>`,
    )
    .join('\n');
  const total = (id: string, label: string, value: { cards: number; per100Encounters: number } | undefined) =>
    `<div class="total"><span class="value" id="${id}">${(value?.per100Encounters ?? 0).toFixed(2)}</span>${escapeHtml(label)} (${String(value?.cards ?? 0)} cards)</div>`;
  return `<section><h2>Alert burden</h2>
<p class="meta">Cards per 100 encounters if every encounter were signed once, before the card budget and override memory. A rule for both audiences counts in both. Shadow and off rules show what they would add.</p>
<div class="totals">
  ${total('burden-clinician', 'per 100 encounters, clinician-facing', burden.perAudience.clinician)}
  ${total('burden-coder', 'per 100 encounters, coder-facing', burden.perAudience.coder)}
  ${total('burden-active', 'per 100 encounters, active rules', burden.perMode.active)}
  ${total('burden-shadow', 'per 100 encounters, shadow rules', burden.perMode.shadow)}
</div>
<table id="burden-table"><thead><tr><th>Rule</th><th>Audience</th><th>Mode</th><th>Cards</th><th>Per 100 encounters</th></tr></thead><tbody>
${rows}
</tbody></table></section>`;
}

/** The page style, shared with the feedback report so both read alike. */
export const style = `
body { font: 14px/1.45 system-ui, sans-serif; margin: 24px; color: #1d2430; }
h1 { margin: 0 0 4px; } .meta { color: #5b6575; margin-bottom: 20px; }
.totals { display: flex; gap: 16px; margin-bottom: 24px; }
.total { border: 1px solid #d5dae3; border-radius: 6px; padding: 10px 16px; min-width: 120px; }
.total .value { font-size: 24px; font-weight: 600; display: block; }
svg text { font-size: 12px; fill: #1d2430; } svg rect { fill: #3b6fb6; }
table { border-collapse: collapse; width: 100%; margin-top: 8px; }
th, td { text-align: left; padding: 6px 8px; border-bottom: 1px solid #e3e7ee; vertical-align: top; }
th { cursor: pointer; user-select: none; background: #f4f6fa; } th[aria-sort]::after { content: ' ↕'; color: #8a94a6; }
tr.encounter { cursor: pointer; } tr.encounter:hover { background: #f7f9fc; }
tr.cards td { background: #fbfcfe; } .card { margin: 6px 0 10px; }
.indicator { font-weight: 600; text-transform: uppercase; font-size: 11px; padding: 1px 6px; border-radius: 3px; }
.warning { background: #fff1d6; } .info { background: #e3efff; } .critical { background: #ffd9d9; }
pre { white-space: pre-wrap; margin: 4px 0; font: 12px/1.4 ui-monospace, monospace; color: #3a4352; }
.empty { color: #5b6575; }
`;

const script = `
(function () {
  var rows = JSON.parse(document.getElementById('encounter-data').textContent);
  var table = document.getElementById('encounters-table');
  var body = table.querySelector('tbody');
  var columns = [
    function (r) { return r.patient; },
    function (r) { return r.encounter; },
    function (r) { return r.date; },
    function (r) { return r.cards.length; },
    function (r) { return r.cards.map(function (c) { return c.rule; }).join(' '); }
  ];
  var sortColumn = 2, ascending = false;
  function cell(tr, text) { var td = document.createElement('td'); td.textContent = String(text); tr.appendChild(td); return td; }
  function render() {
    var sorted = rows.slice().sort(function (a, b) {
      var x = columns[sortColumn](a), y = columns[sortColumn](b);
      var order = x < y ? -1 : x > y ? 1 : 0;
      return ascending ? order : -order;
    });
    body.textContent = '';
    sorted.forEach(function (r) {
      var tr = document.createElement('tr');
      tr.className = 'encounter';
      tr.setAttribute('data-encounter', r.encounter);
      columns.forEach(function (get) { cell(tr, get(r)); });
      tr.addEventListener('click', function () {
        var next = tr.nextSibling;
        if (next && next.className === 'cards') { next.remove(); return; }
        var detail = document.createElement('tr');
        detail.className = 'cards';
        var td = document.createElement('td');
        td.colSpan = columns.length;
        r.cards.forEach(function (c) {
          var div = document.createElement('div'); div.className = 'card';
          var badge = document.createElement('span'); badge.className = 'indicator ' + c.indicator; badge.textContent = c.indicator;
          var title = document.createElement('strong'); title.textContent = ' ' + c.rule + ': ' + c.summary;
          var pre = document.createElement('pre'); pre.textContent = c.detail;
          div.appendChild(badge); div.appendChild(title); div.appendChild(pre);
          td.appendChild(div);
        });
        detail.appendChild(td);
        tr.parentNode.insertBefore(detail, tr.nextSibling);
      });
      body.appendChild(tr);
    });
  }
  table.querySelectorAll('th').forEach(function (th, i) {
    th.setAttribute('aria-sort', 'none');
    th.addEventListener('click', function () {
      ascending = sortColumn === i ? !ascending : true;
      sortColumn = i;
      render();
    });
  });
  render();
})();
`;

/** Writes the page, streaming the encounter rows from the audit's data file into it. */
export async function writeHtmlReport(path: string, encounterDataPath: string, context: ReportContext): Promise<void> {
  const { summary, byMonth } = context;
  const totalFindings = Object.values(summary.findings).reduce((a, b) => a + b, 0);
  const perRule = Object.entries(summary.findings)
    .filter(([, n]) => n > 0)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([label, value]) => ({ label, value }));
  const perMonth = Object.entries(byMonth)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([label, counts]) => ({ label, value: Object.values(counts).reduce((a, b) => a + b, 0) }));
  const skipped = summary.skipped.length
    ? `<ul>${summary.skipped.map((s) => `<li>${escapeHtml(s.file)}: ${escapeHtml(s.reason)}</li>`).join('')}</ul>`
    : '<p class="empty">None.</p>';

  const fd = openSync(path, 'w');
  try {
    writeSync(
      fd,
      `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'">
<title>OncoSign audit</title><style>${style}</style></head>
<body>
<h1>OncoSign audit</h1>
<div class="meta">Generated ${escapeHtml(context.generatedAt.toISOString())}. Every encounter evaluated as if it were being signed.</div>
<div class="totals">
  <div class="total"><span class="value" id="total-patients">${String(summary.patients)}</span>patients</div>
  <div class="total"><span class="value" id="total-encounters">${String(summary.encounters)}</span>encounters</div>
  <div class="total"><span class="value" id="total-findings">${String(totalFindings)}</span>findings</div>
  <div class="total"><span class="value" id="total-skipped">${String(summary.skipped.length)}</span>inputs skipped</div>
</div>
${barChart('chart-rules', 'Findings per rule', perRule)}
${barChart('chart-months', 'Findings per month', perMonth)}
${burdenSection(summary)}
<section><h2>Encounters with findings</h2><p class="meta">Click a column to sort, a row to see its cards.</p>
<table id="encounters-table"><thead><tr><th>Patient</th><th>Encounter</th><th>Date</th><th>Findings</th><th>Rules</th></tr></thead><tbody></tbody></table>
</section>
<section><h2>Inputs skipped</h2>${skipped}</section>
<script type="application/json" id="encounter-data">[`,
    );
    let first = true;
    const lines = createInterface({ input: createReadStream(encounterDataPath, 'utf8'), crlfDelay: Infinity });
    for await (const line of lines) {
      if (line === '') {
        continue;
      }
      writeSync(fd, `${first ? '' : ','}${scriptJson(JSON.parse(line))}`);
      first = false;
    }
    writeSync(fd, `]</script>\n<script>${script}</script>\n</body></html>\n`);
  } finally {
    closeSync(fd);
  }
}
