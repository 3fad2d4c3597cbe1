import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeServer } from '../../src/devtools/servers.js';
import { startLocalIssuer, type LocalIssuer } from '../../src/devtools/local-issuer.js';
import { AUTH_FAILURE_REASONS, type AuthFailureReason } from '../../src/http/auth.js';
import { encounterSignRequest } from '../../test-support/builders.js';
import { freePort } from '../../test-support/server-process.js';
import { SANDBOX_ISS, SANDBOX_JKU, sandboxIssuerEntry, signAsSandbox } from '../../test-support/sandbox.js';
import { ENCOUNTER_SIGN, startHarness, type Harness } from '../../test-support/service-harness.js';

/*
 * Diagnosable 401s, with tokens signed as the CDS Hooks sandbox signs them (its published key,
 * ../shared/tools/cds-hooks-sandbox/keys/ecprivkey.pem). The sandbox issuer is trusted offline, through its pinned
 * public keys. Each refusal stays a bare 401 for the caller; its log line names the reason and the issuer (and, for an
 * audience mismatch, both audiences); oncosign_auth_failures_total{reason} counts it once. No token reaches the log.
 */

/** The sandbox recipe's spelling: the sandbox is told http://localhost:3000/cds-services, so aud says localhost. */
const PUBLIC_BASE_URL = 'http://localhost:3000';
const SERVICE_URL = `${PUBLIC_BASE_URL}${ENCOUNTER_SIGN}`;
const UNREACHABLE_ISS = 'urn:test:unreachable-jwks';
const INVALID_ISS = 'urn:test:invalid-jwks';

let h: Harness;
/** A local issuer whose keys are pinned inline: its JWKS endpoint must never be asked. */
let pinnedLocal: LocalIssuer;
/** Answers 200 with something that is not a key set. */
let garbageJwks: Server;
const sentTokens: string[] = [];

beforeAll(async () => {
  pinnedLocal = await startLocalIssuer({ iss: 'urn:test:pinned-local' });
  const pinnedJwks: unknown = await (await fetch(pinnedLocal.jku)).json();
  const requestsBeforeTests = pinnedLocal.jwksRequests();
  garbageJwks = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"keys":"none"}');
  });
  await new Promise<void>((resolve) => garbageJwks.listen(0, '127.0.0.1', resolve));
  const closedPort = await freePort();
  h = await startHarness({
    env: { PUBLIC_BASE_URL },
    extraIssuers: [
      sandboxIssuerEntry(),
      { iss: pinnedLocal.iss, jku: pinnedLocal.jku, jwks: pinnedJwks },
      // Nothing listens there: stands for a jku that cannot be reached (the sandbox's, offline).
      { iss: UNREACHABLE_ISS, jku: `http://127.0.0.1:${closedPort}/.well-known/jwks.json` },
      {
        iss: INVALID_ISS,
        jku: `http://127.0.0.1:${(garbageJwks.address() as AddressInfo).port}/.well-known/jwks.json`,
      },
    ],
  });
  expect(pinnedLocal.jwksRequests()).toBe(requestsBeforeTests);
});
afterAll(async () => {
  await Promise.all([h.close(), pinnedLocal.close(), closeServer(garbageJwks)]);
});

async function authFailureCounts(): Promise<Map<string, number>> {
  const text = (await h.request.get('/metrics')).text;
  const counts = new Map<string, number>();
  for (const m of text.matchAll(/^oncosign_auth_failures_total\{reason="([a-z-]+)"\} (\d+)$/gm)) {
    counts.set(m[1]!, Number(m[2]));
  }
  return counts;
}

function post(authorization: string | undefined): supertest.Test {
  if (authorization !== undefined) {
    sentTokens.push(authorization.replace(/^\S+\s*/, ''));
  }
  const req = h.request.post(ENCOUNTER_SIGN).set('Content-Type', 'application/json');
  if (authorization !== undefined) {
    req.set('Authorization', authorization);
  }
  return req.send(JSON.stringify(encounterSignRequest()));
}

