import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Encounter, FhirResource, Patient, Resource } from 'fhir/r4.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  loadFhirResources,
  startMemoryFhirServer,
  type MemoryFhirServer,
} from '../../src/devtools/memory-fhir-server.js';
import { groupByPatient } from '../../src/fhir/grouping.js';
import { searchset } from '../../test-support/builders.js';
import { externalFixtures } from '../../test-support/fixtures.js';
import { ENCOUNTER_SIGN, startHarness, type Harness } from '../../test-support/service-harness.js';

/*
 * "Logs never hold names, identifiers, free text or tokens" (README, Operations), checked against real patient data at
 * the most verbose log level. Every patient of the Synthea sample (both folders) and of the CMS157 test bundles is
 * signed through POST /cds-services/oncology-encounter-sign with a full prefetch of their own resources, a
 * fhirAuthorization whose access token is recognisable, and a fhirServer (a loopback in-memory FHIR server holding
 * the same patients' CarePlans, MedicationRequests, ServiceRequests and Claims), so the keys left out of prefetch are
 * really fetched with that token. Then no name, identifier, birth date, address line or phone/e-mail of any fixture
 * patient, no access token and no JWT may appear anywhere in the log lines. Then every card returned is overridden with
 * a coded reason, and neither those identifiers nor any patient, encounter or other resource id may appear in the
 * store's card-issuance record or its feedback rows (issue 15: keys, not identifiers).
 */

const SOURCES = [
  join(externalFixtures, 'synthea-smart-generated-sample-data', 'oncology'),
  join(externalFixtures, 'synthea-smart-generated-sample-data', 'non-oncology'),
  join(externalFixtures, 'ecqm-cms157-oncology-pain-intensity', 'tests'),
];
/** Shorter strings (e.g. "Mr", "MA") would match innocent log text. */
const MIN_SENSITIVE_LENGTH = 4;
const ACCESS_TOKEN = `phi-probe-access-token-${randomUUID()}`;
/** Resource types sent in prefetch; the others the service reads from the FHIR server. */
const PREFETCHED = new Set([
  'Patient',
  'Encounter',
  'Condition',
  'Procedure',
  'MedicationAdministration',
  'Observation',
]);
const FETCHED = new Set(['Patient', 'CarePlan', 'MedicationRequest', 'ServiceRequest', 'Claim']);

let h: Harness;
let fhir: MemoryFhirServer;
let resources: Resource[];

beforeAll(async () => {
  const loaded = await loadFhirResources(SOURCES);
  expect(loaded.skipped).toEqual([]);
  resources = loaded.resources;
  [h, fhir] = await Promise.all([
    startHarness({ logLevel: 'trace' }),
    startMemoryFhirServer({ resources: resources.filter((r) => FETCHED.has(r.resourceType)) }),
  ]);
}, 120_000);

afterAll(async () => {
  await Promise.all([h.close(), fhir.close()]);
});

/** Every patient's names (given, family), identifier values, birth date, address lines and telecom values. */
function sensitiveStrings(patients: readonly Patient[]): Set<string> {
  const out = new Set<string>();
  const add = (value: unknown): void => {
    if (typeof value === 'string' && value.trim().length >= MIN_SENSITIVE_LENGTH) {
      out.add(value.trim());
    }
  };
  for (const p of patients) {
    for (const name of p.name ?? []) {
      name.given?.forEach(add);
      add(name.family);
    }
    p.identifier?.forEach((i) => {
      add(i.value);
    });
    add(p.birthDate);
    p.address?.forEach((a) => a.line?.forEach(add));
    p.telecom?.forEach((t) => {
      add(t.value);
    });
  }
  return out;
}

const startOf = (e: Encounter): number => Date.parse(e.period?.start ?? '') || Number.NEGATIVE_INFINITY;

