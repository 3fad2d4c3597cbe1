import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Bundle, Encounter, MedicationAdministration, OperationOutcome, Resource } from 'fhir/r4.js';
import { closeServer } from '../../src/devtools/servers.js';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import {
  loadFhirResources,
  startMemoryFhirServer,
  type MemoryFhirServer,
} from '../../src/devtools/memory-fhir-server.js';
import { anEncounter, CARBOPLATIN, encounterSignRequest, IV_ROUTE, searchset } from '../../test-support/builders.js';
import { externalFixtures } from '../../test-support/fixtures.js';
import { ENCOUNTER_SIGN, startHarness, type Harness } from '../../test-support/service-harness.js';

/*
 * The FHIR-server fallback of POST /cds-services/oncology-encounter-sign: prefetch keys that are absent (or an
 * OperationOutcome) are read from `fhirServer` with the EHR's bearer token. The happy paths run against the real
 * in-memory FHIR server (medplum MemoryRepository) loaded with the HL7 R4 MedicationAdministration examples; the
 * failure paths run against tiny node:http servers that misbehave on purpose.
 */

const MEDADMIN_DIR = join(externalFixtures, 'hl7-fhir-r4-core-examples-medadmin');
/** Harness FHIR_TIMEOUT_MS is 1500; a slow or dead server must be given up on well before 3 s. */
const DEADLINE_MS = 1500 + 1500;

const ACCESS_TOKEN = 'fhir-at-5b1f0c7e-oncosign-fallback-test';
const FHIR_AUTHORIZATION = {
  access_token: ACCESS_TOKEN,
  token_type: 'Bearer',
  expires_in: 300,
  scope: 'user/*.read',
  subject: 'oncosign',
};

const HAND_MADE_ID = 'carbo-open-period';

/** IV carboplatin for pat1 in encounter f001, completed, start with a time of day and no end: INF-001's target. */
function handMadeInfusion(
  effectivePeriod: MedicationAdministration['effectivePeriod'] = {
    start: '2015-01-15T09:15:00+01:00',
  },
): MedicationAdministration {
  return {
    resourceType: 'MedicationAdministration',
    id: HAND_MADE_ID,
    status: 'completed',
    medicationCodeableConcept: CARBOPLATIN,
    subject: { reference: 'Patient/pat1' },
    context: { reference: 'Encounter/f001' },
    effectivePeriod,
    dosage: { route: IV_ROUTE, dose: { value: 450, unit: 'mg', system: 'http://unitsofmeasure.org', code: 'mg' } },
  };
}

const withEnd = (): MedicationAdministration =>
  handMadeInfusion({ start: '2015-01-15T09:15:00+01:00', end: '2015-01-15T10:05:00+01:00' });

let h: Harness;
/** The HL7 folder exactly as published (Patient pat1, Encounter f001, 14 MedicationAdministrations, requests). */
let hl7Raw: Resource[];
/**
 * The HL7 folder with one correction: the published Encounter-f001.json belongs to `Patient/f001` ("P. van de
 * Heuvel"), while every MedicationAdministration names `Patient/pat1` and `Encounter/f001`. The service rightly
 * refuses another patient's encounter (see the 412 case below), so for the pat1 cases f001's subject is re-pointed
 * to Patient/pat1. Nothing else is changed.
 */
let hl7: Resource[];

beforeAll(async () => {
  // These tests are about the data path (prefetch, FHIR server, drafts); one rule is enough to observe it.
  h = await startHarness({ onlyRules: ['INF-001'] });
  const loaded = await loadFhirResources([MEDADMIN_DIR]);
  expect(loaded.skipped).toEqual([]);
  hl7Raw = loaded.resources;
  hl7 = hl7Raw.map((r) =>
    r.resourceType === 'Encounter' && r.id === 'f001'
      ? ({ ...structuredClone(r), subject: { reference: 'Patient/pat1' } } as Encounter)
      : r,
  );
});
afterAll(async () => {
  await h.close();
});

