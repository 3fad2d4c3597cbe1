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
    expect([...card.summary].length).toBeLessThan(140);
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
