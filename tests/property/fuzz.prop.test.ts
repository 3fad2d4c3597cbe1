import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import fc from 'fast-check';
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CALL_DEADLINE_MS,
  deepCase,
  EXAMPLES,
  failureMessage,
  fhirShapeCase,
  hugeCase,
  jsonCase,
  longCase,
  mutatedCase,
  pathCase,
  rawCase,
  runFuzzCase,
  type FuzzCase,
  type FuzzRequest,
  type FuzzResponse,
} from '../../test-support/fuzz-arbitraries.js';
import { ENCOUNTER_SIGN, startHarness, type Harness } from '../../test-support/service-harness.js';

/*
 * Fuzzing POST /cds-services/oncology-encounter-sign over real HTTP (supertest against a listening harness server:
 * real ES384 JWT verification, real SQLite, real engine). Every request carries its own valid JWT, so every input
 * reaches body parsing, validation, data gathering, the snapshot, the rules and the cards.
 *
 * Properties, for every input: the call finishes within 10 s; the status is never >= 500; a 401 is empty and every
 * other answer is JSON (an OperationOutcome for errors); a 200 has a `cards` array and no null anywhere. For the
 * long-string family also: doubling a string's length does not more than ~triple the time once it is measurable.
 * A smaller block fuzzes the path itself (/cds-services/<segment>[/feedback]) with the same properties.
 *
 * FUZZ_RUNS (default 200) sets the budget of the main block; the heavy blocks (deep nesting, 20 000-entry arrays,
 * long strings) get a fraction of it. FUZZ_SEED replays a run. `npx tsx scripts/fuzz.ts` runs the same generators
 * 100 000 times against a listening server.
 */

const RUNS = Number(process.env.FUZZ_RUNS ?? 200);
const SEED = process.env.FUZZ_SEED !== undefined ? Number(process.env.FUZZ_SEED) : undefined;
const heavyRuns = (divisor: number, minimum: number): number => Math.max(minimum, Math.round(RUNS / divisor));

let h: Harness;
let server: Server;
let agent: ReturnType<typeof supertest>;

const statuses = new Map<number, number>();
let cardsSeen = 0;

beforeAll(async () => {
  // The per-issuer rate limit (6 000/min by default) would answer 429 to most of a fuzzing run: lift it.
  h = await startHarness({ logLevel: 'warn', env: { RATE_LIMIT_PER_MINUTE: '1000000' } });
  server = createServer(h.service.app);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  agent = supertest(server);
});

afterAll(async () => {
  const summary = [...statuses.entries()].sort(([a], [b]) => a - b).map(([s, n]) => `${String(s)}: ${String(n)}`);
  console.log(`fuzz.prop: statuses ${summary.join(', ')}; cards returned ${String(cardsSeen)}`);
  server.closeAllConnections();
  await new Promise<void>((resolve) =>
    server.close(() => {
      resolve();
    }),
  );
  await h.close();
});

/** Reads the body as text whatever its content type, so the property, not superagent, judges it. */
const rawText = (res: supertest.Response, callback: (err: Error | null, body: unknown) => void): void => {
  const stream = res as unknown as NodeJS.ReadableStream;
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  stream.on('end', () => {
    callback(null, Buffer.concat(chunks).toString('utf8'));
  });
  stream.on('error', (err: Error) => {
    callback(err, undefined);
  });
};

async function send(request: FuzzRequest): Promise<FuzzResponse> {
  const started = performance.now();
  try {
    const path = request.path ?? ENCOUNTER_SIGN;
    let req = agent
      .post(path)
      .timeout(CALL_DEADLINE_MS)
      .set('Authorization', h.bearer(path))
      .set('Content-Type', request.contentType);
    if (request.contentEncoding !== undefined) {
      req = req.set('Content-Encoding', request.contentEncoding);
    }
    // The identity serializer sends the bytes as they are (superagent would JSON-encode a Buffer under a JSON type).
    const res = await req
      .serialize((body: unknown) => body as string)
      .buffer(true)
      .parse(rawText)
      .send(Buffer.from(request.body));
    const text = typeof res.body === 'string' ? res.body : '';
    statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
    if (res.status === 200) {
      try {
        cardsSeen += (JSON.parse(text) as { cards?: unknown[] }).cards?.length ?? 0;
      } catch {
        // judged by the property
      }
    }
    return {
      status: res.status,
      contentType: res.headers['content-type'],
      text,
      ms: performance.now() - started,
    };
  } catch (error) {
    return {
      status: 0,
      contentType: undefined,
      text: '',
      ms: performance.now() - started,
      error: error instanceof Error ? error.message : String(error),
    };
  }
}

