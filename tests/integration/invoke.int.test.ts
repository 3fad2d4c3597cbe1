import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anEncounter, anInfusion, encounterSignRequest, searchset } from '../../test-support/builders.js';
import { ENCOUNTER_SIGN, PATIENT_VIEW, startHarness, type Harness } from '../../test-support/service-harness.js';

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

describe('the headline card: add CPT II 0521F', () => {
  it('comes with a create suggestion when prefetch holds a pain plan but no 0521F', async () => {
    const encounter = anEncounter({
      type: [{ coding: [{ system: 'http://www.ama-assn.org/go/cpt', code: '99214' }] }],
    });
    const patient = { reference: 'Patient/pat-1' };
    const here = { reference: 'Encounter/enc-1' };
    const cancer = {
      resourceType: 'Condition',
      id: 'breast-cancer',
      subject: patient,
      clinicalStatus: {
        coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'active' }],
      },
      category: [
        { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-category', code: 'problem-list-item' }] },
      ],
      code: { coding: [{ system: 'http://hl7.org/fhir/sid/icd-10-cm', code: 'C50.912' }] },
      onsetDateTime: '2024-10-01',
    };
    const cancerPain = {
      resourceType: 'Condition',
      id: 'cancer-pain',
      subject: patient,
      encounter: here,
      code: { coding: [{ system: 'http://hl7.org/fhir/sid/icd-10-cm', code: 'G89.3' }] },
    };
    const lastCycle = {
      resourceType: 'Procedure',
      id: 'cycle-3',
      status: 'completed',
      subject: patient,
      code: { coding: [{ system: 'http://www.ama-assn.org/go/cpt', code: '96413' }] },
      performedDateTime: '2025-02-18T10:00:00-05:00',
    };
    const painScore = {
      resourceType: 'Observation',
      id: 'pain-today',
      status: 'final',
      subject: patient,
      encounter: here,
      code: { coding: [{ system: 'http://loinc.org', code: '72514-3' }] },
      effectiveDateTime: '2025-03-04T09:10:00-05:00',
      valueQuantity: { value: 7, unit: '{score}' },
    };
    const plan = {
      resourceType: 'CarePlan',
      id: 'pain-plan',
      status: 'active',
      intent: 'plan',
      subject: patient,
      encounter: here,
      addresses: [{ reference: 'Condition/cancer-pain' }],
    };
    const request = encounterSignRequest({
      encounter,
      prefetch: {
        conditions: searchset([cancer, cancerPain] as never[]),
        procedures: searchset([lastCycle] as never[]),
        painScores: searchset([painScore] as never[]),
        carePlans: searchset([plan] as never[]),
      },
    });
    const res = await post(ENCOUNTER_SIGN, request);
    expect(res.status).toBe(200);
    const card = res.body.cards.find(
      (c: { source: { topic: { code: string } } }) => c.source.topic.code === 'PAIN-004',
    );
    expect(card).toBeDefined();
    expect(card.summary).toBe(
      'Pain plan documented for a patient with pain on active therapy: add CPT II 0521F (MIPS #144).',
    );
    expect(card.indicator).toBe('info');
    expect(card.selectionBehavior).toBe('at-most-one');
    expect(card.suggestions).toHaveLength(1);
    const [suggestion] = card.suggestions;
    expect(suggestion.uuid).toMatch(/^[0-9a-f-]{36}$/);
    expect(suggestion.actions).toEqual([
      {
        type: 'create',
        description: expect.stringContaining('0521F'),
        resource: {
          resourceType: 'Procedure',
          status: 'completed',
          code: {
            coding: [
              {
                system: 'http://www.ama-assn.org/go/cpt',
                code: '0521F',
                display: 'Plan of care to address pain documented',
              },
            ],
            text: 'Plan of care to address pain documented',
          },
          subject: { reference: 'Patient/pat-1' },
          encounter: { reference: 'Encounter/enc-1' },
          performedDateTime: '2025-03-04T09:00:00-05:00',
          reasonReference: [{ reference: 'Observation/pain-today' }],
        },
      },
    ]);
    expect(card.extension['org.oncosign.evidence']).toEqual(
      expect.arrayContaining(['Observation/pain-today', 'CarePlan/pain-plan']),
    );
    expect(emptyValuesIn(res.body)).toEqual([]);
    // The same visit without the plan asks the clinician for one instead.
    const withoutPlan = await post(ENCOUNTER_SIGN, {
      ...request,
      prefetch: { ...(request.prefetch as object), carePlans: null, medicationRequests: null, serviceRequests: null },
    });
    const rules = withoutPlan.body.cards.map((c: { source: { topic: { code: string } } }) => c.source.topic.code);
    expect(rules).toContain('PAIN-003');
    expect(rules).not.toContain('PAIN-004');
  });
});

describe('per-site configuration through the service', () => {
  it('a rule switched off in SITE_CONFIG gives no card', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'oncosign-site-'));
    const path = join(dir, 'site.json');
    writeFileSync(path, JSON.stringify({ rules: { 'INF-001': { enabled: false } } }));
    const site = await startHarness({ env: { SITE_CONFIG: path } });
    try {
      const infusion = anInfusion({ id: 'ma-off', effectivePeriod: { start: '2025-03-04T10:00:00-05:00' } });
      const res = await site.request
        .post(ENCOUNTER_SIGN)
        .set('Authorization', site.bearer(ENCOUNTER_SIGN))
        .send(encounterSignRequest({ administrations: [infusion] }));
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ cards: [] });
      const ready = await site.request.get('/readyz');
      const defaults = await h.request.get('/readyz');
      expect(ready.body.checks.rules).toBe(defaults.body.checks.rules - 1);
    } finally {
      await site.close();
    }
  });
});
