import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** External FHIR data nobody on this project wrote (`../shared/fixtures/external`, beside the repo). */
export const externalFixtures = fileURLToPath(new URL('../../shared/fixtures/external/', import.meta.url));

export function readJson<T = unknown>(path: string): T {
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}

export function externalFixture<T = unknown>(relativePath: string): T {
  return readJson<T>(`${externalFixtures}${relativePath}`);
}
