import { describe, expect, it } from 'vitest';
import { parseHookRequest, type HookRequestParse } from '../../src/cds/hook-request.js';
import { invokeService } from '../../src/cds/invoke.js';
import { loadServiceRegistry } from '../../src/cds/services.js';
import { loadEngine } from '../../src/engine.js';
import { CdsError } from '../../src/errors.js';
import { encounterSignRequest } from '../../test-support/builders.js';

const registry = loadServiceRegistry();
const encounterSign = registry.services.get('oncology-encounter-sign')!;
const patientView = registry.services.get('oncology-patient-view')!;
const deps = { allowUnauthenticatedFhir: false };

function refusal(parse: HookRequestParse) {
  if (parse.ok) {
    throw new Error('expected a refusal');
  }
  const { code, message, expression } = parse.error;
  return { code, message, expression, hookInstance: parse.hookInstance };
}

describe('parseHookRequest', () => {
  it('returns the typed ids, the draft resources and no reader without a fhirServer', () => {
    const draft = { resourceType: 'MedicationAdministration', id: 'ma-d' };
    const body = encounterSignRequest({
      context: { draftResources: { resourceType: 'Bundle', entry: [{ resource: draft }, { fullUrl: 'urn:x' }] } },
    });
    const parse = parseHookRequest(encounterSign, body, deps);
    expect(parse.ok).toBe(true);
    if (!parse.ok) {
      return;
    }
    expect(parse.request).toMatchObject({
      hook: 'encounter-sign',
      hookInstance: 'd1577c69-dfbe-44ad-ba6d-3e05e953b2ea',
      patientId: 'pat-1',
      encounterId: 'enc-1',
      reader: undefined,
    });
    expect(parse.request.draftResources).toEqual([{ resource: draft, fullUrl: undefined }]);
  });

  it('leaves encounterId undefined for a service whose context names no encounter', () => {
    const body = { hook: 'patient-view', hookInstance: 'pv', context: { userId: 'Practitioner/1', patientId: 'p' } };
    const parse = parseHookRequest(patientView, body, deps);
    expect(parse.ok && parse.request.encounterId).toBeUndefined();
    expect(parse.ok && parse.request.patientId).toBe('p');
  });

  it('a schema failure names no hookInstance', () => {
    expect(refusal(parseHookRequest(encounterSign, { hook: 'encounter-sign' }, deps))).toEqual({
      code: 'INVALID_REQUEST',
      message:
        'hookInstance: Invalid input: expected string, received undefined; context: Invalid input: expected record, received undefined',
      expression: ['hookInstance', 'context'],
      hookInstance: undefined,
    });
  });

  it('checks in order: hook, then context, then draftResources, then fhirServer; later refusals name the call', () => {
    const base = encounterSignRequest();
    const fhirAuthorization = { access_token: 't', token_type: 'Bearer' };
    const everythingWrong = {
      ...base,
      hook: 'order-sign',
      context: { patientId: '../x', draftResources: 3 },
      fhirAuthorization,
    };
    expect(refusal(parseHookRequest(encounterSign, everythingWrong, deps))).toMatchObject({
      expression: ['hook'],
      hookInstance: base.hookInstance,
    });
    const contextWrong = { ...everythingWrong, hook: 'encounter-sign' };
    expect(refusal(parseHookRequest(encounterSign, contextWrong, deps))).toEqual({
      code: 'INVALID_REQUEST',
      message: 'context.userId is required; context.patientId must be a FHIR id; context.encounterId is required',
      expression: ['context.userId', 'context.patientId', 'context.encounterId'],
      hookInstance: base.hookInstance,
    });
    const draftWrong = { ...contextWrong, context: { ...(base.context as object), draftResources: 3 } };
    expect(refusal(parseHookRequest(encounterSign, draftWrong, deps))).toMatchObject({
      expression: ['context.draftResources'],
    });
    const serverMissing = { ...draftWrong, context: base.context };
    expect(refusal(parseHookRequest(encounterSign, serverMissing, deps))).toEqual({
      code: 'INVALID_REQUEST',
      message: 'fhirServer is required when fhirAuthorization is present',
      expression: ['fhirServer'],
      hookInstance: base.hookInstance,
    });
    expect(
      refusal(parseHookRequest(encounterSign, { ...base, fhirServer: 'http://example.org/fhir' }, deps)),
    ).toMatchObject({ message: 'fhirServer must be an https URL (http only on loopback)' });
  });

  it('builds a reader for the fhirServer without trailing slashes, with the token; none without a token', () => {
    const asked: [string, string | undefined][] = [];
    const readerDeps = {
      allowUnauthenticatedFhir: false,
      fhirReaderFor: (baseUrl: string, token: string | undefined) => {
        asked.push([baseUrl, token]);
        return { readAll: () => Promise.resolve([]) };
      },
    };
    const withServer = { ...encounterSignRequest(), fhirServer: 'https://ehr.example/fhir//' };
    expect(parseHookRequest(encounterSign, withServer, readerDeps).ok).toBe(true);
    const withToken = { ...withServer, fhirAuthorization: { access_token: 'tok', token_type: 'bearer' } };
    const parse = parseHookRequest(encounterSign, withToken, readerDeps);
    expect(parse.ok && parse.request.reader).toBeDefined();
    expect(asked).toEqual([['https://ehr.example/fhir', 'tok']]);
  });
});

describe('invokeService', () => {
  const engine = loadEngine(undefined);
  const invokeDeps = { engine, fhirTimeoutMs: 1000, now: () => new Date('2025-03-05T12:00:00Z') };

  it('a 412 still reports the data outcomes gathered', async () => {
    const body = encounterSignRequest();
    delete (body.prefetch as Record<string, unknown>).medicationAdministrations;
    const parse = parseHookRequest(encounterSign, body, deps);
    if (!parse.ok) {
      throw parse.error;
    }
    const invocation = await invokeService(encounterSign, parse.request, invokeDeps);
    expect(invocation.ok).toBe(false);
    expect(!invocation.ok && invocation.error instanceof CdsError && invocation.error.code).toBe('DATA_UNAVAILABLE');
    expect(invocation.telemetry.data.map((d) => `${d.key}:${d.source}`)).toContain(
      'medicationAdministrations:unavailable',
    );
    expect(invocation.telemetry.fired).toEqual([]);
  });

  it('returns the response with what the call did; without curate, no suppressed or shadow rules', async () => {
    const parse = parseHookRequest(encounterSign, encounterSignRequest(), deps);
    if (!parse.ok) {
      throw parse.error;
    }
    const invocation = await invokeService(encounterSign, parse.request, invokeDeps);
    expect(invocation.ok && invocation.response).toEqual({ cards: [] });
    expect(invocation.telemetry).toMatchObject({ fired: [], failed: [], suppressed: undefined, shadow: undefined });
    expect(invocation.telemetry.data.length).toBeGreaterThan(0);
  });
});
