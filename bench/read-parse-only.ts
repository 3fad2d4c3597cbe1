/*
 * The audit's baseline: a read-and-parse-only pass over the same input, in its own process as the audit runs (see
 * bench/run.ts). Every file the audit would read, read the way the audit reads it (src/fhir/fhir-files.ts: NDJSON
 * streamed line by line, a .json file whole), each line or file JSON.parse'd, nothing else: no staging, no index,
 * no rules. Prints one JSON line: resources, seconds, peak resident memory.
 */
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { createInterface } from 'node:readline';
import { listFhirFiles } from '../src/fhir/fhir-files.js';

const started = process.hrtime.bigint();
const { files } = await listFhirFiles(process.argv.slice(2));
let parsed = 0;
let sink = 0;
for (const file of files) {
  if (extname(file).toLowerCase() === '.ndjson') {
    const lines = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
    for await (const line of lines) {
      if (line.trim() !== '') {
        const value = JSON.parse(line) as { resourceType?: string };
        sink += value.resourceType?.length ?? 0;
        parsed += 1;
      }
    }
  } else {
    const value = JSON.parse(await readFile(file, 'utf8')) as { resourceType?: string };
    sink += value.resourceType?.length ?? 0;
    parsed += 1;
  }
}
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
console.log(
  JSON.stringify({
    files: files.length,
    parsed,
    sink,
    seconds: Math.round(seconds * 1000) / 1000,
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
  }),
);
