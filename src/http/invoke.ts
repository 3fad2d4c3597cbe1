import { dataRequirements, type CdsService } from '../cds/services.js';
import type { CardIds } from '../cds/cards.js';
import type { CdsCard, CdsResponse } from '../cds/types.js';
import { CdsError } from '../errors.js';
import { createFhirReader, type FhirReader } from '../fhir/fhir-server-source.js';
import { gatherData, type KeyOutcome } from '../fhir/gather.js';
import { buildSnapshot, type SourcedResource } from '../fhir/snapshot.js';
import { withOverrideReasonEquivalents } from '../feedback/override-reasons.js';
import { isAllowedOutboundUrl } from '../net.js';
import { evaluateSnapshot } from '../rules/evaluate.js';
import type { Finding, RuleId } from '../rules/types.js';
import type { Engine } from '../engine.js';
import { describeIssues, draftResourcesSchema, fhirId, type HookRequest } from './schemas.js';

export interface InvokeDeps {
  readonly engine: Engine;
  readonly fhirTimeoutMs: number;
  readonly allowUnauthenticatedFhir: boolean;
  readonly now: () => Date;
  /** Builds the FHIR reader for a call; tests and the CLI can substitute, production uses fhir-kit-client. */
  readonly fhirReaderFor?: (baseUrl: string, accessToken: string | undefined) => FhirReader;
  /**
   * Decides which findings become cards and what they are called (the service: shadow rules, override memory, card
   * identity, the issuance record; src/feedback/card-memory.ts). Without it, the active rules' findings, random uuids.
   */
  readonly curate?: Curate;
}

/** Which findings to render, with their uuids; `issued` is told the cards returned and may decorate them. */
export interface CuratedFindings {
  readonly findings: readonly Finding[];
  readonly identify?: (finding: Finding) => CardIds;
  issued(cards: readonly CdsCard[]): readonly CdsCard[];
}

export type Curate = (
  findings: readonly Finding[],
  subject: { readonly patientId: string; readonly encounterId: string },
  telemetry: InvokeTelemetry,
) => Promise<CuratedFindings>;

/** What a call did, for logs and metrics: ids, counts and rule ids only. */
export interface InvokeTelemetry {
  fired: RuleId[];
  failed: RuleId[];
  skipped: RuleId[];
  data: KeyOutcome[];
  invalidResources: Map<string, number>;
  /** Rules whose card override memory held back; rules evaluated in shadow mode that found something. */
  suppressed?: RuleId[];
  shadow?: RuleId[];
}

function checkContext(service: CdsService, context: Readonly<Record<string, unknown>>): void {
  const problems: { field: string; message: string }[] = [];
  for (const field of service.requiredContext) {
    const value = context[field];
    if (typeof value !== 'string' || value === '') {
      problems.push({ field, message: 'is required' });
    } else if ((field === 'patientId' || field === 'encounterId') && !fhirId.safeParse(value).success) {
      problems.push({ field, message: 'must be a FHIR id' });
    }
  }
  if (problems.length > 0) {
    throw new CdsError(
      'INVALID_REQUEST',
      problems.map((p) => `context.${p.field} ${p.message}`).join('; '),
      problems.map((p) => `context.${p.field}`),
    );
  }
}

function draftResourcesOf(context: Readonly<Record<string, unknown>>): SourcedResource[] {
  if (context.draftResources === undefined) {
    return [];
  }
  const parsed = draftResourcesSchema.safeParse(context.draftResources);
  if (!parsed.success) {
    const { message } = describeIssues(parsed.error);
    throw new CdsError('INVALID_REQUEST', `context.draftResources must be a FHIR Bundle (${message})`, [
      'context.draftResources',
    ]);
  }
  return (parsed.data.entry ?? [])
    .filter((e) => e.resource !== undefined)
    .map((e) => ({ resource: e.resource, fullUrl: e.fullUrl }));
}

