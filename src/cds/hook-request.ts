import { CdsError } from '../errors.js';
import { createFhirReader, type FhirReader } from '../fhir/fhir-server-source.js';
import type { SourcedResource } from '../fhir/snapshot.js';
import { isAllowedOutboundUrl } from '../net.js';
import {
  describeIssues,
  draftResourcesSchema,
  fhirId,
  hookRequestSchema,
  isWellFormedHookRequest,
  type HookRequest,
} from './schemas.js';
import type { CdsService } from './services.js';

/*
 * A service call's body, checked once, in the order its errors are reported (the first failing step answers):
 * the request schema; the hook the service answers; the service's required context (patientId and encounterId
 * must be FHIR ids); context.draftResources; fhirServer and fhirAuthorization. What comes out is typed, so nothing
 * downstream re-reads `context` to find the ids.
 */

export interface HookRequestDeps {
  /** Whether a fhirServer may be read without an access token (development; the CLI, whose user chose the server). */
  readonly allowUnauthenticatedFhir: boolean;
  /** Builds the FHIR reader for a call; tests and the CLI can substitute, production uses fhir-kit-client. */
  readonly fhirReaderFor?: (baseUrl: string, accessToken: string | undefined) => FhirReader;
}

/** A hook request checked against the service it calls. */
export interface ParsedHookRequest {
  readonly hook: string;
  readonly hookInstance: string;
  readonly patientId: string;
  /** The encounter being evaluated, for a service that names one in context; absent: the most recent encounter. */
  readonly encounterId: string | undefined;
  readonly draftResources: readonly SourcedResource[];
  readonly prefetch: HookRequest['prefetch'];
  /** Absent when there is no fhirServer, or no token for it and unauthenticated reads are not allowed. */
  readonly reader: FhirReader | undefined;
  /** The whole context, for the prefetch templates' `{{context.x}}` tokens. */
  readonly context: Readonly<Record<string, unknown>>;
}

export type HookRequestParse =
  | { readonly ok: true; readonly request: ParsedHookRequest }
  | {
      readonly ok: false;
      readonly error: CdsError;
      /** Known when the body passed the schema and a later check failed: the call's log line names it. */
      readonly hookInstance?: string;
    };

/** Checks a service call's body against the service: every step below, in order. */
export function parseHookRequest(service: CdsService, body: unknown, deps: HookRequestDeps): HookRequestParse {
  const read = readHookRequest(body);
  return read.ok ? checkHookRequest(service, read.request, deps) : read;
}

/** The schema step alone, for a caller that picks the service from the request's hook (the CLI). */
export function readHookRequest(
  body: unknown,
): { readonly ok: true; readonly request: HookRequest } | { readonly ok: false; readonly error: CdsError } {
  if (isWellFormedHookRequest(body)) {
    return { ok: true, request: body as HookRequest };
  }
  const parsed = hookRequestSchema.safeParse(body);
  if (!parsed.success) {
    const { message, expression } = describeIssues(parsed.error);
    return { ok: false, error: new CdsError('INVALID_REQUEST', message, expression) };
  }
  return { ok: true, request: parsed.data };
}

/** The steps after the schema: the hook, the required context, draftResources, fhirServer and its reader. */
export function checkHookRequest(service: CdsService, request: HookRequest, deps: HookRequestDeps): HookRequestParse {
  const refused = (error: CdsError): HookRequestParse => ({ ok: false, error, hookInstance: request.hookInstance });
  if (request.hook !== service.hook) {
    return refused(
      new CdsError('INVALID_REQUEST', `service ${service.id} answers hook ${service.hook}, not ${request.hook}`, [
        'hook',
      ]),
    );
  }
  const contextError = checkContext(service, request.context);
  if (contextError !== undefined) {
    return refused(contextError);
  }
  const draftResources = draftResourcesOf(request.context);
  if (draftResources instanceof CdsError) {
    return refused(draftResources);
  }
  const reader = readerFor(request, deps);
  if (reader instanceof CdsError) {
    return refused(reader);
  }
  const encounterField = service.encounterContextField;
  return {
    ok: true,
    request: {
      hook: request.hook,
      hookInstance: request.hookInstance,
      patientId: checkedContextId(service, request.context, 'patientId'),
      encounterId:
        encounterField !== undefined ? checkedContextId(service, request.context, encounterField) : undefined,
      draftResources,
      prefetch: request.prefetch,
      reader,
      context: request.context,
    },
  };
}

function checkContext(service: CdsService, context: Readonly<Record<string, unknown>>): CdsError | undefined {
  const problems: { field: string; message: string }[] = [];
  for (const field of service.requiredContext) {
    const value = context[field];
    if (typeof value !== 'string' || value === '') {
      problems.push({ field, message: 'is required' });
    } else if ((field === 'patientId' || field === 'encounterId') && !fhirId.safeParse(value).success) {
      problems.push({ field, message: 'must be a FHIR id' });
    }
  }
  if (problems.length === 0) {
    return undefined;
  }
  return new CdsError(
    'INVALID_REQUEST',
    problems.map((p) => `context.${p.field} ${p.message}`).join('; '),
    problems.map((p) => `context.${p.field}`),
  );
}

/**
 * A context id that checkContext has already found to be a non-empty string. Every service we host requires the
 * fields read here (src/cds/services.ts), so a service that does not is a programming error, not a bad request.
 */
function checkedContextId(service: CdsService, context: Readonly<Record<string, unknown>>, field: string): string {
  const value = context[field];
  if (typeof value !== 'string') {
    throw new Error(`service ${service.id} reads context.${field} without requiring it`);
  }
  return value;
}

function draftResourcesOf(context: Readonly<Record<string, unknown>>): SourcedResource[] | CdsError {
  if (context.draftResources === undefined) {
    return [];
  }
  const parsed = draftResourcesSchema.safeParse(context.draftResources);
  if (!parsed.success) {
    const { message } = describeIssues(parsed.error);
    return new CdsError('INVALID_REQUEST', `context.draftResources must be a FHIR Bundle (${message})`, [
      'context.draftResources',
    ]);
  }
  return (parsed.data.entry ?? [])
    .filter((e) => e.resource !== undefined)
    .map((e) => ({ resource: e.resource, fullUrl: e.fullUrl }));
}

function readerFor(request: HookRequest, deps: HookRequestDeps): FhirReader | undefined | CdsError {
  if (request.fhirAuthorization !== undefined && request.fhirServer === undefined) {
    return new CdsError('INVALID_REQUEST', 'fhirServer is required when fhirAuthorization is present', ['fhirServer']);
  }
  if (request.fhirServer === undefined) {
    return undefined;
  }
  if (!isAllowedOutboundUrl(request.fhirServer)) {
    return new CdsError('INVALID_REQUEST', 'fhirServer must be an https URL (http only on loopback)', ['fhirServer']);
  }
  const token = request.fhirAuthorization?.access_token;
  if (token === undefined && !deps.allowUnauthenticatedFhir) {
    return undefined;
  }
  const baseUrl = request.fhirServer.replace(/\/+$/, '');
  return (deps.fhirReaderFor ?? createFhirReader)(baseUrl, token);
}
