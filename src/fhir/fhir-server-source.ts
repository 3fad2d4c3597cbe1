import { Client } from 'fhir-kit-client';
import type { ConcurrencyLimit } from './concurrency.js';
import type { SourcedResource } from './snapshot.js';
import { MAX_SEARCH_PAGES } from '../config/limits.js';

/**
 * Reads from the EHR's FHIR server (the CDS Hooks fallback when prefetch lacks data), with the bearer token the EHR
 * handed us. The token goes to `fhirServer` and nowhere else: paging links that leave that origin are not followed.
 */
export interface FhirReader {
  /** Resources a read or search returns, following `next` links; throws FhirReadError on any failure. */
  readAll(relativeUrl: string, signal: AbortSignal): Promise<SourcedResource[]>;
}

export class FhirReadError extends Error {
  override readonly name = 'FhirReadError';
  constructor(
    message: string,
    readonly status: number | undefined,
  ) {
    super(message);
  }
}

interface BundleLike {
  resourceType: 'Bundle';
  entry?: { resource?: unknown; fullUrl?: unknown }[];
  link?: { relation?: unknown; url?: unknown }[];
}

function isBundle(value: unknown): value is BundleLike {
  return typeof value === 'object' && value !== null && (value as { resourceType?: unknown }).resourceType === 'Bundle';
}

/** Entries of a Bundle as sourced resources; malformed entries are skipped (the snapshot checks shapes). */
export function bundleEntries(bundle: BundleLike): SourcedResource[] {
  if (!Array.isArray(bundle.entry)) {
    return [];
  }
  const out: SourcedResource[] = [];
  for (const entry of bundle.entry as unknown[]) {
    if (typeof entry !== 'object' || entry === null) {
      continue;
    }
    const { resource, fullUrl } = entry as { resource?: unknown; fullUrl?: unknown };
    if (resource !== undefined) {
      out.push({ resource, fullUrl: typeof fullUrl === 'string' ? fullUrl : undefined });
    }
  }
  return out;
}

export function nextLink(bundle: BundleLike): string | undefined {
  if (!Array.isArray(bundle.link)) {
    return undefined;
  }
  const next = (bundle.link as unknown[]).find(
    (l): l is { relation: string; url: string } =>
      typeof l === 'object' &&
      l !== null &&
      (l as { relation?: unknown }).relation === 'next' &&
      typeof (l as { url?: unknown }).url === 'string',
  );
  return next?.url;
}

function statusOf(error: unknown): number | undefined {
  const status = (error as { response?: { status?: unknown } } | undefined)?.response?.status;
  return typeof status === 'number' ? status : undefined;
}

export function createFhirReader(
  baseUrl: string,
  accessToken: string | undefined,
  limit?: ConcurrencyLimit,
): FhirReader {
  const client = new Client({ baseUrl, ...(accessToken !== undefined ? { bearerToken: accessToken } : {}) });
  const origin = new URL(baseUrl).origin;

  const get = async (url: string, signal: AbortSignal): Promise<unknown> => {
    try {
      if (limit) {
        return await limit.run(signal, () => request(url, signal));
      }
      return await request(url, signal);
    } catch (error) {
      if (signal.aborted) {
        throw new FhirReadError('FHIR server did not answer before the deadline', undefined);
      }
      if (error instanceof FhirReadError) {
        throw error;
      }
      const status = statusOf(error);
      throw new FhirReadError(
        status !== undefined ? `FHIR server answered ${status}` : 'FHIR server unreachable',
        status,
      );
    }
  };

  // Redirects are not followed: a Location on another origin would bypass the same-origin and https rules.
  const request = (url: string, signal: AbortSignal): Promise<unknown> =>
    client.request(url, { options: { signal, redirect: 'manual', headers: { accept: 'application/fhir+json' } } });

  const sameOriginUrl = (raw: string, what: string): string => {
    let url: URL;
    try {
      url = new URL(raw, `${baseUrl}/`);
    } catch {
      throw new FhirReadError(`FHIR server sent an invalid ${what}`, undefined);
    }
    if (url.origin !== origin) {
      throw new FhirReadError(`${what} points to another origin than fhirServer; not followed`, undefined);
    }
    return url.href;
  };

  return {
    async readAll(relativeUrl, signal) {
      const firstUrl = /^https?:/i.test(relativeUrl) ? sameOriginUrl(relativeUrl, 'link') : relativeUrl;
      const first = await get(firstUrl, signal);
      if (!isBundle(first)) {
        if (typeof first === 'object' && first !== null && 'resourceType' in first) {
          return first.resourceType === 'OperationOutcome' ? [] : [{ resource: first }];
        }
        throw new FhirReadError('FHIR server answered with something that is not a FHIR resource', undefined);
      }
      const resources = bundleEntries(first);
      const visited = new Set<string>([new URL(firstUrl, `${baseUrl}/`).href]);
      let page: BundleLike = first;
      for (let pages = 1; pages < MAX_SEARCH_PAGES; pages += 1) {
        const next = nextLink(page);
        if (next === undefined) {
          return resources;
        }
        const nextUrl = sameOriginUrl(next, 'next link');
        if (visited.has(nextUrl)) {
          throw new FhirReadError('FHIR server paging loops back to a page already read', undefined);
        }
        visited.add(nextUrl);
        const body = await get(nextUrl, signal);
        if (!isBundle(body)) {
          throw new FhirReadError('FHIR server answered a page with something that is not a Bundle', undefined);
        }
        resources.push(...bundleEntries(body));
        page = body;
      }
      throw new FhirReadError(`FHIR search has more than ${MAX_SEARCH_PAGES} pages; not read to the end`, undefined);
    },
  };
}