function readerFor(request: HookRequest, deps: InvokeDeps): FhirReader | undefined {
  if (request.fhirAuthorization !== undefined && request.fhirServer === undefined) {
    throw new CdsError('INVALID_REQUEST', 'fhirServer is required when fhirAuthorization is present', ['fhirServer']);
  }
  if (request.fhirServer === undefined) {
    return undefined;
  }
  if (!isAllowedOutboundUrl(request.fhirServer)) {
    throw new CdsError('INVALID_REQUEST', 'fhirServer must be an https URL (http only on loopback)', ['fhirServer']);
  }
  const token = request.fhirAuthorization?.access_token;
  if (token === undefined && !deps.allowUnauthenticatedFhir) {
    return undefined;
  }
  const baseUrl = request.fhirServer.replace(/\/+$/, '');
  return (deps.fhirReaderFor ?? createFhirReader)(baseUrl, token);
}

/**
 * One service call after authentication and JSON parsing: check the request against the service, gather data
 * (prefetch, then the FHIR server), build the snapshot, run the rules, render the cards.
 */
export async function invokeService(
  service: CdsService,
  request: HookRequest,
  deps: InvokeDeps,
  telemetry: InvokeTelemetry,
): Promise<CdsResponse> {
  if (request.hook !== service.hook) {
    throw new CdsError('INVALID_REQUEST', `service ${service.id} answers hook ${service.hook}, not ${request.hook}`, [
      'hook',
    ]);
  }
  checkContext(service, request.context);
  const draftResources = draftResourcesOf(request.context);
  const reader = readerFor(request, deps);

  const gathered = await gatherData({
    requirements: dataRequirements(service, request.context),
    prefetch: request.prefetch,
    reader,
    timeoutMs: deps.fhirTimeoutMs,
  });
  telemetry.data = [...gathered.outcomes];
  if (gathered.missingRequired.length > 0) {
    throw new CdsError(
      'DATA_UNAVAILABLE',
      `Required data could be had neither from prefetch nor from the FHIR server: ${gathered.missingRequired
        .map((o) => `${o.key} (${o.reason ?? 'unavailable'})`)
        .join('; ')}`,
      gathered.missingRequired.map((o) => `prefetch.${o.key}`),
    );
  }

  const patientId = request.context.patientId as string;
  const encounterField = service.encounterContextField;
  const encounterId = encounterField !== undefined ? (request.context[encounterField] as string) : undefined;
  const { snapshot, invalid } = buildSnapshot({
    patientId,
    encounterId,
    resources: gathered.resources,
    draftResources,
    unavailable: gathered.unavailable,
    keepObservation: deps.engine.observationFilter,
  });
  telemetry.invalidResources = new Map(invalid);

  if (encounterId !== undefined && snapshot.encounter === undefined) {
    throw new CdsError('DATA_UNAVAILABLE', 'The encounter being signed is neither in prefetch nor on the FHIR server', [
      'context.encounterId',
    ]);
  }
  if (snapshot.encounter === undefined) {
    return { cards: [] };
  }

  const { engine } = deps;
  const result = evaluateSnapshot(snapshot, { ...engine, now: deps.now });
  telemetry.skipped = result.skipped.map((s) => s.ruleId);
  const curated = deps.curate
    ? await deps.curate(
        result.findings,
        { patientId, encounterId: snapshot.encounter.id ?? encounterId ?? '' },
        telemetry,
      )
    : {
        findings: result.findings.filter((f) => engine.ruleModes.get(f.ruleId) !== 'shadow'),
        issued: (cards: readonly CdsCard[]) => cards,
      };
  const rendered = engine.cards.render(curated.findings, engine.rulesById, {
    maxCards: engine.maxCards,
    ...(curated.identify ? { identify: curated.identify } : {}),
  });
  const cards = curated.issued(rendered.cards).map(withOverrideReasonEquivalents);
  telemetry.failed = [...result.failed, ...rendered.failed];
  telemetry.fired = cards.map((c) => c.source.topic.code as RuleId);
  return { cards };
}