const hl7Encounter = (): Encounter => hl7.find((r): r is Encounter => r.resourceType === 'Encounter')!;
const hl7Administrations = (): MedicationAdministration[] =>
  hl7Raw.filter((r): r is MedicationAdministration => r.resourceType === 'MedicationAdministration');

function signRequest(extra: Record<string, unknown> = {}, context: Record<string, unknown> = {}) {
  return {
    hook: 'encounter-sign',
    hookInstance: randomUUID(),
    context: { userId: 'Practitioner/onc-7', patientId: 'pat1', encounterId: 'f001', ...context },
    ...extra,
  };
}

/** A request with no prefetch that points the service at `baseUrl` with our bearer token. */
function viaServer(baseUrl: string, extra: Record<string, unknown> = {}, context: Record<string, unknown> = {}) {
  return signRequest({ fhirServer: baseUrl, fhirAuthorization: FHIR_AUTHORIZATION, ...extra }, context);
}

async function post(body: unknown) {
  const started = performance.now();
  const res = await h.request
    .post(ENCOUNTER_SIGN)
    .set('Authorization', h.bearer(ENCOUNTER_SIGN))
    .set('Content-Type', 'application/json')
    .send(JSON.stringify(body));
  return { res, ms: performance.now() - started };
}

async function memoryServer(resources: readonly Resource[]): Promise<MemoryFhirServer> {
  const server = await startMemoryFhirServer({ resources });
  onTestFinished(() => server.close());
  return server;
}

interface TinyServer {
  readonly server: Server;
  readonly origin: string;
  readonly baseUrl: string;
  readonly requests: { url: string; authorization: string | undefined }[];
  close(): Promise<void>;
}

/** A bare node:http server for the misbehaving-server cases; close() drops every open connection. */
async function tinyServer(
  handler: (req: IncomingMessage, res: ServerResponse, origin: string) => void,
  host = '127.0.0.1',
): Promise<TinyServer> {
  const requests: TinyServer['requests'] = [];
  let origin = '';
  const server = createServer((req, res) => {
    requests.push({ url: req.url ?? '', authorization: req.headers.authorization });
    handler(req, res, origin);
  });
  server.listen(0, host);
  await once(server, 'listening');
  origin = `http://${host}:${String((server.address() as AddressInfo).port)}`;
  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= closeServer(server);
    return closing;
  };
  onTestFinished(close);
  return { server, origin, baseUrl: `${origin}/fhir`, requests, close };
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/fhir+json' });
  res.end(JSON.stringify(body));
}

const pathsOf = (server: MemoryFhirServer) => server.requests.map((r) => r.url);
const requestsTo = (server: MemoryFhirServer, resourceType: string) =>
  server.requests.filter(
    (r) => r.url.startsWith(`/fhir/${resourceType}/`) || r.url.startsWith(`/fhir/${resourceType}?`),
  );

function expectDataUnavailable(res: { status: number; body: unknown }): OperationOutcome {
  expect(res.status).toBe(412);
  const outcome = res.body as OperationOutcome;
  expect(outcome.resourceType).toBe('OperationOutcome');
  expect(outcome.issue[0]?.details?.coding?.[0]?.code).toBe('DATA_UNAVAILABLE');
  return outcome;
}

function expectOneInf001Card(body: unknown, evidence: readonly string[]): void {
  const cards = (body as { cards: { source: { topic: { code: string } }; extension: Record<string, unknown> }[] })
    .cards;
  expect(cards).toHaveLength(1);
  expect(cards[0]?.source.topic.code).toBe('INF-001');
  expect(cards[0]?.extension['org.oncosign.evidence']).toEqual(evidence);
}

