/*
 * Engine cost against snapshot size: one encounter evaluated by every enabled rule with 10, 100, 1 000 and 10 000
 * resources in the patient's history. Reports microseconds per encounter at each size and the exponent of a
 * least-squares fit of log(time) on log(resources): 1 is linear.
 */
import { buildSnapshot } from '../src/fhir/snapshot.js';
import { loadEngine } from '../src/engine.js';
import { evaluateSnapshot } from '../src/rules/run-rules.js';
import { benchRequest } from './request-fixtures.js';

export interface ScalingResult {
  readonly points: readonly { readonly resources: number; readonly microsecondsPerEncounter: number }[];
  readonly exponent: number;
}

function resourcesOf(request: Record<string, unknown>): { resource: unknown }[] {
  const prefetch = request.prefetch as Record<string, { entry?: { resource: unknown }[] } | null>;
  return Object.values(prefetch).flatMap((value) => {
    if (value === null) {
      return [];
    }
    return 'entry' in value ? (value.entry ?? []) : [{ resource: value }];
  });
}

export function runScalingBench(sizes: readonly number[] = [10, 100, 1000, 10_000]): ScalingResult {
  const engine = loadEngine(undefined);
  const deps = engine;
  const points = sizes.map((size) => {
    const resources = resourcesOf(benchRequest(size, 2));
    const evaluate = () =>
      evaluateSnapshot(buildSnapshot({ patientId: 'pat-1', encounterId: 'enc-1', resources }).snapshot, deps);
    const budgetMs = 1500;
    for (let i = 0; i < 3; i += 1) {
      evaluate();
    }
    let runs = 0;
    const started = process.hrtime.bigint();
    while (Number(process.hrtime.bigint() - started) / 1e6 < budgetMs || runs < 3) {
      evaluate();
      runs += 1;
    }
    const micros = Number(process.hrtime.bigint() - started) / 1e3 / runs;
    return { resources: resources.length, microsecondsPerEncounter: Math.round(micros) };
  });
  const xs = points.map((p) => Math.log(p.resources));
  const ys = points.map((p) => Math.log(p.microsecondsPerEncounter));
  const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
  const mx = mean(xs);
  const my = mean(ys);
  const exponent =
    xs.reduce((s, x, i) => s + (x - mx) * ((ys[i] ?? 0) - my), 0) / xs.reduce((s, x) => s + (x - mx) ** 2, 0);
  return { points, exponent: Math.round(exponent * 1000) / 1000 };
}

if (import.meta.url === `file://${process.argv[1] ?? ''}`) {
  console.log(JSON.stringify(runScalingBench(), null, 2));
}
