import { dataRequirements, type CdsService } from './services.js';
import type { CardIds } from './cards.js';
import type { ParsedHookRequest } from './hook-request.js';
import type { CdsCard, CdsResponse } from './types.js';
import { CdsError } from '../errors.js';
import { gatherData, type KeyOutcome } from '../fhir/gather.js';
import { buildSnapshot } from '../fhir/snapshot.js';
import { withOverrideReasonEquivalents } from '../feedback/override-reasons.js';
import { evaluateSnapshot } from '../rules/run-rules.js';
import type { Finding, RuleId } from '../rules/types.js';
import type { Engine } from '../engine.js';

export interface InvokeDeps {
  readonly engine: Engine;
  readonly fhirTimeoutMs: number;
  readonly now: () => Date;
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
  /** Rules whose card override memory held back; rules evaluated in shadow mode that found something. */
  readonly suppressed?: readonly RuleId[];
  readonly shadow?: readonly RuleId[];
  issued(cards: readonly CdsCard[]): readonly CdsCard[];
}

export type Curate = (
  findings: readonly Finding[],
  subject: { readonly patientId: string; readonly encounterId: string },
) => Promise<CuratedFindings>;

/** What a call did, for logs and metrics: ids, counts and rule ids only. */
export interface InvokeTelemetry {
  readonly fired: readonly RuleId[];
  readonly failed: readonly RuleId[];
  readonly skipped: readonly RuleId[];
  readonly data: readonly KeyOutcome[];
  readonly invalidResources: ReadonlyMap<string, number>;
  /** Rules whose card override memory held back; rules evaluated in shadow mode that found something. */
  readonly suppressed?: readonly RuleId[];
  readonly shadow?: readonly RuleId[];
}

/** The telemetry of a call that stopped before any data was gathered (its request was refused). */
export const NO_TELEMETRY: InvokeTelemetry = {
  fired: [],
  failed: [],
  skipped: [],
  data: [],
  invalidResources: new Map<string, number>(),
};

/**
 * How a call ended, with what it did either way: a call refused for missing data (412), or one that failed, still
 * reports the data outcomes and dropped resources gathered until then.
 */
export type Invocation =
  | { readonly ok: true; readonly response: CdsResponse; readonly telemetry: InvokeTelemetry }
  | { readonly ok: false; readonly error: unknown; readonly telemetry: InvokeTelemetry };

type Recorded = { -readonly [K in keyof InvokeTelemetry]: InvokeTelemetry[K] };

/**
 * One service call after authentication and parseHookRequest: gather data (prefetch, then the FHIR server), build
 * the snapshot, run the rules, curate the findings, render the cards.
 */
export async function invokeService(
  service: CdsService,
  request: ParsedHookRequest,
  deps: InvokeDeps,
): Promise<Invocation> {
  // Filled in as the call goes, so that a call that stops early still reports what it did until then.
  const telemetry: Recorded = { ...NO_TELEMETRY };
  try {
    const gathered = await gatherData({
      requirements: dataRequirements(service, request.context),
      prefetch: request.prefetch,
      reader: request.reader,
      timeoutMs: deps.fhirTimeoutMs,
    });
    telemetry.data = gathered.outcomes;
    if (gathered.missingRequired.length > 0) {
      const error = new CdsError(
        'DATA_UNAVAILABLE',
        `Required data could be had neither from prefetch nor from the FHIR server: ${gathered.missingRequired
          .map((o) => `${o.key} (${o.reason ?? 'unavailable'})`)
          .join('; ')}`,
        gathered.missingRequired.map((o) => `prefetch.${o.key}`),
      );
      return { ok: false, error, telemetry };
    }

    const { patientId, encounterId } = request;
    const { snapshot, invalid } = buildSnapshot({
      patientId,
      encounterId,
      resources: gathered.resources,
      draftResources: request.draftResources,
      unavailable: gathered.unavailable,
      keepObservation: deps.engine.observationFilter,
    });
    telemetry.invalidResources = invalid;

    if (encounterId !== undefined && snapshot.encounter === undefined) {
      const error = new CdsError(
        'DATA_UNAVAILABLE',
        'The encounter being signed is neither in prefetch nor on the FHIR server',
        ['context.encounterId'],
      );
      return { ok: false, error, telemetry };
    }
    if (snapshot.encounter === undefined) {
      return { ok: true, response: { cards: [] }, telemetry };
    }

    const { engine } = deps;
    const result = evaluateSnapshot(snapshot, engine);
    telemetry.skipped = result.skipped.map((s) => s.ruleId);
    const curated: CuratedFindings = deps.curate
      ? await deps.curate(result.findings, { patientId, encounterId: snapshot.encounter.id ?? encounterId ?? '' })
      : {
          findings: result.findings.filter((f) => engine.ruleModes.get(f.ruleId) !== 'shadow'),
          issued: (cards: readonly CdsCard[]) => cards,
        };
    telemetry.suppressed = curated.suppressed;
    telemetry.shadow = curated.shadow;
    const rendered = engine.cards.render(curated.findings, engine.rulesById, {
      maxCards: engine.maxCards,
      ...(curated.identify ? { identify: curated.identify } : {}),
    });
    const cards = curated.issued(rendered.cards).map(withOverrideReasonEquivalents);
    telemetry.failed = [...result.failed, ...rendered.failed];
    telemetry.fired = cards.map((c) => c.source.topic.code as RuleId);
    return { ok: true, response: { cards }, telemetry };
  } catch (error) {
    // Anything else thrown (a bug in a rule, a card template or the curate step) is reported with what was done.
    return { ok: false, error, telemetry };
  }
}