describe('encounter-sign: FHIR-server fallback against the in-memory FHIR server (HL7 R4 examples)', () => {
  it('the HL7 MedicationAdministrations cannot trigger INF-001: each has an end, or is in-progress/entered-in-error/on-hold', () => {
    const administrations = hl7Administrations();
    expect(administrations).toHaveLength(14);
    const open = administrations.filter((a) => a.effectivePeriod?.end === undefined);
    // Only medadmin0301 lacks an end, and it is still running (in-progress: INF-010's business, not INF-001's).
    expect(open.map((a) => [a.id, a.status])).toEqual([['medadmin0301', 'in-progress']]);
    for (const a of administrations) {
      expect(a.effectivePeriod?.start).toMatch(/T\d{2}:\d{2}/);
      expect(
        a.effectivePeriod?.end !== undefined || ['in-progress', 'entered-in-error', 'on-hold'].includes(a.status),
      ).toBe(true);
    }
    // And the published encounter is not pat1's (see `hl7` above).
    const raw = hl7Raw.find((r): r is Encounter => r.resourceType === 'Encounter' && r.id === 'f001');
    expect(raw?.subject?.reference).toBe('Patient/f001');
  });

  it('fetches everything from fhirServer with the bearer token and cards only the hand-made open infusion', async () => {
    const server = await memoryServer([...hl7, handMadeInfusion()]);
    expect(server.resourceCount).toBe(hl7.length + 1);

    const { res } = await post(viaServer(server.baseUrl));

    expect(res.status).toBe(200);
    expectOneInf001Card(res.body, [`MedicationAdministration/${HAND_MADE_ID}`]);
    const encounterReads = server.requests.filter((r) => r.method === 'GET' && r.url === '/fhir/Encounter/f001');
    const maSearches = server.requests.filter(
      (r) => r.method === 'GET' && /^\/fhir\/MedicationAdministration\?(.*&)?patient=Patient(\/|%2F)pat1/.test(r.url),
    );
    expect(encounterReads).toHaveLength(1);
    expect(maSearches.length).toBeGreaterThanOrEqual(1);
    for (const r of [...encounterReads, ...maSearches]) {
      expect(r.authorization).toBe(`Bearer ${ACCESS_TOKEN}`);
    }
    // Every request that reached the FHIR server carried the token, and only GETs were made.
    expect(server.requests.every((r) => r.method === 'GET' && r.authorization === `Bearer ${ACCESS_TOKEN}`)).toBe(true);
  });

  it('answers {"cards":[]} for the HL7 data alone', async () => {
    const server = await memoryServer(hl7);
    const { res } = await post(viaServer(server.baseUrl));
    expect(res.status).toBe(200);
    expect(res.text).toBe('{"cards":[]}');
    expect(pathsOf(server)).toContain('/fhir/Encounter/f001');
  });

  it('refuses the published HL7 Encounter f001 for pat1, because it belongs to Patient/f001 (412)', async () => {
    const server = await memoryServer([...hl7Raw, handMadeInfusion()]);
    const { res } = await post(viaServer(server.baseUrl));
    const outcome = expectDataUnavailable(res);
    expect(outcome.issue[0]?.expression).toEqual(['context.encounterId']);
    expect(pathsOf(server)).toContain('/fhir/Encounter/f001');
  });

  it('does not fetch a prefetch key sent as null, and fetches the absent ones', async () => {
    const server = await memoryServer([...hl7, handMadeInfusion()]);
    const { res } = await post(viaServer(server.baseUrl, { prefetch: { conditions: null } }));
    expect(res.status).toBe(200);
    expectOneInf001Card(res.body, [`MedicationAdministration/${HAND_MADE_ID}`]);
    expect(requestsTo(server, 'Condition')).toEqual([]);
    for (const type of ['Encounter', 'Procedure', 'MedicationAdministration', 'Patient']) {
      expect(requestsTo(server, type).length, type).toBeGreaterThanOrEqual(1);
    }
  });

  it('treats a prefetch OperationOutcome as missing and fetches that key', async () => {
    const server = await memoryServer([...hl7, handMadeInfusion()]);
    const outcome: OperationOutcome = {
      resourceType: 'OperationOutcome',
      issue: [{ severity: 'error', code: 'too-costly', diagnostics: 'EHR prefetch gave up' }],
    };
    const { res } = await post(
      viaServer(server.baseUrl, {
        prefetch: {
          encounter: hl7Encounter(),
          conditions: searchset([]),
          procedures: searchset([]),
          medicationAdministrations: outcome,
        },
      }),
    );
    expect(res.status).toBe(200);
    expectOneInf001Card(res.body, [`MedicationAdministration/${HAND_MADE_ID}`]);
    expect(requestsTo(server, 'MedicationAdministration')).toHaveLength(1);
    expect(requestsTo(server, 'Encounter')).toEqual([]);
    expect(requestsTo(server, 'Condition')).toEqual([]);
    expect(requestsTo(server, 'Procedure')).toEqual([]);
  });

  it('uses prefetch over the server: the card comes from prefetch and no MedicationAdministration is requested', async () => {
    const server = await memoryServer([]);
    const { res } = await post(
      viaServer(server.baseUrl, {
        prefetch: {
          encounter: hl7Encounter(),
          conditions: searchset([]),
          procedures: searchset([]),
          medicationAdministrations: searchset([handMadeInfusion()]),
        },
      }),
    );
    expect(res.status).toBe(200);
    expectOneInf001Card(res.body, [`MedicationAdministration/${HAND_MADE_ID}`]);
    expect(requestsTo(server, 'MedicationAdministration')).toEqual([]);
    expect(requestsTo(server, 'Encounter')).toEqual([]);
    // The optional keys that were absent were asked for (and the empty server had nothing).
    expect(requestsTo(server, 'Patient').length).toBeGreaterThanOrEqual(1);
  });

  it('lets draftResources replace the server copy: a draft that adds the end time clears INF-001', async () => {
    const server = await memoryServer([...hl7, handMadeInfusion()]);
    const draft: Bundle = { resourceType: 'Bundle', type: 'collection', entry: [{ resource: withEnd() }] };
    const { res } = await post(viaServer(server.baseUrl, {}, { draftResources: draft }));
    expect(res.status).toBe(200);
    expect(res.text).toBe('{"cards":[]}');
    expect(requestsTo(server, 'MedicationAdministration')).toHaveLength(1);
  });

  it('lets draftResources replace the server copy: a draft that lacks the end time raises INF-001', async () => {
    const server = await memoryServer([...hl7, withEnd()]);
    const draft: Bundle = { resourceType: 'Bundle', type: 'collection', entry: [{ resource: handMadeInfusion() }] };

    const control = await post(viaServer(server.baseUrl));
    expect(control.res.text).toBe('{"cards":[]}');

    const { res } = await post(viaServer(server.baseUrl, {}, { draftResources: draft }));
    expect(res.status).toBe(200);
    expectOneInf001Card(res.body, [`MedicationAdministration/${HAND_MADE_ID}`]);
  });
});

