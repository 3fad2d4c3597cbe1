import { readFileSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { Client } from 'fhir-kit-client';
import type { PaginationParams } from 'fhir-kit-client';
import type {
  Bundle,
  Condition,
  Encounter,
  MedicationAdministration,
  OperationOutcome,
  Patient,
  Resource,
} from 'fhir/r4.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { loadFhirResources, startMemoryFhirServer } from '../../src/devtools/memory-fhir-server.js';
import type { MemoryFhirServer } from '../../src/devtools/memory-fhir-server.js';
import { projectPath } from '../../src/paths.js';

const FIXTURES = fileURLToPath(new URL('../../../shared/fixtures/external/', import.meta.url));
const ONCOLOGY_DIR = join(FIXTURES, 'synthea-smart-generated-sample-data', 'oncology');
const MEDADMIN_DIR = join(FIXTURES, 'hl7-fhir-r4-core-examples-medadmin');
const DEMO_PATIENTS = projectPath('demo', 'sample-patients.json');
const FORM = 'application/x-www-form-urlencoded';

interface SyntheaFacts {
  file: string;
  entryCount: number;
  patientId: string;
  conditionIds: string[];
  encounterIds: string[];
}

/** Computed from the raw file, independently of the loader under test. */
async function readSyntheaFacts(): Promise<SyntheaFacts> {
  const name = (await readdir(ONCOLOGY_DIR)).find((n) => n.startsWith('Luis_Miguel_Delarosa_') && n.endsWith('.json'));
  expect(name).toBeDefined();
  const file = join(ONCOLOGY_DIR, name!);
  const bundle = JSON.parse(await readFile(file, 'utf8')) as Bundle;
  expect(bundle.type).toBe('transaction');
  const entries = bundle.entry ?? [];
  const patientEntry = entries.find((e) => e.resource?.resourceType === 'Patient')!;
  const patientFullUrl = patientEntry.fullUrl!;
  expect(patientFullUrl.startsWith('urn:uuid:')).toBe(true);
  const ofType = <T extends Resource>(type: string): T[] =>
    entries.map((e) => e.resource).filter((r): r is T => r?.resourceType === type);
  return {
    file,
    entryCount: entries.length,
    patientId: patientEntry.resource!.id!,
    conditionIds: ofType<Condition>('Condition')
      .filter((c) => c.subject.reference === patientFullUrl)
      .map((c) => c.id!),
    encounterIds: ofType<Encounter>('Encounter')
      .filter((e) => e.subject?.reference === patientFullUrl)
      .map((e) => e.id!),
  };
}

async function fetchJson(
  url: string,
  init?: RequestInit,
): Promise<{ status: number; contentType: string; body: unknown }> {
  const response = await fetch(url, init);
  return {
    status: response.status,
    contentType: response.headers.get('content-type') ?? '',
    body: await response.json(),
  };
}

/** Follows next links with plain fetch and returns every page. */
async function fetchAllPages(url: string): Promise<Bundle[]> {
  const pages: Bundle[] = [];
  let next: string | undefined = url;
  while (next !== undefined) {
    const { status, body } = await fetchJson(next);
    expect(status).toBe(200);
    const page = body as Bundle;
    pages.push(page);
    next = page.link?.find((l) => l.relation === 'next')?.url;
    expect(pages.length).toBeLessThan(100);
  }
  return pages;
}

const idsOf = (pages: readonly Bundle[]): string[] => pages.flatMap((p) => (p.entry ?? []).map((e) => e.resource!.id!));

describe('memory FHIR server', () => {
  let synthea: SyntheaFacts;
  let loaded: Awaited<ReturnType<typeof loadFhirResources>>;
  let server: MemoryFhirServer;
  let client: Client;

  beforeAll(async () => {
    synthea = await readSyntheaFacts();
    loaded = await loadFhirResources([synthea.file, MEDADMIN_DIR, DEMO_PATIENTS]);
    server = await startMemoryFhirServer({ resources: loaded.resources });
    client = new Client({ baseUrl: server.baseUrl });
  }, 30_000);

  afterAll(async () => {
    await server.close();
  });

  describe('Synthea transaction bundle', () => {
    it('loads every entry of the bundle plus the medadmin folder and the demo patients', async () => {
      const medadminFiles = (await readdir(MEDADMIN_DIR)).filter((n) => n.endsWith('.json'));
      const demoEntries = (JSON.parse(await readFile(DEMO_PATIENTS, 'utf8')) as Bundle).entry ?? [];
      expect(loaded.skipped).toEqual([]);
      expect(loaded.resources).toHaveLength(synthea.entryCount + medadminFiles.length + demoEntries.length);
      expect(server.resourceCount).toBe(loaded.resources.length);
      expect(server.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/fhir$/);
    });

    it('reads the patient by its fixture id', async () => {
      const patient = (await client.read({ resourceType: 'Patient', id: synthea.patientId })) as unknown as Patient;
      expect(patient.resourceType).toBe('Patient');
      expect(patient.id).toBe(synthea.patientId);
    });

    it('rewrites urn:uuid references to Type/id', () => {
      expect(JSON.stringify(loaded.resources)).not.toContain('"reference":"urn:uuid:');
      const condition = loaded.resources.find((r): r is Condition => r.resourceType === 'Condition');
      expect(condition?.subject.reference).toBe(`Patient/${synthea.patientId}`);
    });

    it('searches Conditions by patient reference', async () => {
      expect(synthea.conditionIds.length).toBeGreaterThan(0);
      const pages = await fetchAllPages(`${server.baseUrl}/Condition?patient=Patient/${synthea.patientId}`);
      const conditions = pages.flatMap((p) => (p.entry ?? []).map((e) => e.resource as Condition));
      expect(conditions.map((c) => c.id).sort()).toEqual([...synthea.conditionIds].sort());
      for (const condition of conditions) {
        expect(condition.subject.reference).toBe(`Patient/${synthea.patientId}`);
      }
      expect(pages[0]!.total).toBe(synthea.conditionIds.length);
    });

    it('pages Encounters with _count=5 through absolute next links', async () => {
      expect(synthea.encounterIds.length).toBeGreaterThan(5);
      const pages: Bundle[] = [];
      let page: Bundle | undefined = (await client.search({
        resourceType: 'Encounter',
        searchParams: { patient: `Patient/${synthea.patientId}`, _count: 5 },
      })) as unknown as Bundle;
      while (page !== undefined) {
        pages.push(page);
        expect(page.entry?.length ?? 0).toBeLessThanOrEqual(5);
        const nextLink = page.link?.find((l) => l.relation === 'next')?.url;
        if (nextLink !== undefined) {
          expect(nextLink.startsWith(`${server.baseUrl}/Encounter?`)).toBe(true);
        }
        const next = client.nextPage({ bundle: page as unknown as PaginationParams['bundle'] });
        page = next === undefined ? undefined : ((await next) as unknown as Bundle);
        expect(pages.length).toBeLessThan(50);
      }

      const ids = idsOf(pages);
      expect(pages).toHaveLength(Math.ceil(synthea.encounterIds.length / 5));
      expect(ids).toHaveLength(synthea.encounterIds.length);
      expect(new Set(ids)).toEqual(new Set(synthea.encounterIds));
      expect(pages.every((p) => p.total === synthea.encounterIds.length)).toBe(true);
      const pageFetches = server.requests.filter(
        (r) => r.url.startsWith('/fhir/Encounter?') && r.url.includes('_offset='),
      );
      expect(pageFetches).toHaveLength(pages.length - 1);
    });

    it('pages with the default page size when _count is absent', async () => {
      const pages = await fetchAllPages(`${server.baseUrl}/Encounter?patient=Patient/${synthea.patientId}`);
      expect(pages.length).toBeGreaterThan(1);
      expect(new Set(idsOf(pages))).toEqual(new Set(synthea.encounterIds));
    });
  });

  describe('HL7 MedicationAdministration examples', () => {
    it('searches MedicationAdministration by encounter context', async () => {
      const expected: string[] = [];
      for (const name of (await readdir(MEDADMIN_DIR)).filter((n) => n.endsWith('.json'))) {
        const resource = JSON.parse(await readFile(join(MEDADMIN_DIR, name), 'utf8')) as Resource;
        if (resource.resourceType === 'MedicationAdministration') {
          const admin = resource as MedicationAdministration;
          if (admin.context?.reference === 'Encounter/f001') {
            expected.push(admin.id!);
          }
        }
      }
      expect(expected.length).toBeGreaterThan(0);

      const pages = await fetchAllPages(`${server.baseUrl}/MedicationAdministration?context=Encounter/f001`);
      const admins = pages.flatMap((p) => (p.entry ?? []).map((e) => e.resource as MedicationAdministration));
      expect(admins.map((a) => a.id).sort()).toEqual(expected.sort());
      expect(admins.every((a) => a.context?.reference === 'Encounter/f001')).toBe(true);
    });
  });

  describe('browser clients (CORS), as the CDS Hooks sandbox reads the server from the page', () => {
    const origin = 'http://localhost:8080';

    it('answers a preflight for an authorized search without a token, allowing Authorization', async () => {
      const response = await fetch(`${server.baseUrl}/Condition/_search`, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'authorization,content-type',
        },
      });
      expect(response.status).toBe(204);
      expect(response.headers.get('access-control-allow-origin')).toBe('*');
      expect(response.headers.get('access-control-allow-methods')?.split(',')).toEqual(
        expect.arrayContaining(['GET', 'POST']),
      );
      const allowed = (response.headers.get('access-control-allow-headers') ?? '').toLowerCase().split(',');
      expect(allowed).toEqual(expect.arrayContaining(['authorization', 'content-type', 'accept']));
    });

    it('sends Access-Control-Allow-Origin on reads, searches, metadata and errors', async () => {
      for (const path of ['/metadata', '/Patient/demo-ava', '/Condition?patient=Patient/demo-ava', '/Patient/nobody']) {
        const response = await fetch(`${server.baseUrl}${path}`, { headers: { origin } });
        expect(response.headers.get('access-control-allow-origin'), path).toBe('*');
      }
    });
  });

  describe('search as the CDS Hooks sandbox sends it (POST [type]/_search, form-encoded) and our prefetch templates', () => {
    interface Discovery {
      services: { id: string; prefetch: Record<string, string> }[];
    }
    const discovery = JSON.parse(readFileSync(projectPath('discovery', 'cds-services.json'), 'utf8')) as Discovery;
    const demo = (JSON.parse(readFileSync(DEMO_PATIENTS, 'utf8')) as Bundle).entry!.map((e) => e.resource!);
    const demoPatients = demo.filter((r) => r.resourceType === 'Patient').map((r) => r.id!);

    /** The patient a resource belongs to, read from the raw data (not from the server under test). */
    const patientOf = (resource: Resource): string | undefined => {
      if (resource.resourceType === 'Patient') {
        return `Patient/${resource.id!}`;
      }
      const r = resource as { subject?: { reference?: string }; patient?: { reference?: string } };
      return r.subject?.reference ?? r.patient?.reference;
    };

    /** What the sandbox does with a template's query: its parameters, form-encoded, to POST [type]/_search. */
    async function postSearch(type: string, query: string): Promise<{ status: number; body: Bundle }> {
      const response = await fetch(`${server.baseUrl}/${type}/_search`, {
        method: 'POST',
        headers: { 'content-type': FORM, accept: 'application/json+fhir' },
        body: new URLSearchParams(query).toString(),
      });
      return { status: response.status, body: (await response.json()) as Bundle };
    }

    const templates = discovery.services.flatMap((service) =>
      Object.entries(service.prefetch)
        .filter(([, template]) => template.includes('?'))
        .map(([key, template]) => ({ service: service.id, key, template })),
    );

    it('covers every search template of both services', () => {
      expect(templates.length).toBeGreaterThanOrEqual(17);
      expect(demoPatients).toEqual(['demo-ava', 'demo-ben', 'demo-cleo', 'demo-dev']);
    });

    for (const { service, key, template } of templates) {
      it(`${service} ${key}: only the patient's resources, the same as GET`, async () => {
        let found = 0;
        for (const patientId of demoPatients) {
          const encounterId = demo.find(
            (r) => r.resourceType === 'Encounter' && patientOf(r) === `Patient/${patientId}`,
          )!.id!;
          const filled = template
            .replaceAll('{{context.patientId}}', patientId)
            .replaceAll('{{context.encounterId}}', encounterId);
          const [type = '', query = ''] = filled.split('?');
          const posted = await postSearch(type, query);
          expect(posted.status, filled).toBe(200);
          expect(posted.body.resourceType).toBe('Bundle');
          expect(posted.body.type).toBe('searchset');
          const resources = (posted.body.entry ?? []).map((e) => e.resource!);
          for (const resource of resources) {
            expect(resource.resourceType).toBe(type);
            expect(patientOf(resource), `${filled} returned ${resource.id!}`).toBe(`Patient/${patientId}`);
          }
          const got = (await fetchJson(`${server.baseUrl}/${filled}`)).body as Bundle;
          expect(resources.map((r) => r.id)).toEqual((got.entry ?? []).map((e) => e.resource!.id));
          if (!/[?&](code|status|encounter)=/.test(filled)) {
            // Patient is the only filter: exactly the patient's resources of that type in the raw demo file.
            const expected = demo.filter((r) => r.resourceType === type && patientOf(r) === `Patient/${patientId}`);
            expect(resources.map((r) => r.id).sort()).toEqual(expected.map((r) => r.id).sort());
          }
          found += resources.length;
        }
        if (
          /^(Condition|Procedure|MedicationAdministration|Encounter|Observation|CarePlan|MedicationRequest)\?/.test(
            template,
          )
        ) {
          // The demo patients hold these types, so a search that matched nothing at all would prove nothing.
          expect(found, template).toBeGreaterThan(0);
        }
      });
    }

    it("returns one patient's Observations, not every patient's, from a server holding several", async () => {
      const all = loaded.resources.filter((r) => r.resourceType === 'Observation');
      const mine = all.filter((r) => patientOf(r) === `Patient/${synthea.patientId}`);
      expect(mine.length).toBeGreaterThan(0);
      expect(all.length).toBeGreaterThan(mine.length);
      const ids: string[] = [];
      let posted = await postSearch('Observation', `patient=Patient/${synthea.patientId}&_count=50`);
      for (;;) {
        expect(posted.status).toBe(200);
        ids.push(...(posted.body.entry ?? []).map((e) => e.resource!.id!));
        const next = posted.body.link?.find((l) => l.relation === 'next')?.url;
        if (next === undefined) {
          break;
        }
        posted = { status: 200, body: (await fetchJson(next)).body as Bundle };
        expect(ids.length).toBeLessThanOrEqual(mine.length);
      }
      expect(ids.sort()).toEqual(mine.map((r) => r.id!).sort());
    });

    it('combines parameters from the URL and the form body, and takes an empty body', async () => {
      const response = await fetch(`${server.baseUrl}/MedicationRequest/_search?status=active`, {
        method: 'POST',
        headers: { 'content-type': FORM },
        body: 'patient=Patient%2Fdemo-cleo',
      });
      const bundle = (await response.json()) as Bundle;
      expect(response.status).toBe(200);
      expect((bundle.entry ?? []).map((e) => e.resource!.id)).toEqual(['demo-cleo-oxycodone']);

      const empty = await fetch(`${server.baseUrl}/Condition/_search?patient=Patient/demo-ben`, { method: 'POST' });
      expect(empty.status).toBe(200);
      expect(((await empty.json()) as Bundle).entry?.map((e) => e.resource!.id)).toEqual(['demo-ben-crc']);
    });

    it('refuses a POST search whose body is not form-encoded, rather than match everything', async () => {
      const response = await fetch(`${server.baseUrl}/Condition/_search`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      });
      expect(response.status).toBe(415);
      expect(((await response.json()) as OperationOutcome).resourceType).toBe('OperationOutcome');
    });

    const searches: [string, string[]][] = [
      ['Condition?patient=demo-ava', ['demo-ava-nsclc']],
      ['Condition?subject=Patient/demo-ava', ['demo-ava-nsclc']],
      ['Observation?subject=demo-ben', ['demo-ben-pain']],
      ['Observation?subject:Patient=demo-ben', ['demo-ben-pain']],
      ['Encounter?_id=demo-ava-visit', ['demo-ava-visit']],
      ['Patient?_id=demo-ava,demo-ben', ['demo-ava', 'demo-ben']],
      ['Procedure?encounter=Encounter/demo-ben-visit', ['demo-ben-1126f', 'demo-ben-96413', 'demo-ben-96415']],
      ['Procedure?encounter=demo-ben-visit&code=http://www.ama-assn.org/go/cpt|96415', ['demo-ben-96415']],
      ['MedicationAdministration?context=Encounter/demo-ava-visit', ['demo-ava-carbo', 'demo-ava-pacli']],
      ['Encounter?patient=Patient/demo-ava&date=ge2025-01-01', ['demo-ava-visit']],
      ['Encounter?patient=Patient/demo-ava&date=lt2025-01-01', []],
      ['MedicationRequest?patient=demo-cleo&status=active', ['demo-cleo-oxycodone']],
      ['MedicationRequest?patient=demo-cleo&status=completed', []],
      ['CarePlan?patient=demo-cleo&status=active', ['demo-cleo-pain-plan']],
    ];
    for (const [search, expected] of searches) {
      it(`${search} (GET and POST _search)`, async () => {
        const [type = '', query = ''] = search.split('?');
        const got = (await fetchJson(`${server.baseUrl}/${search}`)).body as Bundle;
        expect((got.entry ?? []).map((e) => e.resource!.id).sort(), 'GET').toEqual(expected);
        const posted = await postSearch(type, query);
        expect((posted.body.entry ?? []).map((e) => e.resource!.id).sort(), 'POST').toEqual(expected);
      });
    }

    it('refuses an unknown search parameter by name instead of answering an empty Bundle', async () => {
      const { status, body } = await fetchJson(`${server.baseUrl}/MedicationAdministration?encounter=Encounter/f001`);
      expect(status).toBe(400);
      expect(JSON.stringify(body)).toContain('Unknown search parameter encounter for MedicationAdministration');
      const posted = await postSearch('Observation', 'patient=Patient/demo-ben&colour=red');
      expect(posted.status).toBe(400);
    });
  });

  describe('errors', () => {
    it('answers an unknown id with 404 and an OperationOutcome', async () => {
      const { status, contentType, body } = await fetchJson(`${server.baseUrl}/Patient/does-not-exist`);
      expect(status).toBe(404);
      expect(contentType).toContain('application/fhir+json');
      const outcome = body as OperationOutcome;
      expect(outcome.resourceType).toBe('OperationOutcome');
      expect(outcome.issue[0]?.code).toBe('not-found');

      const error: unknown = await client.read({ resourceType: 'Patient', id: 'does-not-exist' }).then(
        () => undefined,
        (err: unknown) => err,
      );
      expect((error as { response?: { status?: number } }).response?.status).toBe(404);
    });

    it('answers unknown routes with 404 and an OperationOutcome', async () => {
      for (const url of [`${server.baseUrl}/NotAResourceType/1`, `${server.baseUrl}/NotAResourceType?x=1`]) {
        const { status, body } = await fetchJson(url);
        expect(status).toBe(404);
        expect((body as Resource).resourceType).toBe('OperationOutcome');
      }
      const outside = await fetchJson(server.baseUrl.replace(/\/fhir$/, '/elsewhere'));
      expect(outside.status).toBe(404);
      expect((outside.body as Resource).resourceType).toBe('OperationOutcome');
    });

    it('reports corrupt and missing files in skipped without throwing', async () => {
      const dir = await mkdtemp(join(tmpdir(), 'memory-fhir-server-'));
      try {
        const corrupt = join(dir, 'corrupt.json');
        await writeFile(corrupt, '{not json');
        await writeFile(
          join(dir, 'patients.ndjson'),
          ['{"resourceType":"Patient","id":"nd1"}', '', '{"resourceType":"Patient","id":"nd2"}'].join('\n'),
        );
        await writeFile(join(dir, 'notes.txt'), 'ignored');
        const missing = join(dir, 'missing.json');

        const result = await loadFhirResources([dir, missing]);
        expect(result.resources.map((r) => r.id)).toEqual(['nd1', 'nd2']);
        expect(result.skipped).toHaveLength(2);
        expect(result.skipped[0]!.file).toBe(missing);
        expect(result.skipped[1]!.file).toBe(corrupt);
        expect(result.skipped[1]!.reason).toMatch(/invalid JSON/);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
  });

  it('records every request with its Authorization header', async () => {
    const authed = new Client({ baseUrl: server.baseUrl, bearerToken: 'test-token-123' });
    await authed.read({ resourceType: 'Patient', id: synthea.patientId });
    await fetch(`${server.baseUrl}/Patient/${synthea.patientId}?_pretty=false`);

    const recorded = server.requests.slice(-2);
    expect(recorded[0]).toEqual({
      method: 'GET',
      url: `/fhir/Patient/${synthea.patientId}`,
      authorization: 'Bearer test-token-123',
    });
    expect(recorded[1]).toEqual({
      method: 'GET',
      url: `/fhir/Patient/${synthea.patientId}?_pretty=false`,
      authorization: undefined,
    });
  });

  it('starts further servers independently (search definitions are indexed once)', async () => {
    const other = await startMemoryFhirServer({ resources: [{ resourceType: 'Patient', id: 'solo' }] });
    try {
      expect(other.baseUrl).not.toBe(server.baseUrl);
      expect(other.resourceCount).toBe(1);
      const { status, body } = await fetchJson(`${other.baseUrl}/Patient?_id=solo`);
      expect(status).toBe(200);
      expect((body as Bundle).total).toBe(1);
      expect(other.requests).toHaveLength(1);
    } finally {
      await other.close();
    }
  });
});
