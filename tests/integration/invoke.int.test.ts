import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anEncounter, anInfusion, encounterSignRequest, searchset } from '../helpers/builders.js';
import { ENCOUNTER_SIGN, PATIENT_VIEW, startHarness, type Harness } from '../helpers/service-harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

const post = (path: string, body: unknown, auth = h.bearer(path)) =>
  h.request.post(path).set('Authorization', auth).set('Content-Type', 'application/json').send(JSON.stringify(body));

/** CDS Hooks: no null, "", [] or {} anywhere in a response, except the top-level `{"cards": []}`. */
function emptyValuesIn(value: unknown, path = '$'): string[] {
  if (value === null || value === '') {
    return [path];
  }
  if (Array.isArray(value)) {
    return value.length === 0 ? [path] : value.flatMap((v, i) => emptyValuesIn(v, `${path}[${i}]`));
  }
  if (typeof value === 'object') {
    const entries = Object.entries(value);
    return entries.length === 0 ? [path] : entries.flatMap(([k, v]) => emptyValuesIn(v, `${path}.${k}`));
  }
  return [];
}

describe('POST /cds-services/oncology-encounter-sign', () => {
  it('returns the INF-001 card naming the infusion that lacks a stop time', async () => {
    const infusion = anInfusion({ id: 'ma-no-stop', effectivePeriod: { start: '2025-03-04T10:00:00-05:00' } });
    const res = await post(ENCOUNTER_SIGN, encounterSignRequest({ administrations: [infusion] }));
    expect(res.status).toBe(200);
    expect(res.body.cards).toHaveLength(1);
    const card = res.body.cards[0];
    expect(card.source.topic).toEqual({ system: 'urn:oncosign:rule', code: 'INF-001', display: expect.any(String) });
    expect(card.summary).toContain('carboplatin');
    expect(Array.from(card.summary as string).length).toBeLessThan(140);
    expect(card.uuid).toMatch(/^[0-9a-f-]{36}$/);
    expect(card.indicator).toBe('warning');
    expect(card.extension['org.oncosign.evidence']).toEqual(['MedicationAdministration/ma-no-stop']);
    expect(card.overrideReasons.length).toBeGreaterThan(0);
    for (const reason of card.overrideReasons) {
      expect(reason).toEqual({
        system: 'urn:oncosign:override-reason',
        code: expect.any(String),
        display: expect.any(String),
      });
    }
    expect(emptyValuesIn(res.body)).toEqual([]);
  });

  it('answers {"cards": []} when the documentation is complete', async () => {
    const res = await post(ENCOUNTER_SIGN, encounterSignRequest({ administrations: [anInfusion()] }));
    expect(res.status).toBe(200);
    expect(res.text).toBe('{"cards":[]}');
  });
});

describe('request validation', () => {
  const outcomeCode = (body: { issue?: { details?: { coding?: { code?: string }[] } }[] }) =>
    body.issue?.[0]?.details?.coding?.[0]?.code;

  it.each([
    ['hook missing', (r: Record<string, unknown>) => ({ ...r, hook: undefined }), 'hook'],
    ['hookInstance missing', (r: Record<string, unknown>) => ({ ...r, hookInstance: undefined }), 'hookInstance'],
    ['context missing', (r: Record<string, unknown>) => ({ ...r, context: undefined }), 'context'],
    ['wrong hook for the service', (r: Record<string, unknown>) => ({ ...r, hook: 'order-sign' }), 'hook'],
    [
      'encounterId missing',
      (r: Record<string, unknown>) => ({ ...r, context: { userId: 'Practitioner/1', patientId: 'pat-1' } }),
      'context.encounterId',
    ],
    [
      'patientId not a FHIR id',
      (r: Record<string, unknown>) => ({
        ...r,
        context: { userId: 'Practitioner/1', patientId: '../Patient/x?y', encounterId: 'enc-1' },
      }),
      'context.patientId',
    ],
    [
      'prefetch value is not a resource',
      (r: Record<string, unknown>) => ({ ...r, prefetch: { ...(r.prefetch as object), encounter: 'Encounter/1' } }),
      'prefetch.encounter',
    ],
    [
      'draftResources is not a Bundle',
      (r: Record<string, unknown>) => ({ ...r, context: { ...(r.context as object), draftResources: [1, 2] } }),
      'context.draftResources',
    ],
  ])('400 with an OperationOutcome when %s', async (_name, mutate, expression) => {
    const res = await post(ENCOUNTER_SIGN, mutate(encounterSignRequest()));
    expect(res.status).toBe(400);
    expect(res.body.resourceType).toBe('OperationOutcome');
    expect(outcomeCode(res.body)).toBe('INVALID_REQUEST');
    expect(res.body.issue[0].expression).toContain(expression);
  });

  it('400 on malformed JSON, never a 500', async () => {
    const res = await h.request
      .post(ENCOUNTER_SIGN)
      .set('Authorization', h.bearer(ENCOUNTER_SIGN))
      .set('Content-Type', 'application/json')
      .send('{"hook": "encounter-sign",');
    expect(res.status).toBe(400);
    expect(outcomeCode(res.body)).toBe('INVALID_REQUEST');
  });

  it('415 when the body is not JSON', async () => {
    const res = await h.request
      .post(ENCOUNTER_SIGN)
      .set('Authorization', h.bearer(ENCOUNTER_SIGN))
      .set('Content-Type', 'text/plain')
      .send('hello');
    expect(res.status).toBe(415);
    expect(outcomeCode(res.body)).toBe('UNSUPPORTED_MEDIA_TYPE');
  });

  it('404 for an unknown service id, also for its feedback URL', async () => {
    for (const path of ['/cds-services/no-such-service', '/cds-services/no-such-service/feedback']) {
      const res = await post(path, encounterSignRequest());
      expect(res.status).toBe(404);
      expect(outcomeCode(res.body)).toBe('NOT_FOUND');
    }
  });

  it('ignores unknown fields at every level', async () => {
    const request = encounterSignRequest({
      administrations: [anInfusion({ id: 'ma-x', effectivePeriod: { start: '2025-03-04T10:00:00-05:00' } })],
      context: { futureField: { nested: true } },
      extra: { extension: { 'com.example.flag': true }, somethingNew: 42 },
    });
    const res = await post(ENCOUNTER_SIGN, request);
    expect(res.status).toBe(200);
    expect(res.body.cards.map((c: { source: { topic: { code: string } } }) => c.source.topic.code)).toEqual([
      'INF-001',
    ]);
  });

  it('accepts a request just under the default 5 MB limit and answers 413 above it', async () => {
    const padding = (bytes: number) => ({ padding: 'x'.repeat(bytes) });
    const under = await post(ENCOUNTER_SIGN, encounterSignRequest({ extra: padding(4_500_000) }));
    expect(under.status).toBe(200);
    const over = await post(ENCOUNTER_SIGN, encounterSignRequest({ extra: padding(5_300_000) }));
    expect(over.status).toBe(413);
    expect(outcomeCode(over.body)).toBe('PAYLOAD_TOO_LARGE');
  });

  it('405 for an unsupported method on a known path, 404 elsewhere', async () => {
    expect((await h.request.get(ENCOUNTER_SIGN)).status).toBe(405);
    expect((await h.request.get('/nope')).status).toBe(404);
  });
});