const property = (arbitrary: fc.Arbitrary<FuzzCase>) =>
  fc.asyncProperty(arbitrary, async (c) => {
    const outcome = await runFuzzCase(c, send);
    if (outcome.violations.length > 0) {
      throw new Error(failureMessage(c, outcome));
    }
  });

const examples = (...cases: FuzzCase[]): [FuzzCase][] => cases.map((c) => [c]);

describe('POST /cds-services/oncology-encounter-sign under fuzzing (valid JWT on every request)', () => {
  it(`mutated requests: wrong types, deleted and unknown fields, odd unicode, wrong FHIR shapes (${String(RUNS)} runs)`, async () => {
    await fc.assert(
      property(fc.oneof({ weight: 3, arbitrary: mutatedCase }, { weight: 2, arbitrary: fhirShapeCase })),
      {
        numRuns: RUNS,
        seed: SEED,
      },
    );
    if (RUNS >= 50) {
      // Not vacuous: mutated requests still get through to the engine and come back with cards.
      expect(statuses.get(200) ?? 0).toBeGreaterThan(0);
      expect(cardsSeen).toBeGreaterThan(0);
    }
  }, 120_000);

  it(`arbitrary JSON values and request-shaped objects with any field (${String(RUNS)} runs)`, async () => {
    await fc.assert(property(jsonCase), { numRuns: RUNS, seed: SEED });
  }, 60_000);

  it(`bytes that are not JSON or not UTF-8, odd content types and content encodings (${String(RUNS)} runs)`, async () => {
    await fc.assert(property(rawCase), {
      numRuns: RUNS,
      seed: SEED,
      examples: examples(EXAMPLES.corruptGzip as FuzzCase),
    });
  }, 60_000);

  it(`service paths with unknown ids and malformed percent-encoding (${String(heavyRuns(4, 10))} runs)`, async () => {
    await fc.assert(property(pathCase), {
      numRuns: heavyRuns(4, 10),
      seed: SEED,
      examples: examples(EXAMPLES.malformedPercentEncoding as FuzzCase),
    });
  }, 60_000);

  it(`5 000 levels of nesting in prefetch, draftResources and elsewhere (${String(heavyRuns(25, 4))} runs)`, async () => {
    await fc.assert(property(deepCase), {
      numRuns: heavyRuns(25, 4),
      seed: SEED,
      endOnFailure: true,
      examples: examples(EXAMPLES.deepArraysInPrefetch as FuzzCase, EXAMPLES.deepObjectsInDraft as FuzzCase),
    });
  }, 60_000);

  it(`20 000-entry prefetch Bundles and draftResources (${String(heavyRuns(25, 4))} runs)`, async () => {
    await fc.assert(property(hugeCase), {
      numRuns: heavyRuns(25, 4),
      seed: SEED,
      endOnFailure: true,
      examples: examples(
        EXAMPLES.twentyThousandConditions as FuzzCase,
        EXAMPLES.twentyThousandOpenInfusions as FuzzCase,
      ),
    });
  }, 90_000);

  it(`40k-60k character strings in references and resources, time linear in length (${String(heavyRuns(20, 5))} runs)`, async () => {
    await fc.assert(property(longCase), {
      numRuns: heavyRuns(20, 5),
      seed: SEED,
      endOnFailure: true,
      examples: examples(EXAMPLES.letterRunReference as FuzzCase),
    });
  }, 90_000);
});