describe('encounter-sign: misbehaving FHIR servers', () => {
  it('answers 412 DATA_UNAVAILABLE quickly when the FHIR server is down (closed port)', async () => {
    const gone = await tinyServer((_req, res) => {
      res.end();
    });
    await gone.close();

    const { res, ms } = await post(viaServer(gone.baseUrl));
    expectDataUnavailable(res);
    expect(ms).toBeLessThan(3000);
    expect(gone.requests).toEqual([]);
  });

  it('gives up on a FHIR server that never answers within the deadline (412) and leaves no open connection', async () => {
    const silent = await tinyServer(() => {
      // Never answers: the request is left hanging until the service aborts it or the server is closed.
    });

    const { res, ms } = await post(viaServer(silent.baseUrl));
    expectDataUnavailable(res);
    expect(ms).toBeLessThan(DEADLINE_MS);
    expect(silent.requests.length).toBeGreaterThan(0);
    expect((res.body as OperationOutcome).issue[0]?.details?.text).toContain('deadline');

    await silent.close();
    expect(silent.server.listening).toBe(false);
    const open = await new Promise<number>((resolve, reject) => {
      silent.server.getConnections((err, count) => {
        if (err) {
          reject(err);
        } else {
          resolve(count);
        }
      });
    });
    expect(open).toBe(0);
  });

  it('gives up on a FHIR server that sends headers and then never finishes the body (412)', async () => {
    const trickling = await tinyServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/fhir+json' });
      res.write('{"resourceType":"Bundle","type":"searchset","entry":[');
    });
    const { res, ms } = await post(viaServer(trickling.baseUrl));
    expectDataUnavailable(res);
    expect(ms).toBeLessThan(DEADLINE_MS);
  });

  it.each([
    [
      '500',
      (res: ServerResponse) => {
        sendJson(res, 500, { resourceType: 'OperationOutcome', issue: [{ severity: 'fatal', code: 'exception' }] });
      },
    ],
    [
      '401',
      (res: ServerResponse) => {
        sendJson(res, 401, { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'login' }] });
      },
    ],
    [
      'malformed JSON',
      (res: ServerResponse) => {
        res.writeHead(200, { 'content-type': 'application/fhir+json' });
        res.end('{"resourceType": "Bundle", "entry": [');
      },
    ],
  ])('answers 412 when the FHIR server answers %s to everything', async (_label, answer) => {
    const bad = await tinyServer((_req, res) => {
      answer(res);
    });
    const { res, ms } = await post(viaServer(bad.baseUrl));
    expectDataUnavailable(res);
    expect(ms).toBeLessThan(DEADLINE_MS);
    expect(bad.requests.length).toBeGreaterThan(0);
  });

  it('finishes when a searchset pages back to itself (next = the same URL)', async () => {
    const looping = await tinyServer((req, res, origin) => {
      sendJson(res, 200, {
        resourceType: 'Bundle',
        type: 'searchset',
        link: [{ relation: 'next', url: `${origin}${req.url ?? ''}` }],
      });
    });
    const { res, ms } = await post(viaServer(looping.baseUrl));
    expect(ms).toBeLessThan(DEADLINE_MS);
    expect(res.status).toBeLessThan(500);
    expect([200, 412]).toContain(res.status);
    // Each URL is read at most twice: once as asked, once more as its own next link, then the loop is seen.
    const perUrl = new Map<string, number>();
    looping.requests.forEach((r) => perUrl.set(r.url, (perUrl.get(r.url) ?? 0) + 1));
    expect(perUrl.size).toBeGreaterThan(0);
    expect(Math.max(...perUrl.values())).toBeLessThanOrEqual(2);
  });

  it('does not follow a next link to another origin (and so never sends the token there)', async () => {
    const other = await tinyServer((_req, res) => {
      sendJson(res, 200, searchset([handMadeInfusion()]));
    }, '127.0.0.2');
    const first = await tinyServer((req, res) => {
      const url = req.url ?? '';
      if (url.startsWith('/fhir/Encounter/f001')) {
        sendJson(res, 200, hl7Encounter());
      } else if (url.startsWith('/fhir/Patient/pat1')) {
        sendJson(res, 200, { resourceType: 'Patient', id: 'pat1' });
      } else {
        sendJson(res, 200, {
          resourceType: 'Bundle',
          type: 'searchset',
          link: [{ relation: 'next', url: `${other.origin}${url}` }],
        });
      }
    });
    const { res, ms } = await post(viaServer(first.baseUrl));
    expect(ms).toBeLessThan(DEADLINE_MS);
    const outcome = expectDataUnavailable(res);
    expect(outcome.issue[0]?.details?.text).toContain('another origin');
    expect(other.requests).toEqual([]);
    expect(first.requests.some((r) => r.url.startsWith('/fhir/MedicationAdministration?'))).toBe(true);
  });

  // Exposes a bug in src/fhir/fhir-server-source.ts: fetch follows redirects by default, so a FHIR server that
  // answers 302 to another origin makes the service read (and use) data from there, bypassing the same-origin rule
  // for next links and the https/loopback rule for fhirServer. (undici drops Authorization on a cross-origin
  // redirect, so the token itself does not travel; the request and the data do.)
  it('does not follow an HTTP redirect to another origin', async () => {
    const other = await tinyServer((req, res) => {
      const url = req.url ?? '';
      if (url.startsWith('/fhir/Encounter/f001')) {
        sendJson(res, 200, hl7Encounter());
      } else if (url.startsWith('/fhir/MedicationAdministration?')) {
        sendJson(res, 200, searchset([handMadeInfusion()]));
      } else {
        sendJson(res, 200, searchset([]));
      }
    }, '127.0.0.2');
    const redirecting = await tinyServer((req, res) => {
      res.writeHead(302, { location: `${other.origin}${req.url ?? ''}` });
      res.end();
    });
    const { res } = await post(viaServer(redirecting.baseUrl));
    expect(redirecting.requests.length).toBeGreaterThan(0);
    expect(other.requests).toEqual([]);
    expectDataUnavailable(res);
  });
});

