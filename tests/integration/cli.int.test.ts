import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Bundle, Resource } from 'fhir/r4.js';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadFhirResources, startMemoryFhirServer } from '../../src/devtools/memory-fhir-server.js';
import { projectRoot } from '../../src/paths.js';
import { anInfusion, CARBOPLATIN, encounterSignRequest } from '../../test-support/builders.js';
import { externalFixtures, readJson } from '../../test-support/fixtures.js';
import { parseGfm, textOf, typesIn } from '../../test-support/gfm.js';

const run = promisify(execFile);
const work = mkdtempSync(join(tmpdir(), 'oncosign-cli-'));

/** The real command, through its bin launcher, as a user runs it. */
async function oncosign(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['bin/oncosign.js', ...args], {
      cwd: projectRoot,
      timeout: 120_000,
      maxBuffer: 32 * 1024 * 1024,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

interface Summary {
  patients: number;
  encounters: number;
  findings: Record<string, number>;
  skipped: { file: string; reason: string }[];
  burden: {
    encounters: number;
    perRule: Record<string, { audience: string[]; mode: string; cards: number; per100Encounters: number }>;
    perAudience: Record<'clinician' | 'coder', { rules: number; cards: number; per100Encounters: number }>;
    perMode: Record<string, { rules: number; cards: number; per100Encounters: number }>;
  };
}

const fired = (summary: Summary) => Object.fromEntries(Object.entries(summary.findings).filter(([, n]) => n > 0));

describe('oncosign evaluate', () => {
  const requestFile = join(work, 'request.json');
  beforeAll(() => {
    const open = anInfusion({ id: 'ma-open', effectivePeriod: { start: '2025-03-04T10:00:00-05:00' } });
    writeFileSync(requestFile, JSON.stringify(encounterSignRequest({ administrations: [open] })));
  });

  it('prints the cards of a request file', async () => {
    const result = await oncosign('evaluate', requestFile);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^oncology-encounter-sign: 1 card\(s\)/);
    expect(result.stdout).toContain('[WARNING] INF-001: Missing infusion stop time for carboplatin.');
  });

  it('--json prints the response body the service sends', async () => {
    const result = await oncosign('evaluate', requestFile, '--json');
    const body = JSON.parse(result.stdout) as { cards: { source: { topic: { code: string } }; uuid: string }[] };
    expect(Object.keys(body)).toEqual(['cards']);
    expect(body.cards.map((c) => c.source.topic.code)).toEqual(['INF-001']);
    expect(body.cards[0]?.uuid).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('shows markup in a drug text literally: INF-001 detail parses to text, the summary has no tag (issue 18)', async () => {
    const payload = 'carboplatin <img src=x onerror="alert(1)">';
    const administration = anInfusion({
      id: 'ma-markup',
      medicationCodeableConcept: { ...CARBOPLATIN, text: payload },
      effectivePeriod: { start: '2025-03-04T10:00:00-05:00' },
    });
    const file = join(work, 'markup.json');
    writeFileSync(file, JSON.stringify(encounterSignRequest({ administrations: [administration] })));
    const result = await oncosign('evaluate', file, '--json');
    expect(result.code).toBe(0);
    const [card] = (JSON.parse(result.stdout) as { cards: { summary: string; detail: string }[] }).cards;
    const tree = parseGfm(card?.detail ?? '');
    expect([...typesIn(tree)].filter((t) => !['root', 'paragraph', 'strong', 'text'].includes(t))).toEqual([]);
    expect(textOf(tree)).toContain(`The infusion of ${payload} started at 2025-03-04T10:00:00-05:00`);
    expect(card?.summary).toContain('carboplatin ‹img src=x onerror="alert(1)"›');
  });

  it('reads missing data from fhirServer (the loopback FHIR server)', async () => {
    const { resources } = await loadFhirResources([join(projectRoot, 'demo', 'sample-patients.json')]);
    const server = await startMemoryFhirServer({ resources });
    try {
      const file = join(work, 'no-prefetch.json');
      writeFileSync(
        file,
        JSON.stringify({
          hook: 'encounter-sign',
          hookInstance: '5c0f0b1e-0b7a-4f57-9f5e-6d1f1f0a9c11',
          fhirServer: server.baseUrl,
          context: { userId: 'Practitioner/1', patientId: 'demo-ava', encounterId: 'demo-ava-visit' },
        }),
      );
      const result = await oncosign('evaluate', file);
      expect(result.code).toBe(0);
      expect(result.stdout).toContain('INF-001: Missing infusion stop time for carboplatin');
      expect(server.requests.some((r) => r.url.startsWith('/fhir/MedicationAdministration?'))).toBe(true);
    } finally {
      await server.close();
    }
  });

  it.each([
    ['not JSON', '{nope', /not a readable JSON file/],
    ['not a CDS Hooks request', '{"hello": "world"}', /not a CDS Hooks request: hook/],
    [
      'a hook no service answers',
      '{"hook":"order-sign","hookInstance":"x","context":{}}',
      /no service answers hook order-sign/,
    ],
    [
      'required data missing',
      '{"hook":"encounter-sign","hookInstance":"x","context":{"userId":"Practitioner/1","patientId":"p","encounterId":"e"}}',
      /DATA_UNAVAILABLE/,
    ],
  ])('exits 2 with a one-line reason for %s', async (_name, content, reason) => {
    const file = join(work, `bad-${String(Math.random()).slice(2)}.json`);
    writeFileSync(file, content);
    const result = await oncosign('evaluate', file);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(reason);
  });
});

describe('oncosign audit', () => {
  it('counts the CMS157 measure-author cases as hand-checked: 10 patients, 10 encounters, 2 x PAIN-001, 2 x PAIN-002', async () => {
    const out = join(work, 'cms157');
    const result = await oncosign(
      'audit',
      `${externalFixtures}ecqm-cms157-oncology-pain-intensity/tests`,
      '--out',
      out,
    );
    expect(result.code).toBe(0);
    const summary = readJson<Summary>(join(out, 'summary.json'));
    expect(Object.keys(summary)).toEqual(['patients', 'encounters', 'findings', 'skipped', 'burden']);
    // Alert burden: PAIN-001 and PAIN-002 are clinician-facing (the catalogue's CLIN), 2 cards each in 10 encounters.
    expect(summary.burden.perRule['PAIN-001']).toEqual({
      audience: ['clinician'],
      mode: 'active',
      cards: 2,
      per100Encounters: 20,
    });
    expect(summary.burden.perAudience.clinician).toMatchObject({ cards: 4, per100Encounters: 40 });
    expect(summary.burden.perAudience.coder).toMatchObject({ cards: 0, per100Encounters: 0 });
    expect(result.stdout).toContain(
      'alert burden: 40.00 clinician-facing and 0.00 coder-facing cards per 100 encounters',
    );
    expect(summary.patients).toBe(10);
    expect(summary.encounters).toBe(10);
    expect(fired(summary)).toEqual({ 'PAIN-001': 2, 'PAIN-002': 2 });
    expect(summary.skipped).toEqual([]);
    const csv = readFileSync(join(out, 'findings.csv'), 'utf8').trim().split('\n');
    expect(csv[0]).toBe('patient,encounter,date,rule_id,indicator,summary,evidence');
    expect(csv).toHaveLength(5);
    expect(csv.filter((line) => line.includes(',PAIN-002,warning,'))).toHaveLength(2);
  });

  it('reports the burden of shadow rules, and with --all-rules of the rules the site has off', async () => {
    const site = join(work, 'shadow-site.json');
    writeFileSync(site, JSON.stringify({ rules: { 'PAIN-002': { mode: 'shadow' } } }));
    const out = join(work, 'cms157-shadow');
    const { stdout } = await run(
      process.execPath,
      [
        'bin/oncosign.js',
        'audit',
        `${externalFixtures}ecqm-cms157-oncology-pain-intensity/tests`,
        '--out',
        out,
        '--all-rules',
      ],
      { cwd: projectRoot, timeout: 120_000, env: { ...process.env, SITE_CONFIG: site } },
    );
    expect(stdout).toContain('10 encounters');
    const summary = readJson<Summary>(join(out, 'summary.json'));
    expect(summary.burden.perRule['PAIN-002']).toMatchObject({ mode: 'shadow', cards: 2, per100Encounters: 20 });
    expect(summary.burden.perRule['PAIN-001']).toMatchObject({ mode: 'active', cards: 2 });
    // INF-020 ships off: evaluated only with --all-rules, and reported as off.
    expect(summary.burden.perRule['INF-020']).toMatchObject({ mode: 'off', audience: ['clinician'] });
    expect(summary.burden.perMode.shadow).toEqual({ rules: 1, cards: 2, per100Encounters: 20 });
    expect(summary.burden.perMode.active).toMatchObject({ cards: 2, per100Encounters: 20 });
  });

  it('finds nothing for the six Synthea patients without cancer', async () => {
    const out = join(work, 'non-oncology');
    await oncosign('audit', `${externalFixtures}synthea-smart-generated-sample-data/non-oncology`, '--out', out);
    const summary = readJson<Summary>(join(out, 'summary.json'));
    expect([summary.patients, summary.encounters]).toEqual([6, 75]);
    expect(fired(summary)).toEqual({});
    expect(readFileSync(join(out, 'findings.csv'), 'utf8').trim().split('\n')).toHaveLength(1);
  });

  it('reads a Bulk Data NDJSON export (one file per type) to the same findings as the bundle', async () => {
    const bundleFile = `${externalFixtures}synthea-smart-generated-sample-data/oncology/Gilbert_Wunsch_ab591293-dc94-4290-a29f-f35522273600.json`;
    const exportDir = join(work, 'bulk');
    mkdirSync(exportDir, { recursive: true });
    const { resources } = await loadFhirResources([bundleFile]);
    const byType = new Map<string, Resource[]>();
    for (const resource of resources) {
      byType.set(resource.resourceType, [...(byType.get(resource.resourceType) ?? []), resource]);
    }
    for (const [type, list] of byType) {
      writeFileSync(join(exportDir, `${type}.ndjson`), `${list.map((r) => JSON.stringify(r)).join('\n')}\n`);
    }
    await oncosign('audit', bundleFile, '--out', join(work, 'as-bundle'));
    await oncosign('audit', exportDir, '--out', join(work, 'as-ndjson'));
    const asBundle = readJson<Summary>(join(work, 'as-bundle', 'summary.json'));
    const asNdjson = readJson<Summary>(join(work, 'as-ndjson', 'summary.json'));
    expect(asNdjson).toEqual(asBundle);
    expect(asBundle.encounters).toBeGreaterThan(50);
    expect(Object.values(asBundle.findings).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
  });

  it('skips a corrupt file and a corrupt NDJSON line with their reasons, and finishes', async () => {
    const input = join(work, 'mixed');
    mkdirSync(input, { recursive: true });
    writeFileSync(join(input, 'broken.json'), '{"resourceType": "Bundle", "entry": [');
    writeFileSync(
      join(input, 'Patient.ndjson'),
      `${JSON.stringify({ resourceType: 'Patient', id: 'p-ok' })}\nnot json at all\n`,
    );
    writeFileSync(
      join(input, 'Encounter.ndjson'),
      `${JSON.stringify({ resourceType: 'Encounter', id: 'e-ok', status: 'finished', class: { code: 'AMB' }, subject: { reference: 'Patient/p-ok' }, period: { start: '2025-01-01T10:00:00Z' } })}\n`,
    );
    const out = join(work, 'mixed-out');
    const result = await oncosign('audit', input, '--out', out);
    expect(result.code).toBe(0);
    const summary = readJson<Summary>(join(out, 'summary.json'));
    expect([summary.patients, summary.encounters]).toEqual([1, 1]);
    expect(summary.skipped).toEqual([
      { file: join(input, 'Patient.ndjson'), reason: expect.stringMatching(/^line 2: invalid JSON/) },
      { file: join(input, 'broken.json'), reason: expect.stringMatching(/^invalid JSON/) },
    ]);
  });
});

describe('report.html in headless Chromium', () => {
  let browser: Browser;
  const out = join(work, 'report');
  beforeAll(async () => {
    await oncosign(
      'audit',
      `${externalFixtures}ecqm-cms157-oncology-pain-intensity/tests`,
      `${externalFixtures}synthea-smart-generated-sample-data`,
      '--out',
      out,
    );
    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    });
  }, 180_000);
  afterAll(async () => {
    await browser.close();
  });

  it("shows the totals and a sortable table that opens each encounter's cards, with no network", async () => {
    const summary = readJson<Summary>(join(out, 'summary.json'));
    const page = await browser.newPage();
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(`file://${join(out, 'report.html')}`);
    expect(await page.textContent('#total-patients')).toBe(String(summary.patients));
    expect(await page.textContent('#total-encounters')).toBe(String(summary.encounters));
    const total = Object.values(summary.findings).reduce((a, b) => a + b, 0);
    expect(await page.textContent('#total-findings')).toBe(String(total));
    expect(await page.textContent('#burden-clinician')).toBe(
      summary.burden.perAudience.clinician.per100Encounters.toFixed(2),
    );
    expect(await page.locator('#burden-table tbody tr').count()).toBe(Object.keys(summary.burden.perRule).length);
    const bars = await page.$$eval('#chart-rules .bar', (gs) =>
      gs.map((g) => [g.getAttribute('data-label'), g.getAttribute('data-value')]),
    );
    expect(Object.fromEntries(bars)).toEqual(
      Object.fromEntries(Object.entries(fired(summary)).map(([k, v]) => [k, String(v)])),
    );

    const rows = page.locator('#encounters-table tbody tr.encounter');
    const encountersWithFindings = new Set(
      readFileSync(join(out, 'findings.csv'), 'utf8')
        .trim()
        .split('\n')
        .slice(1)
        .map((l) => l.split(',')[1]),
    );
    expect(await rows.count()).toBe(encountersWithFindings.size);
    // Default order: newest first. Clicking "Date" sorts ascending.
    const dates = async () =>
      page.$$eval('#encounters-table tbody tr.encounter td:nth-child(3)', (tds) =>
        tds.map((td) => td.textContent ?? ''),
      );
    const before = await dates();
    expect(before).toEqual([...before].sort().reverse());
    await page.click('#encounters-table th:nth-child(3)');
    const after = await dates();
    expect(after).toEqual([...before].sort());
    await rows.first().click();
    const cards = page.locator('#encounters-table tr.cards .card');
    expect(await cards.count()).toBeGreaterThan(0);
    expect(await cards.first().textContent()).toMatch(/(PAIN|INF|DX)-\d{3}: /);
    expect(requests.filter((u) => !u.startsWith('file://'))).toEqual([]);
    await page.close();
  });
});

describe('oncosign fhir-server', () => {
  it('serves the loaded files and prints its base URL', async () => {
    const child = spawn(
      process.execPath,
      ['bin/oncosign.js', 'fhir-server', '--load', join(projectRoot, 'demo', 'sample-patients.json'), '--port', '0'],
      {
        cwd: projectRoot,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    try {
      const baseUrl = await new Promise<string>((resolve, reject) => {
        let text = '';
        child.stdout.on('data', (chunk: Buffer) => {
          text += chunk.toString();
          const match = / at (http:\/\/\S+)/.exec(text);
          if (match?.[1] !== undefined) {
            resolve(match[1]);
          }
        });
        child.on('exit', () => {
          reject(new Error(`exited: ${text}`));
        });
      });
      const bundle = (await (await fetch(`${baseUrl}/Encounter?patient=Patient/demo-ava`)).json()) as Bundle;
      expect(bundle.entry?.map((e) => e.resource?.id)).toEqual(['demo-ava-visit']);
    } finally {
      child.kill('SIGTERM');
    }
  }, 60_000);

  it('prints usage with --help', async () => {
    const result = await oncosign('--help');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('oncosign audit PATH... --out DIR');
  });
});