describe('data', () => {
  it('412 when a required prefetch key is missing and there is no FHIR server to ask', async () => {
    const request = encounterSignRequest();
    delete (request.prefetch as Record<string, unknown>).medicationAdministrations;
    const res = await post(ENCOUNTER_SIGN, request);
    expect(res.status).toBe(412);
    expect(res.body.issue[0].details.coding[0].code).toBe('DATA_UNAVAILABLE');
    expect(res.body.issue[0].expression).toEqual(['prefetch.medicationAdministrations']);
  });

  it('treats a null prefetch key as "no data", not as missing', async () => {
    const res = await post(ENCOUNTER_SIGN, encounterSignRequest({ prefetch: { medicationAdministrations: null } }));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ cards: [] });
  });

  it('draftResources entries replace prefetched resources with the same id', async () => {
    const saved = anInfusion({ id: 'ma-d', effectivePeriod: { start: '2025-03-04T10:00:00-05:00' } });
    const draft = anInfusion({ id: 'ma-d' });
    const request = encounterSignRequest({
      administrations: [saved],
      context: { draftResources: { resourceType: 'Bundle', type: 'collection', entry: [{ resource: draft }] } },
    });
    const res = await post(ENCOUNTER_SIGN, request);
    expect(res.status).toBe(200);
    expect(res.body.cards).toEqual([]);
  });

  it('drops resources of the wrong shape instead of failing, and says so in metrics', async () => {
    const broken = { ...anInfusion({ id: 'ma-bad' }), effectivePeriod: 'yesterday' };
    const res = await post(
      ENCOUNTER_SIGN,
      encounterSignRequest({ prefetch: { medicationAdministrations: searchset([broken as never]) } }),
    );
    expect(res.status).toBe(200);
    const metrics = await h.request.get('/metrics');
    expect(metrics.text).toMatch(/oncosign_invalid_resources_total\{resource="MedicationAdministration"\} [1-9]/);
  });
});

describe('POST /cds-services/oncology-patient-view', () => {
  it('runs the same rules over the most recent encounter', async () => {
    const older = anEncounter({
      id: 'enc-old',
      period: { start: '2025-01-10T09:00:00Z', end: '2025-01-10T12:00:00Z' },
    });
    const recent = anEncounter({ id: 'enc-new', period: { start: '2025-03-04T09:00:00Z' } });
    const open = anInfusion({
      id: 'ma-open',
      context: { reference: 'Encounter/enc-new' },
      effectivePeriod: { start: '2025-03-04T10:00:00Z' },
    });
    const oldOpen = anInfusion({
      id: 'ma-old-open',
      context: { reference: 'Encounter/enc-old' },
      effectivePeriod: { start: '2025-01-10T10:00:00Z' },
    });
    const res = await post(PATIENT_VIEW, {
      hook: 'patient-view',
      hookInstance: '0f5c1d0e-7a1b-4c55-8a0e-1e2d3c4b5a69',
      context: { userId: 'Practitioner/1', patientId: 'pat-1' },
      prefetch: {
        encounters: searchset([older, recent]),
        conditions: null,
        procedures: null,
        medicationAdministrations: searchset([open, oldOpen]),
      },
    });
    expect(res.status).toBe(200);
    expect(res.body.cards).toHaveLength(1);
    expect(res.body.cards[0].extension['org.oncosign.evidence']).toEqual(['MedicationAdministration/ma-open']);
  });

  it('answers no cards for a patient without encounters', async () => {
    const res = await post(PATIENT_VIEW, {
      hook: 'patient-view',
      hookInstance: '1f5c1d0e-7a1b-4c55-8a0e-1e2d3c4b5a69',
      context: { userId: 'Practitioner/1', patientId: 'pat-1' },
      prefetch: { encounters: null, conditions: null, procedures: null, medicationAdministrations: null },
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ cards: [] });
  });
});
