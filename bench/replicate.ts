/*
 * Writes the fixtures replicated N times as a Bulk Data export (one NDJSON file per resource type), each copy with
 * its own ids (`<id>-r<k>`) and references rewritten to match, so every copy is a distinct set of patients.
 */
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { Resource } from 'fhir/r4.js';
import { loadFhirResources } from '../src/fhir/fhir-files.js';
import { projectPath } from '../src/paths.js';

const external = projectPath('..', 'shared', 'fixtures', 'external');
export const FIXTURE_INPUTS = [
  `${external}/synthea-smart-generated-sample-data`,
  `${external}/ecqm-cms157-oncology-pain-intensity/tests`,
  `${external}/hl7-fhir-r4-core-examples-medadmin`,
  `${external}/hl7-mcode-ig-examples`,
];

function rewrite(node: unknown, suffix: string): unknown {
  if (Array.isArray(node)) {
    return node.map((n) => rewrite(n, suffix));
  }
  if (typeof node !== 'object' || node === null) {
    return node;
  }
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    out[key] =
      key === 'reference' && typeof value === 'string' && /^[A-Z][A-Za-z]+\/[^/]+$/.test(value)
        ? `${value}${suffix}`
        : rewrite(value, suffix);
  }
  return out;
}

/** Returns the number of encounters written. */
export async function writeReplicatedExport(
  dir: string,
  copies: number,
): Promise<{ encounters: number; resources: number }> {
  mkdirSync(dir, { recursive: true });
  const { resources } = await loadFhirResources(FIXTURE_INPUTS);
  const files = new Map<string, number>();
  const fileFor = (type: string): number => {
    let fd = files.get(type);
    if (fd === undefined) {
      fd = openSync(join(dir, `${type}.ndjson`), 'w');
      files.set(type, fd);
    }
    return fd;
  };
  let encounters = 0;
  let written = 0;
  try {
    for (let k = 0; k < copies; k += 1) {
      const suffix = `-r${String(k)}`;
      for (const resource of resources) {
        const copy = rewrite(resource, suffix) as Resource;
        copy.id = `${resource.id ?? 'x'}${suffix}`;
        writeSync(fileFor(resource.resourceType), `${JSON.stringify(copy)}\n`);
        written += 1;
        if (resource.resourceType === 'Encounter') {
          encounters += 1;
        }
      }
    }
  } finally {
    files.forEach((fd) => {
      closeSync(fd);
    });
  }
  return { encounters, resources: written };
}
