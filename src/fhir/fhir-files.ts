import { createReadStream } from 'node:fs';
import { readdir, readFile, realpath, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Bundle, BundleEntry, Resource } from 'fhir/r4.js';
import { MAX_FHIR_FILE_ERROR_LENGTH } from '../config/limits.js';

/*
 * Reading FHIR data files: Bundles (transaction, batch, collection, searchset) and Bulk Data NDJSON exports, from
 * files or folders. Bundle entries' fullUrl references (Synthea's urn:uuid) are rewritten to Type/id. Nothing here
 * throws on bad data: a file or line that cannot be read is reported with a reason and skipped.
 */

const UNPACKED_BUNDLE_TYPES: ReadonlySet<string> = new Set(['transaction', 'batch', 'collection', 'searchset']);

export interface SkippedInput {
  readonly file: string;
  readonly reason: string;
}

/** The .json and .ndjson files under the given paths (folders recursively, in name order); explicit files as given. */
export async function listFhirFiles(paths: readonly string[]): Promise<{ files: string[]; skipped: SkippedInput[] }> {
  const files: string[] = [];
  const skipped: { file: string; reason: string }[] = [];
  const visitedDirs = new Set<string>();
  for (const path of paths) {
    await collectFiles(path, true, files, skipped, visitedDirs);
  }
  return { files, skipped };
}

/**
 * The resources of one file, one at a time: a .json file is parsed whole (one Bundle or resource), an .ndjson file
 * is streamed line by line, so memory follows the largest single resource, not the file.
 */
export async function* readFhirFile(file: string, skip: (reason: string) => void): AsyncGenerator<Resource> {
  for await (const { resource } of readFhirFileEntries(file, skip)) {
    yield resource;
  }
}

/** A resource read from a file and, when it was one whole NDJSON line as written, that line's JSON text. */
export interface FileEntry {
  readonly resource: Resource;
  /** Undefined for a resource unpacked from a Bundle (its id and references may have been completed). */
  readonly text?: string;
}

/**
 * As `readFhirFile`, with each resource's own JSON text where the file holds it as one line, so that a reader that
 * keeps resources as text (the audit's staging) need not serialise them again.
 */
export async function* readFhirFileEntries(file: string, skip: (reason: string) => void): AsyncGenerator<FileEntry> {
  if (extname(file).toLowerCase() === '.ndjson') {
    const lines = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
    let number = 0;
    try {
      for await (const raw of lines) {
        number += 1;
        const line = number === 1 ? raw.replace(/^\uFEFF/, '') : raw;
        if (line.trim() === '') {
          continue;
        }
        const parsed = parseResource(line);
        if (typeof parsed === 'string') {
          skip(`line ${String(number)}: ${parsed}`);
        } else if (isBundle(parsed) && UNPACKED_BUNDLE_TYPES.has(parsed.type)) {
          yield* unpackBundle(parsed).map((resource) => ({ resource }));
        } else {
          yield { resource: parsed, text: line };
        }
      }
    } catch (err) {
      skip(`cannot read: ${errorMessage(err)}`);
    }
    return;
  }
  let text: string;
  try {
    text = (await readFile(file, 'utf8')).replace(/^\uFEFF/, '');
  } catch (err) {
    skip(`cannot read: ${errorMessage(err)}`);
    return;
  }
  const parsed = parseResource(text);
  if (typeof parsed === 'string') {
    skip(parsed);
    return;
  }
  yield* unpackBundle(parsed).map((resource) => ({ resource }));
}

/** Every resource under the given paths, in memory (tests, the demo and the loopback FHIR server). */
export async function loadFhirResources(
  paths: readonly string[],
): Promise<{ resources: Resource[]; skipped: SkippedInput[] }> {
  const { files, skipped } = await listFhirFiles(paths);
  const resources: Resource[] = [];
  for (const file of files) {
    for await (const resource of readFhirFile(file, (reason) => skipped.push({ file, reason }))) {
      resources.push(resource);
    }
  }
  return { resources, skipped };
}