/** Sends the call, expects a bare 401, and returns its log line; checks that exactly `reason` was counted, once. */
async function refused(authorization: string | undefined, reason: AuthFailureReason): Promise<Record<string, unknown>> {
  const before = await authFailureCounts();
  const res = await post(authorization);
  expect(res.status).toBe(401);
  expect(res.text).toBe('');
  const requestId = res.headers['x-request-id'] as string;
  const line = h.logs().find((l) => l.requestId === requestId && l.msg === 'request');
  expect(line, `log line of ${requestId}`).toBeDefined();
  expect(line!.status).toBe(401);
  expect(line!.authFailure).toBe(reason);
  const after = await authFailureCounts();
  const changed = [...after]
    .filter(([r, n]) => n !== (before.get(r) ?? 0))
    .map(([r, n]) => [r, n - (before.get(r) ?? 0)]);
  expect(changed).toEqual([[reason, 1]]);
  return line!;
}

const bearer = (token: string): string => `Bearer ${token}`;
const nowSeconds = (): number => Math.floor(Date.now() / 1000);

describe('the sandbox issuer, trusted through pinned keys', () => {
  it('lists every refusal reason on /metrics from the start', async () => {
    const counts = await authFailureCounts();
    expect([...counts.keys()].sort()).toEqual([...AUTH_FAILURE_REASONS].sort());
  });

  it('accepts a token signed exactly as the sandbox signs, with no network', async () => {
    const res = await post(bearer(signAsSandbox(SERVICE_URL)));
    expect(res.status).toBe(200);
    const line = h.logs().find((l) => l.requestId === res.headers['x-request-id']);
    expect(line?.iss).toBe(SANDBOX_ISS);
    expect(line?.authFailure).toBeUndefined();
  });

  it('verifies a pinned issuer against its pinned keys without ever fetching its jku', async () => {
    const before = pinnedLocal.jwksRequests();
    expect((await post(bearer(pinnedLocal.sign(SERVICE_URL)))).status).toBe(200);
    const line = await refused(
      bearer(pinnedLocal.sign(SERVICE_URL, {}, { kid: 'rotated-but-not-pinned' })),
      'unknown-kid',
    );
    expect(line.iss).toBe(pinnedLocal.iss);
    expect(pinnedLocal.jwksRequests()).toBe(before);
  });
});

