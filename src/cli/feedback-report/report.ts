import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { audienceOf } from '../../cds/audience.js';
import { OVERRIDE_REASON_SYSTEM } from '../../cds/types.js';
import { HL7_EQUIVALENT, HL7_NON_ADHERENCE_SYSTEM } from '../../feedback/override-reasons.js';
import type { FeedbackReportData } from '../../store/issuance.js';
import { writeFeedbackHtml } from './report-html.js';

/*
 * `oncosign feedback-report --out DIR`: what clinicians and coders did with each rule's cards, per rule and per ISO
 * week, for the people who tune the rules. From the store's per-day counts (src/store/issuance.ts):
 *
 * - issued: cards returned (a card returned again on a later call counts again: that is the alert burden);
 * - shadow: findings of shadow-mode rules (recorded, not returned); suppressed: held back by override memory;
 * - accepted, overridden (with a coded reason, by reason), dismissed (overridden without a reason): feedback items
 *   joined to a card, an item the client sent again counted once, in the week it first arrived;
 * - acceptance rate: accepted / issued (the share of alerts fired that were accepted, as the alert-fatigue literature
 *   counts it). Per week, feedback on a card issued the week before counts in its own week.
 *
 * Feedback for cards the service has no record of is reported apart and never attributed to a rule.
 */

export interface Counts {
  issued: number;
  shadow: number;
  suppressedByOverride: number;
  suppressedByAcceptedSuggestion: number;
  accepted: number;
  overridden: number;
  dismissed: number;
  /** reason key (`code` for ours, `hl7:code` for HL7's, `system#code` otherwise) → items. */
  overriddenByReason: Record<string, number>;
}

export interface RuleRow extends Counts {
  readonly rule: string;
  readonly audience: string;
  readonly acceptanceRate: number | null;
}

export interface WeekRow extends RuleRow {
  readonly week: string;
}

export interface ReasonRow {
  readonly reason: string;
  /** The HL7 non-adherence code it maps to, if any. */
  readonly hl7: string;
  readonly count: number;
  /** rule → items. */
  readonly perRule: Record<string, number>;
}

export interface FeedbackReport {
  readonly generatedAt: string;
  readonly backend: string;
  readonly totals: Counts & {
    readonly acceptanceRate: number | null;
    readonly unknownCardFeedback: number;
    readonly feedbackBeforeCardRecords: number;
  };
  readonly perRule: readonly RuleRow[];
  readonly perWeek: readonly (Counts & { readonly week: string; readonly acceptanceRate: number | null })[];
  readonly weeks: readonly WeekRow[];
  readonly reasons: readonly ReasonRow[];
}

/** The ISO 8601 week (`2026-W07`, Monday to Sunday) of a UTC day `YYYY-MM-DD`. */
export function isoWeek(day: string): string {
  const date = new Date(`${day}T00:00:00Z`);
  const weekday = (date.getUTCDay() + 6) % 7;
  // The ISO week-numbering year is the year of the week's Thursday.
  const thursday = new Date(date.getTime() + (3 - weekday) * 86_400_000);
  const yearStart = Date.UTC(thursday.getUTCFullYear(), 0, 1);
  const week = 1 + Math.floor((thursday.getTime() - yearStart) / (7 * 86_400_000));
  return `${String(thursday.getUTCFullYear())}-W${String(week).padStart(2, '0')}`;
}

function reasonKey(system: string | null, code: string | null): string {
  if (code === null) {
    return 'none';
  }
  if (system === OVERRIDE_REASON_SYSTEM) {
    return code;
  }
  if (system === HL7_NON_ADHERENCE_SYSTEM) {
    return `hl7:${code}`;
  }
  return `${system ?? '(no system)'}#${code}`;
}

const empty = (): Counts => ({
  issued: 0,
  shadow: 0,
  suppressedByOverride: 0,
  suppressedByAcceptedSuggestion: 0,
  accepted: 0,
  overridden: 0,
  dismissed: 0,
  overriddenByReason: {},
});

const rate = (c: Counts): number | null =>
  c.issued === 0 ? null : Math.round((10_000 * c.accepted) / c.issued) / 10_000;

function add(into: Counts, from: Counts): void {
  into.issued += from.issued;
  into.shadow += from.shadow;
  into.suppressedByOverride += from.suppressedByOverride;
  into.suppressedByAcceptedSuggestion += from.suppressedByAcceptedSuggestion;
  into.accepted += from.accepted;
  into.overridden += from.overridden;
  into.dismissed += from.dismissed;
  for (const [reason, n] of Object.entries(from.overriddenByReason)) {
    into.overriddenByReason[reason] = (into.overriddenByReason[reason] ?? 0) + n;
  }
}