describe('no PHI in logs, at log level trace, over every fixture patient', () => {
  it('signs every patient and logs none of their identifying data, the access token or any JWT', async () => {
    const groups = groupByPatient(resources.map((resource) => ({ resource })));
    const sentJwts: string[] = [];
    const statuses = new Map<number, number>();
    const issuedCards = new Set<string>();
    let withEncounter = 0;

    for (const group of groups) {
      const own = group.resources.map((s) => s.resource as FhirResource);
      const ofType = <T extends FhirResource>(type: T['resourceType']): T[] =>
        own.filter((r): r is T => r.resourceType === type && PREFETCHED.has(type));
      const patient = ofType<Patient>('Patient').find((p) => p.id === group.patientId);
      const encounters = ofType<Encounter>('Encounter').sort((a, b) => startOf(b) - startOf(a));
      const encounter = encounters[0];
      if (encounter !== undefined) {
        withEncounter += 1;
      }
      const request = {
        hook: 'encounter-sign',
        hookInstance: randomUUID(),
        fhirServer: fhir.baseUrl,
        fhirAuthorization: {
          access_token: ACCESS_TOKEN,
          token_type: 'Bearer',
          expires_in: 300,
          scope: 'user/*.read',
          subject: 'oncosign-phi-test',
          patient: group.patientId,
        },
        context: {
          userId: 'Practitioner/onc-7',
          patientId: group.patientId,
          encounterId: encounter?.id ?? 'no-encounter',
        },
        prefetch: {
          patient: patient ?? null,
          encounter: encounter ?? null,
          conditions: searchset(ofType('Condition')),
          procedures: searchset(ofType('Procedure')),
          medicationAdministrations: searchset(ofType('MedicationAdministration')),
          painScores: searchset(ofType('Observation')),
        },
      };
      const authorization = h.bearer(ENCOUNTER_SIGN);
      sentJwts.push(authorization.slice('Bearer '.length));
      const res = await h.request
        .post(ENCOUNTER_SIGN)
        .set('Authorization', authorization)
        .set('Content-Type', 'application/json')
        .send(JSON.stringify(request));
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      for (const card of (res.body as { cards?: { uuid: string }[] }).cards ?? []) {
        issuedCards.add(card.uuid);
      }
      // The encounter being signed exists for every patient that has one; a patient without any gets a 412.
      expect(res.status, `patient ${group.patientId}: ${res.text.slice(0, 300)}`).toBe(encounter ? 200 : 412);
    }

    // The calls really happened, and the FHIR server really was asked with the token.
    expect(groups.length).toBeGreaterThanOrEqual(27);
    expect(withEncounter).toBeGreaterThan(20);
    expect(fhir.requests.length).toBeGreaterThan(0);
    expect(fhir.requests.every((r) => r.authorization === `Bearer ${ACCESS_TOKEN}`)).toBe(true);

    const patients = resources.filter((r): r is Patient => r.resourceType === 'Patient');
    const sensitive = sensitiveStrings(patients);
    const needles = [
      ...sensitive,
      ACCESS_TOKEN,
      ...sentJwts,
      // A JWT's signature alone is unique to it as well.
      ...sentJwts.map((t) => t.split('.')[2] ?? '').filter((s) => s.length >= 16),
    ];
    const lines = h.logs().map((line) => JSON.stringify(line));
    expect(lines.length).toBeGreaterThanOrEqual(groups.length);
    const serialized = lines.join('\n');
    const lower = serialized.toLowerCase();
    const leaks = needles.filter((n) => serialized.includes(n) || lower.includes(n.toLowerCase()));

    const summary = [...statuses.entries()].map(([s, n]) => `${String(s)}: ${String(n)}`).join(', ');
    console.log(
      `no-phi-in-logs: ${String(groups.length)} patients (${summary}), ${String(lines.length)} log lines at trace, ` +
        `${String(sensitive.size)} distinct sensitive strings from ${String(patients.length)} Patient resources ` +
        `checked, plus the access token and ${String(sentJwts.length)} JWTs`,
    );
    expect(leaks).toEqual([]);

    // Feedback on every card, then the store's new tables, byte for byte.
    await h.service.feedbackLoop.drain();
    // The most recent encounter of each fixture patient: few have findings, but some do.
    expect(issuedCards.size).toBeGreaterThanOrEqual(3);
    const feedbackPath = `${ENCOUNTER_SIGN}/feedback`;
    const cards = [...issuedCards];
    for (let i = 0; i < cards.length; i += 50) {
      const res = await h.request
        .post(feedbackPath)
        .set('Authorization', h.bearer(feedbackPath))
        .send({
          feedback: cards.slice(i, i + 50).map((card) => ({
            card,
            outcome: 'overridden',
            overrideReason: { reason: { system: 'urn:oncosign:override-reason', code: 'rule-not-applicable' } },
            outcomeTimestamp: new Date().toISOString(),
          })),
        });
      expect(res.status).toBe(200);
      expect(res.body.unknownCards).toBe(0);
    }
    const db = new Database(h.dbPath, { readonly: true, fileMustExist: true });
    let stored: string;
    try {
      const issuance = db.prepare('SELECT * FROM card_issuance').all();
      const feedback = db.prepare('SELECT * FROM feedback').all();
      expect(issuance.length).toBeGreaterThanOrEqual(cards.length);
      expect(feedback).toHaveLength(cards.length);
      stored = JSON.stringify([issuance, feedback]);
    } finally {
      db.close();
    }
    // Every resource id of every fixture patient (patients, encounters, the evidence a finding rests on).
    const resourceIds = resources.map((r) => r.id ?? '').filter((id) => id.length >= 8);
    const storeNeedles = [...sensitive, ...resourceIds, ACCESS_TOKEN];
    const storeLower = stored.toLowerCase();
    const storeLeaks = storeNeedles.filter((n) => stored.includes(n) || storeLower.includes(n.toLowerCase()));
    console.log(
      `no-phi-in-store: ${String(cards.length)} cards issued and overridden; card_issuance and feedback checked against ` +
        `${String(sensitive.size)} sensitive strings and ${String(resourceIds.length)} resource ids`,
    );
    expect(storeLeaks).toEqual([]);
    // The logs hold no resource id either: patient, encounter and evidence ids are identifiers.
    expect(resourceIds.filter((id) => h.logs().some((line) => JSON.stringify(line).includes(id)))).toEqual([]);
  }, 180_000);
});
