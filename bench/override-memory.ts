import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FhirResource } from 'fhir/r4.js';
import { buildFeedbackReport, writeFeedbackReport } from '../src/cli/feedback-report/report.js';
import { loadConfig } from '../src/config/environment.js';
import { startLocalIssuer, type LocalIssuer } from '../src/devtools/local-issuer.js';
import { closeServer } from '../src/devtools/servers.js';
import { createLogger } from '../src/observability/logger.js';
import { createService, type Service } from '../src/wiring.js';
import { anEncounter, anInfusion, searchset } from '../test-support/builders.js';

/*
 * Override memory on a replayed day: `npx tsx bench/override-memory.ts [--encounters N] [--seed S] [--out DIR]`.
 *
 * A generated clinic day (seeded, so every run is the same day): encounters with chemotherapy infusions lacking a
 * stop time (INF-001), infusions lacking a start time (INF-002), and pain plans whose CPT II code is missing
 * (PAIN-004, with a suggestion). Each encounter is signed one to four times over the day (addenda, corrections), and
 * between signings its record may change: another infusion is charted, a stop time is added, an accepted 0521F
 * reaches the record. Whoever signs acts on each card shown as a fixed "clinician" would: overrides it with a reason,
 * dismisses it without one, accepts its suggestion, or ignores it, decided once per encounter, rule and evidence.
 *
 * The same day is replayed against two real services (HTTP, JWTs, a SQLite file each), override memory on (the
 * default) and off, with the same feedback sent for every card shown. It prints the cards shown by each, and then
 * the feedback report of the run with memory on (also written to --out as feedback.csv, summary.json, report.html).
 */

interface Options {
  encounters: number;
  seed: number;
  out: string | undefined;
}

function parseOptions(argv: readonly string[]): Options {
  const value = (name: string): string | undefined => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  return {
    encounters: Number(value('--encounters') ?? 300),
    seed: Number(value('--seed') ?? 15),
    out: value('--out'),
  };
}

/** mulberry32: a small seeded generator, so the day is reproducible. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** What is charted for one encounter at one signing. */
interface EncounterState {
  readonly patient: string;
  readonly encounter: string;
  /** Infusions without a stop time (INF-001 rests on them). */
  openInfusions: string[];
  /** An infusion without a start time (INF-002). */
  noStartInfusion: boolean;
  /** Pain and a pain plan documented, and whether CPT II 0521F is on the encounter (PAIN-004 when not). */
  painPlan: boolean;
  has0521F: boolean;
}

type Action = 'override' | 'dismiss' | 'accept' | 'ignore';

/**
 * The "clinician": what is done with a card, fixed per encounter, rule and evidence (the same card shown again gets
 * the same answer). Rates are JUDGMENT, within the published ranges (most alerts are overridden: van der Sijs 2006).
 */
function decide(seed: number, key: string, hasSuggestion: boolean): Action {
  let h = seed;
  for (const c of key) {
    h = Math.imul(h ^ c.charCodeAt(0), 2654435761) >>> 0;
  }
  const r = random(h)();
  if (hasSuggestion) {
    return r < 0.45 ? 'accept' : r < 0.65 ? 'override' : r < 0.8 ? 'dismiss' : 'ignore';
  }
  return r < 0.45 ? 'override' : r < 0.65 ? 'dismiss' : 'ignore';
}

