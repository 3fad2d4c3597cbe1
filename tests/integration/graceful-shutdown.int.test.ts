import { randomUUID } from 'node:crypto';
import type { MedicationAdministration } from 'fhir/r4.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalIssuer, type LocalIssuer } from '../../src/devtools/local-issuer.js';
import { startMemoryFhirServer, type MemoryFhirServer } from '../../src/devtools/memory-fhir-server.js';
import { aFeedbackItem, anInfusion, encounterSignRequest } from '../../test-support/builders.js';
import { createTestDatabase, type TestDatabase } from '../../test-support/postgres.js';
import { killAll, startServerProcess, type ServerProcess } from '../../test-support/server-process.js';
import { startTcpProxy, type TcpProxy } from '../../test-support/tcp-proxy.js';

/*
 * A rolling update's SIGTERM, on the real server process with the PostgreSQL store. Ten encounter-sign calls are
 * made to wait on the EHR's FHIR server (a real in-memory FHIR server behind a proxy that holds the requests), so
 * they are provably in flight when SIGTERM arrives. During SHUTDOWN_DELAY_MS the replica reports not-ready and
 * still serves; then it stops accepting connections; every in-flight call must still complete with its cards;
 * only then does the process close its pool and exit 0.
 */

const SERVICE_PATH = '/cds-services/oncology-encounter-sign';
const IN_FLIGHT = 10;
const SHUTDOWN_DELAY_MS = 1_000;

let issuer: LocalIssuer;
let database: TestDatabase;
let fhir: MemoryFhirServer;
let proxy: TcpProxy;
const servers: ServerProcess[] = [];

beforeAll(async () => {
  issuer = await startLocalIssuer();
  database = await createTestDatabase();
  // An infusion with a start and no stop time: INF-001's card proves the call really read the FHIR server.
  const openInfusion: MedicationAdministration = anInfusion({
    effectivePeriod: { start: '2025-03-04T10:00:00-05:00' },
  });
  fhir = await startMemoryFhirServer({ resources: [openInfusion] });
  proxy = await startTcpProxy(fhir.baseUrl);
}, 60_000);

afterAll(async () => {
  killAll(servers);
  await proxy.close();
  await fhir.close();
  await database.drop();
  await issuer.close();
});

/** Everything in prefetch but the administrations, which must come from the FHIR server (through the proxy). */
function requestViaFhirServer(): Record<string, unknown> {
  const request = encounterSignRequest({
    prefetch: {
      medicationAdministrations: undefined,
      patient: null,
      painScores: null,
      carePlans: null,
      medicationRequests: null,
      serviceRequests: null,
      claims: null,
    },
  });
  return {
    ...request,
    hookInstance: randomUUID(),
    fhirServer: proxy.url,
    fhirAuthorization: {
      access_token: 'graceful-test',
      token_type: 'Bearer',
      expires_in: 300,
      scope: 'user/*.read',
      subject: 'oncosign',
    },
  };
}

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) {
      throw new Error('condition not met in time');
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('SIGTERM during a rolling update', () => {
  it('finishes every in-flight call, serves during the delay, then refuses connections and closes the pool', async () => {
    const server = await startServerProcess({
      CDS_TRUSTED_ISSUERS: JSON.stringify([{ iss: issuer.iss, jku: issuer.jku }]),
      DATABASE_URL: database.url,
      SHUTDOWN_DELAY_MS: String(SHUTDOWN_DELAY_MS),
      FHIR_TIMEOUT_MS: '15000',
    });
    servers.push(server);
    const url = `${server.baseUrl}${SERVICE_PATH}`;
    const call = (body: unknown) =>
      fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${issuer.sign(url)}` },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(20_000),
      });

    const beforeSignal = await fetch(`${server.baseUrl}/readyz`);
    expect(beforeSignal.headers.get('connection')).toBe('keep-alive');

    proxy.setMode('hold');
    const inFlight = Array.from({ length: IN_FLIGHT }, () => call(requestViaFhirServer()));
    await waitFor(() => proxy.heldCount('GET /fhir/MedicationAdministration') >= IN_FLIGHT, 10_000);

    const signalled = performance.now();
    server.child.kill('SIGTERM');
    await waitFor(() => server.output.some((line) => line.includes('"msg":"draining"')), 5_000);

    // Inside the delay: not ready, but a call routed here by a balancer that has not noticed yet is served.
    const readiness = await fetch(`${server.baseUrl}/readyz`);
    expect(readiness.status).toBe(503);
    // The client's next call opens a new connection, which the balancer sends to a replica that stays.
    expect(readiness.headers.get('connection')).toBe('close');
    const feedbackUrl = `${url}/feedback`;
    const lateFeedback = await fetch(feedbackUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${issuer.sign(feedbackUrl)}` },
      body: JSON.stringify({ feedback: [aFeedbackItem()] }),
    });
    expect(lateFeedback.status).toBe(200);

    // After the delay the listener is closed: a new connection is refused, though calls are still in flight.
    await new Promise((resolve) => setTimeout(resolve, SHUTDOWN_DELAY_MS + 300));
    await expect(fetch(`${server.baseUrl}/healthz`, { signal: AbortSignal.timeout(2_000) })).rejects.toThrow();
    expect(server.child.exitCode).toBeNull();

    const released = performance.now();
    proxy.release();
    const responses = await Promise.all(inFlight);
    const bodies = (await Promise.all(responses.map((r) => r.json()))) as {
      cards: { source: { topic: { code: string } } }[];
    }[];
    expect(responses.map((r) => r.status)).toEqual(Array.from({ length: IN_FLIGHT }, () => 200));
    for (const body of bodies) {
      expect(body.cards.map((c) => c.source.topic.code)).toContain('INF-001');
    }

    const [code, signal] = await server.exited;
    const stoppedAfter = performance.now() - signalled;
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    // Prompt: once the last call is answered the process goes, rather than waiting out the 10 s forced cut.
    expect(performance.now() - released).toBeLessThan(5_000);
    expect(server.output.some((line) => line.includes('"msg":"stopped"'))).toBe(true);
    const stored = await database.query<{ n: string }>('SELECT COUNT(*) AS n FROM feedback');
    expect(Number(stored[0]?.n)).toBe(1);
    const connections = await database.query<{ n: string }>(
      "SELECT COUNT(*) AS n FROM pg_stat_activity WHERE application_name = 'oncosign' AND datname = current_database()",
    );
    expect(Number(connections[0]?.n)).toBe(0);
    console.log(
      `graceful: ${String(IN_FLIGHT)} calls in flight at SIGTERM, ${String(IN_FLIGHT)} answered 200 with their cards; ` +
        `feedback accepted during the ${String(SHUTDOWN_DELAY_MS)} ms delay; exit 0 after ${stoppedAfter.toFixed(0)} ms`,
    );
  }, 60_000);
});