describe('each 401 reason: in the log line, with the issuer, and counted', () => {
  it('missing-token: no Authorization header', async () => {
    await refused(undefined, 'missing-token');
  });

  it('malformed: not a JWT', async () => {
    await refused('Bearer not-a-jwt', 'malformed');
    await refused('Basic c2FuZGJveA==', 'malformed');
  });

  it('malformed: a required claim missing (jti)', async () => {
    const line = await refused(bearer(signAsSandbox(SERVICE_URL, { claims: { jti: undefined } })), 'malformed');
    expect(line.iss).toBe(SANDBOX_ISS);
  });

  it('unsupported-alg: HS256', async () => {
    const line = await refused(
      bearer(signAsSandbox(SERVICE_URL, { algorithm: 'HS256', key: 'a-shared-secret-nobody-should-use' })),
      'unsupported-alg',
    );
    expect(line.alg).toBe('HS256');
  });

  it('unknown-issuer: an iss the site does not trust, named in the log', async () => {
    const line = await refused(
      bearer(signAsSandbox(SERVICE_URL, { claims: { iss: 'https://sandbox.example.org' } })),
      'unknown-issuer',
    );
    expect(line.iss).toBe('https://sandbox.example.org');
  });

  it('jku-mismatch: the token names another key set than the configured one', async () => {
    const line = await refused(
      bearer(signAsSandbox(SERVICE_URL, { header: { jku: 'https://attacker.example/jwks.json' } })),
      'jku-mismatch',
    );
    expect(line).toMatchObject({
      iss: SANDBOX_ISS,
      tokenJku: 'https://attacker.example/jwks.json',
      configuredJku: SANDBOX_JKU,
    });
  });

  it('jwks-unreachable: an unpinned issuer whose jku does not answer', async () => {
    const line = await refused(
      bearer(signAsSandbox(SERVICE_URL, { claims: { iss: UNREACHABLE_ISS }, header: { jku: undefined } })),
      'jwks-unreachable',
    );
    expect(line.iss).toBe(UNREACHABLE_ISS);
    expect(line.configuredJku).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\.well-known\/jwks\.json$/);
  });

  it('jwks-invalid: an unpinned issuer whose jku answers with something that is not a key set', async () => {
    const line = await refused(
      bearer(signAsSandbox(SERVICE_URL, { claims: { iss: INVALID_ISS }, header: { jku: undefined } })),
      'jwks-invalid',
    );
    expect(line.iss).toBe(INVALID_ISS);
  });

  it('unknown-kid: a kid that is not among the pinned keys', async () => {
    const line = await refused(
      bearer(signAsSandbox(SERVICE_URL, { header: { kid: 'not-a-sandbox-kid' } })),
      'unknown-kid',
    );
    expect(line).toMatchObject({ iss: SANDBOX_ISS, kid: 'not-a-sandbox-kid' });
  });

  it('key-alg-mismatch: RS384 claimed for the sandbox EC key', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    await refused(bearer(signAsSandbox(SERVICE_URL, { algorithm: 'RS384', key: privateKey })), 'key-alg-mismatch');
  });

  it("bad-signature: another P-384 key under the sandbox's kid", async () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-384' });
    const line = await refused(bearer(signAsSandbox(SERVICE_URL, { key: privateKey })), 'bad-signature');
    expect(line.iss).toBe(SANDBOX_ISS);
  });

  it('aud-mismatch: 127.0.0.1 where PUBLIC_BASE_URL says localhost, with both audiences logged', async () => {
    const sent = `http://127.0.0.1:3000${ENCOUNTER_SIGN}`;
    const line = await refused(bearer(signAsSandbox(sent)), 'aud-mismatch');
    expect(line).toMatchObject({ iss: SANDBOX_ISS, expectedAud: SERVICE_URL, receivedAud: sent });
  });

  it('expired', async () => {
    const now = nowSeconds();
    await refused(bearer(signAsSandbox(SERVICE_URL, { claims: { iat: now - 900, exp: now - 600 } })), 'expired');
  });

  it('not-yet-valid: issued 5 minutes in the future', async () => {
    const now = nowSeconds();
    await refused(bearer(signAsSandbox(SERVICE_URL, { claims: { iat: now + 300, exp: now + 600 } })), 'not-yet-valid');
  });

  it('too-old: issued 16 minutes ago though not expired', async () => {
    const now = nowSeconds();
    await refused(bearer(signAsSandbox(SERVICE_URL, { claims: { iat: now - 960, exp: now + 240 } })), 'too-old');
  });

  it('replayed: the same token twice', async () => {
    const token = bearer(signAsSandbox(SERVICE_URL));
    expect((await post(token)).status).toBe(200);
    const line = await refused(token, 'replayed');
    expect(line.iss).toBe(SANDBOX_ISS);
  });

  it('bad-tenant: a tenant the feedback store could not hold', async () => {
    await refused(bearer(signAsSandbox(SERVICE_URL, { claims: { tenant: 'x'.repeat(300) } })), 'bad-tenant');
  });

  it('jwks-rate-limited: a flood of made-up kids stops being fetched', async () => {
    const flood = await startHarness();
    try {
      const reasons: unknown[] = [];
      for (let i = 0; i < 12; i += 1) {
        const res = await flood.request
          .post(ENCOUNTER_SIGN)
          .set('Authorization', flood.bearer(ENCOUNTER_SIGN, {}, { kid: `made-up-${randomUUID()}` }))
          .send(encounterSignRequest());
        expect(res.status).toBe(401);
        reasons.push(flood.logs().find((l) => l.requestId === res.headers['x-request-id'])?.authFailure);
      }
      const firstLimited = reasons.indexOf('jwks-rate-limited');
      expect(firstLimited).toBeGreaterThan(0);
      expect(reasons.slice(0, firstLimited).every((r) => r === 'unknown-kid')).toBe(true);
      expect(flood.issuer.jwksRequests()).toBeLessThanOrEqual(10);
    } finally {
      await flood.close();
    }
  });
});

describe('logs', () => {
  it('hold none of the tokens sent', () => {
    expect(sentTokens.length).toBeGreaterThan(15);
    const lines = h.logs().map((l) => JSON.stringify(l));
    for (const token of sentTokens) {
      const needles = [
        token,
        ...token
          .split('.')
          .slice(1)
          .filter((s) => s.length >= 16),
      ];
      for (const needle of needles) {
        expect(lines.filter((l) => l.includes(needle))).toEqual([]);
      }
    }
  });
});
