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

const FIXTURES = fileURLToPath(new URL('../../../shared/fixtures/external/', import.meta.url));
const ONCOLOGY_DIR = join(FIXTURES, 'synthea-smart-generated-sample-data', 'oncology');
const MEDADMIN_DIR = join(FIXTURES, 'hl7-fhir-r4-core-examples-medadmin');

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
    loaded = await loadFhirResources([synthea.file, MEDADMIN_DIR]);
    server = await startMemoryFhirServer({ resources: loaded.resources });
    client = new Client({ baseUrl: server.baseUrl });
  }, 30_000);

  afterAll(async () => {
    await server.close();
  });

  describe('Synthea transaction bundle', () => {
    it('loads every entry of the bundle plus the medadmin folder', async () => {
      const medadminFiles = (await readdir(MEDADMIN_DIR)).filter((n) => n.endsWith('.json'));
      expect(loaded.skipped).toEqual([]);
      expect(loaded.resources).toHaveLength(synthea.entryCount + medadminFiles.length);
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