export function buildFeedbackReport(data: FeedbackReportData, backend: string, generatedAt: Date): FeedbackReport {
  // rule → week → counts
  const cells = new Map<string, Map<string, Counts>>();
  const cell = (rule: string, day: string): Counts => {
    const week = isoWeek(day);
    const byWeek = cells.get(rule) ?? new Map<string, Counts>();
    cells.set(rule, byWeek);
    const counts = byWeek.get(week) ?? empty();
    byWeek.set(week, counts);
    return counts;
  };
  for (const row of data.issuance) {
    const c = cell(row.ruleId, row.day);
    if (row.disposition === 'shown') {
      c.issued += row.count;
    } else if (row.disposition === 'shadow') {
      c.shadow += row.count;
    } else if (row.suppressedBy === 'accepted-suggestion') {
      c.suppressedByAcceptedSuggestion += row.count;
    } else {
      c.suppressedByOverride += row.count;
    }
  }
  for (const row of data.feedback) {
    const c = cell(row.ruleId, row.day);
    if (row.outcome === 'accepted') {
      c.accepted += row.count;
    } else if (row.reasonCode === null) {
      c.dismissed += row.count;
    } else {
      c.overridden += row.count;
      const key = reasonKey(row.reasonSystem, row.reasonCode);
      c.overriddenByReason[key] = (c.overriddenByReason[key] ?? 0) + row.count;
    }
  }

  const weeks: WeekRow[] = [];
  const perRule: RuleRow[] = [];
  const perWeekCounts = new Map<string, Counts>();
  const totals = empty();
  for (const rule of [...cells.keys()].sort()) {
    const ruleCounts = empty();
    const audience = audienceOf(rule).join(' + ') || 'unknown';
    for (const [week, counts] of [...(cells.get(rule) ?? new Map<string, Counts>())].sort(([a], [b]) =>
      a.localeCompare(b),
    )) {
      weeks.push({ week, rule, audience, ...counts, acceptanceRate: rate(counts) });
      add(ruleCounts, counts);
      const weekCounts = perWeekCounts.get(week) ?? empty();
      perWeekCounts.set(week, weekCounts);
      add(weekCounts, counts);
    }
    perRule.push({ rule, audience, ...ruleCounts, acceptanceRate: rate(ruleCounts) });
    add(totals, ruleCounts);
  }

  const reasons = new Map<string, ReasonRow>();
  for (const row of perRule) {
    for (const [reason, n] of Object.entries(row.overriddenByReason)) {
      const ours = reason.includes(':') || reason.includes('#') ? undefined : HL7_EQUIVALENT[reason];
      const entry = reasons.get(reason) ?? {
        reason,
        hl7: reason.startsWith('hl7:') ? reason.slice(4) : (ours?.code ?? ''),
        count: 0,
        perRule: {},
      };
      reasons.set(reason, { ...entry, count: entry.count + n, perRule: { ...entry.perRule, [row.rule]: n } });
    }
  }

  return {
    generatedAt: generatedAt.toISOString(),
    backend,
    totals: {
      ...totals,
      acceptanceRate: rate(totals),
      unknownCardFeedback: data.unknownCards.reduce((n, d) => n + d.count, 0),
      feedbackBeforeCardRecords: data.unjoinedLegacy,
    },
    perRule,
    perWeek: [...perWeekCounts]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([week, counts]) => ({ week, ...counts, acceptanceRate: rate(counts) })),
    weeks,
    reasons: [...reasons.values()].sort((a, b) => b.count - a.count || a.reason.localeCompare(b.reason)),
  };
}

const CSV_HEADER = [
  'week',
  'rule_id',
  'audience',
  'issued',
  'shadow',
  'suppressed_override',
  'suppressed_accepted_suggestion',
  'accepted',
  'overridden',
  'dismissed',
  'acceptance_rate',
  'override_reasons',
];

function csvField(value: string): string {
  return /[",\n\r]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** Writes DIR/feedback.csv (one row per ISO week and rule), DIR/summary.json and DIR/report.html. */
export function writeFeedbackReport(outDir: string, report: FeedbackReport): void {
  mkdirSync(outDir, { recursive: true });
  const lines = report.weeks.map((w) =>
    [
      w.week,
      w.rule,
      w.audience,
      String(w.issued),
      String(w.shadow),
      String(w.suppressedByOverride),
      String(w.suppressedByAcceptedSuggestion),
      String(w.accepted),
      String(w.overridden),
      String(w.dismissed),
      w.acceptanceRate === null ? '' : String(w.acceptanceRate),
      Object.entries(w.overriddenByReason)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([reason, n]) => `${reason}=${String(n)}`)
        .join('; '),
    ]
      .map(csvField)
      .join(','),
  );
  writeFileSync(join(outDir, 'feedback.csv'), `${[CSV_HEADER.join(','), ...lines].join('\n')}\n`);
  writeFileSync(join(outDir, 'summary.json'), `${JSON.stringify(report, null, 2)}\n`);
  writeFeedbackHtml(join(outDir, 'report.html'), report);
}
