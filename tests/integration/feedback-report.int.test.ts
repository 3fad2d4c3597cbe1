import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isoWeek, type FeedbackReport } from '../../src/cli/feedback-report/report.js';
import type { StoreConfig } from '../../src/config/environment.js';
import { HL7_NON_ADHERENCE_SYSTEM } from '../../src/feedback/override-reasons.js';
import type { CardIssue, Disposition, Remembered } from '../../src/store/issuance.js';
import { openStore } from '../../src/store/open-store.js';
import { projectRoot } from '../../src/paths.js';
import { aFeedbackRecord, OVERRIDE_REASON_SYSTEM } from '../../test-support/builders.js';
import { createTestDatabase, type TestDatabase } from '../../test-support/postgres.js';
import { readJson } from '../../test-support/fixtures.js';

/*
 * `oncosign feedback-report` over a known feedback stream written through the real store (SQLite file, and the same
 * stream in PostgreSQL), run as a user runs it (bin/oncosign.js with FEEDBACK_DB or DATABASE_URL), its report.html
 * opened in headless Chromium: totals, acceptance per rule, sorting, no network.
 */

const run = promisify(execFile);
const work = mkdtempSync(join(tmpdir(), 'oncosign-feedback-report-'));

async function oncosign(env: Record<string, string>, ...args: string[]) {
  try {
    const { stdout, stderr } = await run(process.execPath, ['bin/oncosign.js', ...args], {
      cwd: projectRoot,
      timeout: 120_000,
      env: { ...process.env, FEEDBACK_DB: '', DATABASE_URL: '', ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

const W06 = '2026-02-03T10:00:00.000Z';
const W07 = '2026-02-10T10:00:00.000Z';
const ISSUER = 'https://ehr.example.org';

/**
 * The stream. INF-001: 6 + 4 cards issued, 2 overrides "documented-elsewhere" and 1 "coder-reviewed", 1 dismissal,
 * 3 held back. PAIN-004: 5 issued, 3 accepted (one sent twice), 2 held back after acceptance. DX-001: 4 issued, 1
 * override with an HL7 code. INF-002 in shadow: 7 findings. And 2 feedback items for cards never issued.
 */
async function writeStream(config: StoreConfig): Promise<void> {
  const store = await openStore(config);
  try {
    const issue = (ruleId: string, at: string, disposition: Disposition = 'shown', by?: Remembered): CardIssue => ({
      cardUuid: randomUUID(),
      findingKey: `k-${randomUUID()}`,
      ruleId,
      variant: 'default',
      serviceId: 'oncology-encounter-sign',
      hookInstance: randomUUID(),
      issuer: ISSUER,
      disposition,
      ...(by !== undefined ? { suppressedBy: by } : {}),
      issuedAt: at,
    });
    const times = <T>(n: number, make: () => T): T[] => Array.from({ length: n }, make);
    const inf001 = [...times(6, () => issue('INF-001', W06)), ...times(4, () => issue('INF-001', W07))];
    const pain004 = times(5, () => issue('PAIN-004', W06));
    const dx001 = times(4, () => issue('DX-001', W07));
    await store.recordIssuance([
      ...inf001,
      ...pain004,
      ...dx001,
      ...times(3, () => issue('INF-001', W07, 'suppressed', 'override')),
      ...times(2, () => issue('PAIN-004', W07, 'suppressed', 'accepted-suggestion')),
      ...times(7, () => issue('INF-002', W06, 'shadow')),
    ]);
    const on = (card: CardIssue, at: string, item: Partial<Parameters<typeof aFeedbackRecord>[0]>) =>
      aFeedbackRecord({
        cardUuid: card.cardUuid,
        issuer: ISSUER,
        tenant: undefined,
        receivedAt: at,
        outcomeTimestamp: at,
        ...item,
      });
    const reason = (code: string, system = OVERRIDE_REASON_SYSTEM) => ({ overrideReason: { system, code } });
    const accepted = { outcome: 'accepted' as const, acceptedSuggestions: ['s'], overrideReason: undefined };
    const acceptance = on(pain004[0]!, W06, accepted);
    await store.saveJoinedFeedback([
      on(inf001[0]!, W06, reason('documented-elsewhere')),
      on(inf001[1]!, W06, reason('documented-elsewhere')),
      on(inf001[7]!, W07, reason('coder-reviewed')),
      on(inf001[8]!, W07, { overrideReason: undefined, userComment: undefined }),
      acceptance,
      on(pain004[1]!, W06, accepted),
      on(pain004[2]!, W06, accepted),
      on(dx001[0]!, W07, reason('cds-not-applicable', HL7_NON_ADHERENCE_SYSTEM)),
      aFeedbackRecord({ receivedAt: W07 }),
      aFeedbackRecord({ receivedAt: W07 }),
    ]);
    // The client sends one acceptance again, later: counted once.
    await store.saveJoinedFeedback([{ ...acceptance, receivedAt: W07 }]);
  } finally {
    await store.close();
  }
}

const expectedTotals = {
  issued: 19,
  shadow: 7,
  suppressedByOverride: 3,
  suppressedByAcceptedSuggestion: 2,
  accepted: 3,
  overridden: 4,
  dismissed: 1,
  acceptanceRate: 0.1579,
  unknownCardFeedback: 2,
  feedbackBeforeCardRecords: 0,
};

describe('ISO weeks', () => {
  it.each([
    ['2026-02-02', '2026-W06'],
    ['2026-02-08', '2026-W06'],
    ['2026-02-09', '2026-W07'],
    ['2026-01-01', '2026-W01'],
    ['2021-01-03', '2020-W53'],
    ['2024-12-30', '2025-W01'],
  ])('%s is in %s', (day, week) => {
    expect(isoWeek(day)).toBe(week);
  });
});

describe('oncosign feedback-report', () => {
  const dbPath = join(work, 'feedback.db');
  const out = join(work, 'report');
  let database: TestDatabase;
  let browser: Browser;

  beforeAll(async () => {
    await writeStream({ backend: 'sqlite', path: dbPath });
    database = await createTestDatabase();
    await writeStream({ backend: 'postgresql', url: database.url, poolSize: 2 });
    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
    });
  }, 120_000);
  afterAll(async () => {
    await browser.close();
    await database.drop();
  });

  it('counts the stream per rule and ISO week, from the SQLite file', async () => {
    const result = await oncosign({ FEEDBACK_DB: dbPath }, 'feedback-report', '--out', out);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('4 rules, 2 weeks: 19 cards issued, 3 accepted, 4 overridden, 1 dismissed');
    expect(result.stdout).toContain('acceptance 15.8%; 2 feedback items for unknown cards');
    const summary = readJson<FeedbackReport>(join(out, 'summary.json'));
    expect(summary.totals).toMatchObject(expectedTotals);
    const rule = (id: string) => summary.perRule.find((r) => r.rule === id);
    expect(rule('INF-001')).toMatchObject({
      audience: 'clinician + coder',
      issued: 10,
      overridden: 3,
      dismissed: 1,
      suppressedByOverride: 3,
      overriddenByReason: { 'documented-elsewhere': 2, 'coder-reviewed': 1 },
      acceptanceRate: 0,
    });
    expect(rule('PAIN-004')).toMatchObject({ issued: 5, accepted: 3, acceptanceRate: 0.6 });
    expect(rule('DX-001')).toMatchObject({ overriddenByReason: { 'hl7:cds-not-applicable': 1 } });
    expect(rule('INF-002')).toMatchObject({ issued: 0, shadow: 7, acceptanceRate: null });
    expect(summary.perWeek.map((w) => [w.week, w.issued])).toEqual([
      ['2026-W06', 11],
      ['2026-W07', 8],
    ]);
    expect(summary.reasons.find((r) => r.reason === 'documented-elsewhere')).toMatchObject({
      hl7: 'action-completed',
      count: 2,
    });

    const csv = readFileSync(join(out, 'feedback.csv'), 'utf8').trim().split('\n');
    expect(csv[0]).toBe(
      'week,rule_id,audience,issued,shadow,suppressed_override,suppressed_accepted_suggestion,accepted,overridden,dismissed,acceptance_rate,override_reasons',
    );
    expect(csv).toContain('2026-W06,INF-001,clinician + coder,6,0,0,0,0,2,0,0,documented-elsewhere=2');
    expect(csv).toContain('2026-W06,PAIN-004,coder,5,0,0,0,3,0,0,0.6,');
    expect(csv).toHaveLength(1 + 6);
  });

  it('reads the same stream from PostgreSQL (DATABASE_URL) to the same figures', async () => {
    const pgOut = join(work, 'report-pg');
    const result = await oncosign({ DATABASE_URL: database.url }, 'feedback-report', '--out', pgOut);
    expect(result.code).toBe(0);
    const fromPg = readJson<FeedbackReport>(join(pgOut, 'summary.json'));
    const fromSqlite = readJson<FeedbackReport>(join(out, 'summary.json'));
    expect(fromPg.backend).toBe('postgresql');
    expect({ ...fromPg, generatedAt: '', backend: '' }).toEqual({ ...fromSqlite, generatedAt: '', backend: '' });
  });

  it('shows the totals, the acceptance per rule and sortable tables in report.html, with no network', async () => {
    const page = await browser.newPage();
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(`file://${join(out, 'report.html')}`);
    expect(await page.textContent('#total-issued')).toBe('19');
    expect(await page.textContent('#total-accepted')).toBe('3');
    expect(await page.textContent('#total-overridden')).toBe('4');
    expect(await page.textContent('#total-dismissed')).toBe('1');
    expect(await page.textContent('#total-suppressed')).toBe('5');
    expect(await page.textContent('#total-acceptance')).toBe('15.8%');
    expect(await page.textContent('#total-unknown')).toBe('2');
    const bars = await page.$$eval('#chart-acceptance .bar', (gs) =>
      gs.map((g) => [g.getAttribute('data-label'), g.querySelector('text:last-of-type')?.textContent]),
    );
    expect(Object.fromEntries(bars)).toEqual({ 'DX-001': '0.0%', 'INF-001': '0.0%', 'PAIN-004': '60.0%' });

    const column = (n: number) =>
      page.$$eval(`#rules-table tbody tr td:nth-child(${String(n)})`, (tds) => tds.map((td) => td.textContent));
    expect(await column(1)).toEqual(['DX-001', 'INF-001', 'INF-002', 'PAIN-004']);
    // Acceptance rate: largest first on the first click, then smallest first; a rule with no card issued last.
    await page.click('#rules-table th:nth-child(10)');
    expect(await column(1)).toEqual(['PAIN-004', 'DX-001', 'INF-001', 'INF-002']);
    expect(await column(10)).toEqual(['60.0%', '0.0%', '0.0%', '–']);
    await page.click('#rules-table th:nth-child(10)');
    expect((await column(1))[0]).toBe('INF-002');
    await page.click('#rules-table th:nth-child(3)');
    expect(await column(3)).toEqual(['10', '5', '4', '0']);
    await page.click('#rules-table th:nth-child(1)');
    expect(await column(1)).toEqual(['DX-001', 'INF-001', 'INF-002', 'PAIN-004']);
    expect(await page.locator('#weeks-table tbody tr').count()).toBe(6);
    expect(await page.locator('#reasons-table tbody tr').count()).toBe(3);
    expect(requests.filter((u) => !u.startsWith('file://'))).toEqual([]);
    await page.close();
  });

  it('refuses a FEEDBACK_DB that does not exist rather than report on an empty new file', async () => {
    const result = await oncosign(
      { FEEDBACK_DB: join(work, 'absent.db') },
      'feedback-report',
      '--out',
      join(work, 'x'),
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/no feedback store at .*absent\.db/);
  });
});