function request(state: EncounterState, hookInstance: string): Record<string, unknown> {
  const patient = { reference: `Patient/${state.patient}` };
  const here = { reference: `Encounter/${state.encounter}` };
  const encounter = anEncounter({
    id: state.encounter,
    subject: patient,
    ...(state.painPlan ? { type: [{ coding: [{ system: 'http://www.ama-assn.org/go/cpt', code: '99214' }] }] } : {}),
  });
  const infusion = (id: string, period: Record<string, string> | undefined) =>
    anInfusion({
      id,
      subject: patient,
      context: here,
      ...(period ? { effectivePeriod: period } : { effectivePeriod: undefined }),
    });
  const administrations = [
    ...state.openInfusions.map((id) => infusion(id, { start: '2026-02-09T10:00:00Z' })),
    ...(state.noStartInfusion ? [infusion(`${state.encounter}-ns`, undefined)] : []),
  ];
  const code = (id: string, cpt: string, extra: Record<string, unknown> = {}) => ({
    resourceType: 'Procedure',
    id,
    status: 'completed',
    subject: patient,
    encounter: here,
    code: { coding: [{ system: 'http://www.ama-assn.org/go/cpt', code: cpt }] },
    ...extra,
  });
  const procedures: unknown[] = [code(`${state.encounter}-adm`, '96413')];
  const conditions: unknown[] = [];
  const extra: Record<string, unknown> = {};
  if (state.painPlan) {
    conditions.push(
      {
        resourceType: 'Condition',
        id: `${state.encounter}-cancer`,
        subject: patient,
        clinicalStatus: {
          coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'active' }],
        },
        category: [
          {
            coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-category', code: 'problem-list-item' }],
          },
        ],
        code: { coding: [{ system: 'http://hl7.org/fhir/sid/icd-10-cm', code: 'C50.912' }] },
        onsetDateTime: '2025-10-01',
      },
      {
        resourceType: 'Condition',
        id: `${state.encounter}-pain`,
        subject: patient,
        encounter: here,
        code: { coding: [{ system: 'http://hl7.org/fhir/sid/icd-10-cm', code: 'G89.3' }] },
      },
    );
    procedures.push(
      code(`${state.encounter}-cycle`, '96413', { encounter: undefined, performedDateTime: '2026-01-26T10:00:00Z' }),
    );
    if (state.has0521F) {
      procedures.push(code(`${state.encounter}-0521f`, '0521F'));
    }
    extra.painScores = searchset([
      {
        resourceType: 'Observation',
        id: `${state.encounter}-score`,
        status: 'final',
        subject: patient,
        encounter: here,
        code: { coding: [{ system: 'http://loinc.org', code: '72514-3' }] },
        effectiveDateTime: '2026-02-09T09:10:00Z',
        valueQuantity: { value: 6, unit: '{score}' },
      },
    ] as FhirResource[]);
    extra.carePlans = searchset([
      {
        resourceType: 'CarePlan',
        id: `${state.encounter}-plan`,
        status: 'active',
        intent: 'plan',
        subject: patient,
        encounter: here,
        addresses: [{ reference: `Condition/${state.encounter}-pain` }],
      },
    ] as FhirResource[]);
  }
  return {
    hook: 'encounter-sign',
    hookInstance,
    context: { userId: 'Practitioner/onc-7', patientId: state.patient, encounterId: state.encounter },
    prefetch: {
      encounter: { ...encounter, period: { start: '2026-02-09T09:00:00Z' } },
      conditions: searchset(conditions as FhirResource[]),
      procedures: searchset(procedures as FhirResource[]),
      medicationAdministrations: searchset(administrations),
      ...extra,
    },
  };
}

/** One signing of one encounter, with the record as it is then. */
interface Call {
  readonly state: EncounterState;
  readonly at: number;
}

/** The day: every encounter's signings in time order, with the record changing between them. */
function generateDay(options: Options): Call[] {
  const rnd = random(options.seed);
  const dayStart = Date.parse('2026-02-09T07:00:00Z');
  const calls: Call[] = [];
  for (let i = 0; i < options.encounters; i += 1) {
    const state: EncounterState = {
      patient: `p-${String(i)}`,
      encounter: `e-${String(i)}`,
      openInfusions: rnd() < 0.45 ? [`e-${String(i)}-ma-1`] : [],
      noStartInfusion: rnd() < 0.15,
      painPlan: rnd() < 0.35,
      has0521F: false,
    };
    const signings = 1 + Math.floor(rnd() * rnd() * 4);
    let at = dayStart + Math.floor(rnd() * 9 * 3_600_000);
    let charted = 1;
    for (let s = 0; s < signings; s += 1) {
      calls.push({ state: structuredClone(state), at });
      // Between signings (an addendum, a correction), the record may change: another infusion without its stop
      // time is charted (new evidence), or a stop time is added (one piece of evidence fewer).
      const change = rnd();
      if (change < 0.2) {
        charted += 1;
        state.openInfusions.push(`${state.encounter}-ma-${String(charted)}`);
      } else if (change < 0.4 && state.openInfusions.length > 0) {
        state.openInfusions.shift();
      }
      at += Math.floor((10 + rnd() * 90) * 60_000);
    }
  }
  return calls.sort((a, b) => a.at - b.at);
}

