import { readFileSync } from 'node:fs';
import type { Engine } from '../engine.js';
import { checkHookRequest, readHookRequest } from '../cds/hook-request.js';
import { invokeService } from '../cds/invoke.js';
import { CdsError } from '../errors.js';
import { formatCards } from './print-cards.js';
import { CLI_FHIR_TIMEOUT_MS } from '../config/limits.js';

export interface CommandResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

const invalid = (reason: string): CommandResult => ({ exitCode: 2, stdout: '', stderr: `${reason}\n` });

/**
 * `oncosign evaluate REQUEST.json`: a CDS Hooks request file through the same path as the service (validation,
 * prefetch then fhirServer, snapshot, rules, cards), without the JWT (the file is the caller's own). Reading an open
 * FHIR server without a token is allowed here: the person running the command chose the server.
 */
export async function evaluateRequestFile(
  path: string,
  engine: Engine,
  options: { json: boolean; serviceId?: string; fhirTimeoutMs?: number; now?: () => Date },
): Promise<CommandResult> {
  let body: unknown;
  try {
    body = JSON.parse(readFileSync(path, 'utf8')) as unknown;
  } catch (error) {
    return invalid(`${path}: not a readable JSON file (${error instanceof Error ? error.message : 'unknown error'})`);
  }
  // The request is read before its service is chosen, as the service is found by its hook.
  const read = readHookRequest(body);
  if (!read.ok) {
    return invalid(`${path}: not a CDS Hooks request: ${read.error.message}`);
  }
  const services = [...engine.registry.services.values()];
  const service =
    options.serviceId !== undefined
      ? engine.registry.services.get(options.serviceId)
      : services.find((s) => s.hook === read.request.hook);
  if (!service) {
    return invalid(
      options.serviceId !== undefined
        ? `no service ${options.serviceId}; services: ${services.map((s) => s.id).join(', ')}`
        : `no service answers hook ${read.request.hook}; hooks: ${services.map((s) => s.hook).join(', ')}`,
    );
  }
  const checked = checkHookRequest(service, read.request, { allowUnauthenticatedFhir: true });
  if (!checked.ok) {
    return invalid(`${path}: ${checked.error.code}: ${checked.error.message}`);
  }
  const invocation = await invokeService(service, checked.request, {
    engine,
    fhirTimeoutMs: options.fhirTimeoutMs ?? CLI_FHIR_TIMEOUT_MS,
    now: options.now ?? (() => new Date()),
  });
  if (!invocation.ok) {
    if (invocation.error instanceof CdsError) {
      return invalid(`${path}: ${invocation.error.code}: ${invocation.error.message}`);
    }
    throw invocation.error;
  }
  const { response, telemetry } = invocation;
  const text = options.json
    ? JSON.stringify(response)
    : `${service.id}: ${String(response.cards.length)} card(s)\n${formatCards(response.cards)}`;
  const notes = [
    ...(telemetry.skipped.length > 0 ? [`rules skipped for missing data: ${telemetry.skipped.join(', ')}`] : []),
    ...(telemetry.failed.length > 0 ? [`rules that failed: ${telemetry.failed.join(', ')}`] : []),
  ];
  return { exitCode: 0, stdout: `${text}\n`, stderr: notes.map((n) => `${n}\n`).join('') };
}
