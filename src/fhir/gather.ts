// eslint-disable-next-line no-restricted-imports -- fixed by the snapshot branch
import type { CdsService, PrefetchTemplate } from '../cds/services.js';
// eslint-disable-next-line no-restricted-imports -- fixed by the snapshot branch
import { expandTemplate } from '../cds/services.js';
import type { SnapshotResourceType } from './resources.js';
import { bundleEntries, nextLink, type FhirReader } from './fhir-server-source.js';
import type { SourcedResource } from './snapshot.js';

/** The outcome of one prefetch key, for logs and metrics: no resource content, ids or URLs. */
export interface KeyOutcome {
  readonly key: string;
  readonly resourceType: SnapshotResourceType;
  readonly source: 'prefetch' | 'prefetch-null' | 'fhir-server' | 'unavailable';
  /** True when the FHIR server was asked (whether or not it answered). */
  readonly fetchAttempted?: boolean;
  readonly reason?: string;
}

export interface GatheredData {
  readonly resources: readonly SourcedResource[];
  readonly unavailable: ReadonlySet<SnapshotResourceType>;
  readonly outcomes: readonly KeyOutcome[];
  /** Required keys that could be had neither way: the call cannot be answered (412). */
  readonly missingRequired: readonly KeyOutcome[];
}

export interface GatherInput {
  readonly service: CdsService;
  readonly context: Readonly<Record<string, unknown>>;
  /** The request's prefetch object; a key may be absent, null, an OperationOutcome, a Bundle or a resource. */
  readonly prefetch: Readonly<Record<string, unknown>> | undefined;
  /** Absent when the request has no fhirServer (or one we may not call): missing keys are then unavailable. */
  readonly reader: FhirReader | undefined;
  readonly timeoutMs: number;
}

function resourceTypeOf(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) {
    return undefined;
  }
  const type = (value as { resourceType?: unknown }).resourceType;
  return typeof type === 'string' ? type : undefined;
}

/**
 * Collects the data for one call, key by key (CDS Hooks 2.0 prefetch semantics): a present value is used; `null`
 * means the EHR found nothing; an absent key or an OperationOutcome is fetched from the FHIR server, all keys in
 * parallel under one deadline. A required key that cannot be had is reported in `missingRequired` (the caller
 * answers 412); an optional one marks its resource type unavailable so that rules reading it stay silent.
 */
export async function gatherData(input: GatherInput): Promise<GatheredData> {
  const resources: SourcedResource[] = [];
  const outcomes: KeyOutcome[] = [];
  const toFetch: PrefetchTemplate[] = [];
  const paginated: { template: PrefetchTemplate; next: string }[] = [];

  for (const template of input.service.prefetch) {
    const prefetch = input.prefetch ?? {};
    const present = Object.hasOwn(prefetch, template.key);
    const value = present ? prefetch[template.key] : undefined;
    if (present && value === null) {
      outcomes.push({ key: template.key, resourceType: template.resourceType, source: 'prefetch-null' });
      continue;
    }
    const type = resourceTypeOf(value);
    if (type === undefined || type === 'OperationOutcome') {
      toFetch.push(template);
      continue;
    }
    if (type === 'Bundle') {
      resources.push(...bundleEntries(value as Parameters<typeof bundleEntries>[0]));
      const next = nextLink(value as Parameters<typeof nextLink>[0]);
      if (next !== undefined) {
        paginated.push({ template, next });
        continue;
      }
    } else {
      resources.push({ resource: value });
    }
    outcomes.push({ key: template.key, resourceType: template.resourceType, source: 'prefetch' });
  }

  const unavailable = new Set<SnapshotResourceType>();
  const markUnavailable = (template: PrefetchTemplate, reason: string, fetchAttempted = false): void => {
    outcomes.push({
      key: template.key,
      resourceType: template.resourceType,
      source: 'unavailable',
      reason,
      fetchAttempted,
    });
    unavailable.add(template.resourceType);
  };

  const reader = input.reader;
  if (reader === undefined) {
    toFetch.forEach((t) => {
      markUnavailable(t, 'not in prefetch and no FHIR server to ask');
    });
    paginated.forEach(({ template }) => {
      markUnavailable(template, 'prefetch was paginated and no FHIR server to ask');
    });
  } else if (toFetch.length > 0 || paginated.length > 0) {
    const signal = AbortSignal.timeout(input.timeoutMs);
    const jobs = [
      ...toFetch.map((template) => ({ template, url: expandTemplate(template.template, input.context) })),
      ...paginated.map(({ template, next }) => ({ template, url: next })),
    ];
    const settled = await Promise.allSettled(jobs.map((job) => reader.readAll(job.url, signal)));
    settled.forEach((result, i) => {
      const template = (jobs[i] as (typeof jobs)[number]).template;
      if (result.status === 'fulfilled') {
        resources.push(...result.value);
        outcomes.push({
          key: template.key,
          resourceType: template.resourceType,
          source: 'fhir-server',
          fetchAttempted: true,
        });
      } else {
        markUnavailable(template, result.reason instanceof Error ? result.reason.message : 'FHIR read failed', true);
      }
    });
  }

  const missingRequired = outcomes.filter(
    (o) => o.source === 'unavailable' && input.service.prefetch.some((t) => t.key === o.key && t.required),
  );
  return { resources, unavailable, outcomes, missingRequired };
}