interface RunResult {
  readonly shown: Record<string, number>;
  readonly calls: number;
  readonly feedbackItems: number;
  readonly service: Service;
  close(): Promise<void>;
}

interface ShownCard {
  uuid: string;
  source: { topic: { code: string } };
  suggestions?: { uuid: string }[];
  extension?: Record<string, unknown>;
}

/** Replays the day against a new service; `issuer` is the EHR, the same for both runs (it is part of every key). */
async function replay(
  day: readonly Call[],
  options: Options,
  memory: boolean,
  dir: string,
  issuer: LocalIssuer,
): Promise<RunResult> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const baseUrl = `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`;
  const site = join(dir, `site-${memory ? 'on' : 'off'}.json`);
  writeFileSync(site, JSON.stringify({ overrideMemory: { enabled: memory } }));
  let clock = day[0]?.at ?? Date.now();
  const config = loadConfig({
    PUBLIC_BASE_URL: baseUrl,
    CDS_TRUSTED_ISSUERS: JSON.stringify([{ iss: issuer.iss, jku: issuer.jku }]),
    FEEDBACK_DB: join(dir, `memory-${memory ? 'on' : 'off'}.db`),
    FINDING_KEY_SECRET: 'bench-override-memory-secret-0123456789',
    LOG_LEVEL: 'silent',
    RATE_LIMIT_PER_MINUTE: '1000000',
    SITE_CONFIG: site,
  });
  const service = await createService(config, createLogger('silent'), { now: () => new Date(clock) });
  server.on('request', service.app);
  const post = async (path: string, body: unknown): Promise<unknown> => {
    const res = await fetch(`${baseUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${issuer.sign(`${baseUrl}${path}`)}` },
      body: JSON.stringify(body),
    });
    if (res.status !== 200) {
      throw new Error(`${path}: ${String(res.status)} ${await res.text()}`);
    }
    return res.json();
  };
  const shown: Record<string, number> = {};
  let feedbackItems = 0;
  let n = 0;
  for (const call of day) {
    clock = call.at;
    n += 1;
    const hookInstance = `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
    const { cards } = (await post('/cds-services/oncology-encounter-sign', request(call.state, hookInstance))) as {
      cards: ShownCard[];
    };
    await service.feedbackLoop.drain();
    const items: unknown[] = [];
    for (const card of cards) {
      const rule = card.source.topic.code;
      shown[rule] = (shown[rule] ?? 0) + 1;
      // The card uuid stands for rule, encounter and evidence: the same card gets the same answer.
      const action = decide(options.seed, card.uuid, card.suggestions !== undefined);
      const outcomeTimestamp = new Date(clock + 30_000).toISOString();
      if (action === 'override') {
        const reason =
          rule === 'PAIN-004'
            ? 'registry-reporting'
            : rule === 'INF-001'
              ? 'documented-elsewhere'
              : 'rule-not-applicable';
        items.push({
          card: card.uuid,
          outcome: 'overridden',
          overrideReason: { reason: { system: 'urn:oncosign:override-reason', code: reason } },
          outcomeTimestamp,
        });
      } else if (action === 'dismiss') {
        items.push({ card: card.uuid, outcome: 'overridden', outcomeTimestamp });
      } else if (action === 'accept' && card.suggestions?.[0] !== undefined) {
        items.push({
          card: card.uuid,
          outcome: 'accepted',
          acceptedSuggestions: [{ id: card.suggestions[0].uuid }],
          outcomeTimestamp,
        });
        // The accepted 0521F reaches the record by a later signing half of the time (the EHR's own lag).
        if (decide(options.seed + 1, card.uuid, false) !== 'ignore') {
          for (const later of day) {
            if (later.state.encounter === call.state.encounter && later.at > call.at) {
              later.state.has0521F = true;
            }
          }
        }
      }
    }
    if (items.length > 0) {
      clock += 30_000;
      await post('/cds-services/oncology-encounter-sign/feedback', { feedback: items });
      feedbackItems += items.length;
    }
  }
  return {
    shown,
    calls: day.length,
    feedbackItems,
    service,
    async close() {
      await closeServer(server);
      await service.store.close();
    },
  };
}

const total = (counts: Record<string, number>): number => Object.values(counts).reduce((a, b) => a + b, 0);

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const dir = mkdtempSync(join(tmpdir(), 'oncosign-override-memory-'));
  try {
    // Each run mutates its own copy of the day (accepted 0521F reaching the record), so both start equal.
    // A fixed iss: the issuer is part of every finding key, and the "clinician" answers by card uuid, so a port in
    // the iss would make every run a different day.
    const issuer = await startLocalIssuer({ iss: 'https://ehr.example.org/bench' });
    const on = await replay(generateDay(options), options, true, dir, issuer);
    const off = await replay(generateDay(options), options, false, dir, issuer);
    const rules = [...new Set([...Object.keys(on.shown), ...Object.keys(off.shown)])].sort();
    const lines = [
      `override memory, a replayed day (seed ${String(options.seed)}): ${String(options.encounters)} encounters, ${String(on.calls)} signings`,
      '',
      'cards shown        memory off   memory on   fewer',
      ...rules.map(
        (rule) =>
          `  ${rule.padEnd(16)} ${String(off.shown[rule] ?? 0).padStart(10)} ${String(on.shown[rule] ?? 0).padStart(11)} ${String((off.shown[rule] ?? 0) - (on.shown[rule] ?? 0)).padStart(7)}`,
      ),
      `  ${'all'.padEnd(16)} ${String(total(off.shown)).padStart(10)} ${String(total(on.shown)).padStart(11)} ${String(total(off.shown) - total(on.shown)).padStart(7)}  (${(
        (100 * (total(off.shown) - total(on.shown))) /
        Math.max(1, total(off.shown))
      ).toFixed(1)}% fewer)`,
      `  per signing      ${(total(off.shown) / off.calls).toFixed(2).padStart(10)} ${(total(on.shown) / on.calls).toFixed(2).padStart(11)}`,
      `  feedback items   ${String(off.feedbackItems).padStart(10)} ${String(on.feedbackItems).padStart(11)}`,
    ];
    const report = buildFeedbackReport(await on.service.store.feedbackReportData(), 'sqlite', new Date());
    const pct = (rate: number | null): string => (rate === null ? '–' : `${(rate * 100).toFixed(1)}%`);
    const t = report.totals;
    lines.push(
      '',
      'feedback report of the run with memory on (oncosign feedback-report):',
      `  totals: ${String(t.issued)} issued, ${String(t.accepted)} accepted, ${String(t.overridden)} overridden with a reason, ${String(t.dismissed)} dismissed, ` +
        `${String(t.suppressedByOverride)} held back after an override, ${String(t.suppressedByAcceptedSuggestion)} after an acceptance; acceptance ${pct(t.acceptanceRate)}; ` +
        `${String(t.unknownCardFeedback)} feedback items for unknown cards`,
      '  rule       audience            issued accepted overridden dismissed held-back acceptance  reasons',
      ...report.perRule.map(
        (r) =>
          `  ${r.rule.padEnd(10)} ${r.audience.padEnd(18)} ${String(r.issued).padStart(7)} ${String(r.accepted).padStart(8)} ${String(r.overridden).padStart(10)} ${String(r.dismissed).padStart(9)} ${String(r.suppressedByOverride + r.suppressedByAcceptedSuggestion).padStart(9)} ${pct(r.acceptanceRate).padStart(10)}  ${Object.entries(
            r.overriddenByReason,
          )
            .map(([k, v]) => `${k}=${String(v)}`)
            .join(', ')}`,
      ),
    );
    if (options.out !== undefined) {
      writeFeedbackReport(options.out, report);
      lines.push(`  wrote ${options.out}/feedback.csv, summary.json, report.html`);
    }
    process.stdout.write(`${lines.join('\n')}\n`);
    await on.close();
    await off.close();
    await issuer.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