describe('encounter-sign: fhirServer validation and prefetch-only calls', () => {
  it('rejects a plain-http fhirServer that is not loopback (400)', async () => {
    const { res } = await post(viaServer('http://example.org/fhir'));
    expect(res.status).toBe(400);
    expect((res.body as OperationOutcome).issue[0]?.expression).toEqual(['fhirServer']);
  });

  it('rejects fhirAuthorization without fhirServer (400)', async () => {
    const { res } = await post(encounterSignRequest({ extra: { fhirAuthorization: FHIR_AUTHORIZATION } }));
    expect(res.status).toBe(400);
    expect((res.body as OperationOutcome).issue[0]?.expression).toEqual(['fhirServer']);
  });

  it('answers 412 without fhirServer when a required prefetch key is missing', async () => {
    const body = encounterSignRequest();
    delete (body.prefetch as Record<string, unknown>).medicationAdministrations;
    const { res } = await post(body);
    const outcome = expectDataUnavailable(res);
    expect(outcome.issue[0]?.expression).toEqual(['prefetch.medicationAdministrations']);
  });

  it('answers 200 without fhirServer when every required prefetch key is present', async () => {
    const { res } = await post(encounterSignRequest());
    expect(res.status).toBe(200);
    expect(res.text).toBe('{"cards":[]}');
  });

  it('answers 412 when the encounter in context is neither in prefetch nor on a server', async () => {
    const { res } = await post(
      encounterSignRequest({ encounter: anEncounter({ id: 'enc-other' }), context: { encounterId: 'enc-1' } }),
    );
    const outcome = expectDataUnavailable(res);
    expect(outcome.issue[0]?.expression).toEqual(['context.encounterId']);
  });
});

// Last on purpose: the log check then covers every call made above, failing paths included.
describe('encounter-sign: the FHIR bearer token', () => {
  it('sends the token to fhirServer only and never logs it (checked after every other call in this file)', async () => {
    const server = await memoryServer([...hl7, handMadeInfusion()]);
    const failing = await tinyServer((_req, res) => {
      sendJson(res, 401, { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'login' }] });
    });
    const ok = await post(viaServer(server.baseUrl));
    const refused = await post(viaServer(failing.baseUrl));
    expect(ok.res.status).toBe(200);
    expectDataUnavailable(refused.res);
    expect(refused.res.text).not.toContain(ACCESS_TOKEN);
    expect(ok.res.text).not.toContain(ACCESS_TOKEN);
    expect(server.requests.length).toBeGreaterThan(0);
    expect(failing.requests.length).toBeGreaterThan(0);
    expect(failing.requests.every((r) => r.authorization === `Bearer ${ACCESS_TOKEN}`)).toBe(true);

    const logs = JSON.stringify(h.logs());
    expect(h.logs().length).toBeGreaterThan(0);
    expect(logs).not.toContain(ACCESS_TOKEN);
  });
});
