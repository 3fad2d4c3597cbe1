import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anInfusion, encounterSignRequest } from '../../test-support/builders.js';
import { readJson } from '../../test-support/fixtures.js';
import { ENCOUNTER_SIGN, PUBLIC_BASE_URL, startHarness, type Harness } from '../../test-support/service-harness.js';
import { projectPath } from '../../src/paths.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

describe('GET /cds-services (discovery)', () => {
  it('serves discovery/cds-services.json as is, as JSON', async () => {
    const res = await h.request.get('/cds-services').set('Accept', 'application/json');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.body).toEqual(readJson(projectPath('discovery', 'cds-services.json')));
  });

  it('lists encounter-sign and patient-view services with string hook, id and description', async () => {
    const { services } = (await h.request.get('/cds-services')).body as {
      services: { id: unknown; hook: unknown; description: unknown }[];
    };
    expect(services.map((s) => [s.id, s.hook])).toEqual([
      ['oncology-encounter-sign', 'encounter-sign'],
      ['oncology-patient-view', 'patient-view'],
    ]);
    for (const service of services) {
      expect(typeof service.description).toBe('string');
    }
  });
});

describe('operations endpoints', () => {
  it('/healthz is 200 without any dependency check', async () => {
    const res = await h.request.get('/healthz');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
  });

  it('/readyz is 200 while serving and 503 once draining', async () => {
    const ready = await h.request.get('/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body.checks).toMatchObject({ store: 'open', draining: false, services: 2 });
    const draining = await startHarness();
    draining.service.startDraining();
    const res = await draining.request.get('/readyz');
    expect(res.status).toBe(503);
    expect(res.body.checks.draining).toBe(true);
    await draining.close();
  });

  it('/metrics exposes request, latency and card counters in Prometheus text', async () => {
    const infusion = anInfusion({ id: 'ma-m', effectivePeriod: { start: '2025-03-04T10:00:00-05:00' } });
    await h.request
      .post(ENCOUNTER_SIGN)
      .set('Authorization', h.bearer(ENCOUNTER_SIGN))
      .send(encounterSignRequest({ administrations: [infusion] }));
    const res = await h.request.get('/metrics');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    expect(res.text).toMatch(
      /oncosign_http_requests_total\{route="\/cds-services\/:id",method="POST",status="200"\} \d+/,
    );
    expect(res.text).toMatch(
      /oncosign_hook_duration_seconds_count\{service="oncology-encounter-sign",outcome="200"\} \d+/,
    );
    expect(res.text).toMatch(/oncosign_cards_total\{rule="INF-001",indicator="warning"\} [1-9]/);
  });

  it('/openapi.json describes the service endpoints and their error statuses', async () => {
    const res = await h.request.get('/openapi.json');
    expect(res.status).toBe(200);
    expect(res.body.openapi).toBe('3.1.0');
    expect(res.body.servers).toEqual([{ url: PUBLIC_BASE_URL }]);
    expect(Object.keys(res.body.paths['/cds-services/{id}'].post.responses)).toEqual(
      expect.arrayContaining(['200', '400', '401', '404', '412', '413', '429']),
    );
    expect(Object.keys(res.body.paths['/cds-services/{id}/feedback'].post.responses)).toEqual(
      expect.arrayContaining(['200', '400', '401', '404', '413', '429', '503']),
    );
    expect(res.body.components.schemas.HookRequest.required).toEqual(
      expect.arrayContaining(['hook', 'hookInstance', 'context']),
    );
  });

  it('sends security headers and no-store on every answer', async () => {
    const res = await h.request.get('/cds-services');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-powered-by']).toBeUndefined();
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('a real listening server', () => {
  let server: Server;
  let base: string;
  beforeAll(async () => {
    server = h.service.app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('answers a signed encounter-sign call over a socket with fetch', async () => {
    const infusion = anInfusion({ id: 'ma-net', effectivePeriod: { start: '2025-03-04T10:00:00-05:00' } });
    const res = await fetch(`${base}${ENCOUNTER_SIGN}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: h.bearer(ENCOUNTER_SIGN) },
      body: JSON.stringify(encounterSignRequest({ administrations: [infusion] })),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { cards: { source: { topic: { code: string } } }[] };
    expect(body.cards.map((c) => c.source.topic.code)).toEqual(['INF-001']);
  });
});