async function collectFiles(
  path: string,
  explicit: boolean,
  files: string[],
  skipped: { file: string; reason: string }[],
  visitedDirs: Set<string>,
): Promise<void> {
  let isDirectory: boolean;
  try {
    isDirectory = (await stat(path)).isDirectory();
  } catch (err) {
    skipped.push({ file: path, reason: `cannot read: ${errorMessage(err)}` });
    return;
  }
  if (!isDirectory) {
    const ext = extname(path).toLowerCase();
    if (explicit || ext === '.json' || ext === '.ndjson') {
      files.push(path);
    }
    return;
  }
  // Symlinked folders could otherwise make the walk loop forever.
  const real = await realpath(path);
  if (visitedDirs.has(real)) {
    return;
  }
  visitedDirs.add(real);
  const names = (await readdir(path)).sort();
  for (const name of names) {
    await collectFiles(join(path, name), false, files, skipped, visitedDirs);
  }
}

function parseResource(text: string): Resource | string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return `invalid JSON: ${errorMessage(err)}`;
  }
  return isResource(value) ? value : 'not a FHIR resource (no resourceType)';
}

function unpackBundle(resource: Resource): Resource[] {
  if (!isBundle(resource) || !UNPACKED_BUNDLE_TYPES.has(resource.type)) {
    return [resource];
  }
  const entries = (resource.entry ?? []).filter(
    (entry): entry is BundleEntry & { resource: Resource } =>
      entry.resource !== undefined && isResource(entry.resource) && entry.resource.resourceType !== 'Bundle',
  );

  const referenceByFullUrl = new Map<string, string>();
  for (const entry of entries) {
    entry.resource.id ??= idFromEntry(entry);
    if (entry.fullUrl !== undefined && entry.resource.id !== undefined) {
      referenceByFullUrl.set(entry.fullUrl, `${entry.resource.resourceType}/${entry.resource.id}`);
    }
  }
  if (referenceByFullUrl.size > 0) {
    for (const entry of entries) {
      rewriteReferences(entry.resource, referenceByFullUrl);
    }
  }
  return entries.map((entry) => entry.resource);
}

function idFromEntry(entry: BundleEntry & { resource: Resource }): string | undefined {
  const uuid = /^urn:uuid:([0-9a-fA-F-]{36})$/.exec(entry.fullUrl ?? '')?.[1];
  if (uuid !== undefined) {
    return uuid.toLowerCase();
  }
  const requestUrl = /^([A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})$/.exec(entry.request?.url ?? '');
  return requestUrl?.[1] === entry.resource.resourceType ? requestUrl[2] : undefined;
}

function rewriteReferences(node: unknown, referenceByFullUrl: ReadonlyMap<string, string>): void {
  if (Array.isArray(node)) {
    for (const item of node) {
      rewriteReferences(item, referenceByFullUrl);
    }
    return;
  }
  if (typeof node !== 'object' || node === null) {
    return;
  }
  const record = node as Record<string, unknown>;
  for (const [key, value] of Object.entries(record)) {
    if (key === 'reference' && typeof value === 'string') {
      const rewritten = referenceByFullUrl.get(value);
      if (rewritten !== undefined) {
        record[key] = rewritten;
      }
    } else {
      rewriteReferences(value, referenceByFullUrl);
    }
  }
}

function isResource(value: unknown): value is Resource {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    'resourceType' in value &&
    typeof value.resourceType === 'string' &&
    value.resourceType !== ''
  );
}

function isBundle(resource: Resource): resource is Bundle {
  return resource.resourceType === 'Bundle';
}

function errorMessage(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.length > MAX_FHIR_FILE_ERROR_LENGTH ? `${message.slice(0, MAX_FHIR_FILE_ERROR_LENGTH)}…` : message;
}
