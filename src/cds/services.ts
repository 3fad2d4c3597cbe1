import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { DataRequirement } from '../fhir/gather.js';
import { isSnapshotResourceType, type SnapshotResourceType } from '../fhir/resource-types.js';
import { projectPath } from '../paths.js';

/*
 * The services we host. Their public description (id, hook, prefetch templates) is data in
 * discovery/cds-services.json, served verbatim; what the code needs beyond it (required context fields, which
 * prefetch keys are indispensable) is declared here and checked against that file at start-up.
 */

interface ServiceBehaviour {
  readonly hook: string;
  readonly requiredContext: readonly string[];
  /** Without these the rules cannot say anything trustworthy: 412 when neither prefetch nor FHIR has them. */
  readonly requiredPrefetch: readonly string[];
  /** The context field naming the encounter under evaluation; absent: the most recent encounter is used. */
  readonly encounterContextField?: string;
}

const behaviours: Record<string, ServiceBehaviour> = {
  'oncology-encounter-sign': {
    hook: 'encounter-sign',
    requiredContext: ['userId', 'patientId', 'encounterId'],
    requiredPrefetch: ['encounter', 'conditions', 'procedures', 'medicationAdministrations'],
    encounterContextField: 'encounterId',
  },
  'oncology-patient-view': {
    hook: 'patient-view',
    requiredContext: ['userId', 'patientId'],
    requiredPrefetch: ['encounters', 'conditions', 'procedures', 'medicationAdministrations'],
  },
};

export interface PrefetchTemplate {
  readonly key: string;
  readonly template: string;
  readonly resourceType: SnapshotResourceType;
  readonly required: boolean;
}

export interface CdsService extends ServiceBehaviour {
  readonly id: string;
  readonly prefetch: readonly PrefetchTemplate[];
}

const prefetchToken = /\{\{\s*([^}]*?)\s*\}\}/g;

const discoverySchema = z.object({
  services: z
    .array(
      z.looseObject({
        id: z.string().regex(/^[A-Za-z0-9._~-]+$/),
        hook: z.string().min(1),
        title: z.string().min(1),
        description: z.string().min(1),
        prefetch: z.record(z.string(), z.string()).optional(),
        usageRequirements: z.string().optional(),
      }),
    )
    .min(1),
});

export interface ServiceRegistry {
  /** The discovery document exactly as served. */
  readonly discovery: unknown;
  readonly services: ReadonlyMap<string, CdsService>;
}

/** Loads discovery/cds-services.json and checks it against what the code implements; throws naming any mismatch. */
export function loadServiceRegistry(file: string = projectPath('discovery', 'cds-services.json')): ServiceRegistry {
  const discovery = JSON.parse(readFileSync(file, 'utf8')) as unknown;
  const parsed = discoverySchema.parse(discovery);
  const services = new Map<string, CdsService>();
  for (const entry of parsed.services) {
    const behaviour = behaviours[entry.id];
    if (!behaviour) {
      throw new Error(`discovery: service ${entry.id} has no implementation`);
    }
    if (behaviour.hook !== entry.hook) {
      throw new Error(
        `discovery: service ${entry.id} is listed for hook ${entry.hook}, implemented for ${behaviour.hook}`,
      );
    }
    const prefetch = Object.entries(entry.prefetch ?? {}).map(([key, template]): PrefetchTemplate => {
      const resourceType = /^([A-Z][A-Za-z]+)[/?]/.exec(template)?.[1] ?? '';
      if (!isSnapshotResourceType(resourceType)) {
        throw new Error(`discovery: ${entry.id} prefetch ${key} reads ${resourceType}, which no rule uses`);
      }
      for (const [, token] of template.matchAll(prefetchToken)) {
        const field = /^context\.([A-Za-z]+)$/.exec(token ?? '')?.[1];
        if (field === undefined || !behaviour.requiredContext.includes(field)) {
          throw new Error(
            `discovery: ${entry.id} prefetch ${key} uses {{${token ?? ''}}}, not a required context field`,
          );
        }
      }
      return { key, template, resourceType, required: behaviour.requiredPrefetch.includes(key) };
    });
    const missing = behaviour.requiredPrefetch.filter((key) => !prefetch.some((p) => p.key === key));
    if (missing.length > 0) {
      throw new Error(`discovery: ${entry.id} lacks required prefetch keys ${missing.join(', ')}`);
    }
    services.set(entry.id, { id: entry.id, ...behaviour, prefetch });
  }
  const unlisted = Object.keys(behaviours).filter((id) => !services.has(id));
  if (unlisted.length > 0) {
    throw new Error(`discovery: implemented services missing from discovery: ${unlisted.join(', ')}`);
  }
  return { discovery, services };
}

/** Fills a prefetch template's `{{context.x}}` tokens; values are FHIR ids (checked by the request schema). */
export function expandTemplate(template: string, context: Readonly<Record<string, unknown>>): string {
  return template.replace(prefetchToken, (_, token: string) => {
    const field = token.replace(/^context\./, '');
    const value = context[field];
    return typeof value === 'string' ? encodeURIComponent(value) : '';
  });
}

/** What a call to the service needs, with each prefetch template's query filled in from the call's context. */
export function dataRequirements(service: CdsService, context: Readonly<Record<string, unknown>>): DataRequirement[] {
  return service.prefetch.map(({ key, resourceType, required, template }) => ({
    key,
    resourceType,
    required,
    query: expandTemplate(template, context),
  }));
}
