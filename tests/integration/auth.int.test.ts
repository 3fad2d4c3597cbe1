import { createHmac, createPublicKey, randomUUID, type JsonWebKey } from 'node:crypto';
import jwt from 'jsonwebtoken';
import type supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalIssuer, type LocalIssuer } from '../../src/devtools/local-issuer.js';
import { aFeedbackItem, encounterSignRequest } from '../../test-support/builders.js';
import {
  ENCOUNTER_SIGN,
  PATIENT_VIEW,
  PUBLIC_BASE_URL,
  startHarness,
  type Harness,
} from '../../test-support/service-harness.js';

/*
 * CDS Hooks 2.0 "Trusting CDS Clients" through real HTTP: real ES384/RS384 keys, the JWKS served over loopback.
 * Every refusal must be a bare 401 with an empty body, whichever check failed.
 */

let h: Harness;
/** A second key set that the harness does not trust: it must never be asked for keys. */
let stranger: LocalIssuer;
/** Every token sent to `h`, so that the last test can check that none reached the logs. */
const sentTokens: string[] = [];

beforeAll(async () => {
  [h, stranger] = await Promise.all([startHarness(), startLocalIssuer()]);
});
afterAll(async () => {
  await Promise.all([h.close(), stranger.close()]);
});

const SERVICE_URL = `${PUBLIC_BASE_URL}${ENCOUNTER_SIGN}`;
const FEEDBACK = `${ENCOUNTER_SIGN}/feedback`;

const b64url = (value: unknown): string => Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
const nowSeconds = (): number => Math.floor(Date.now() / 1000);

/** POSTs a valid encounter-sign request to `path` on `harness`, with `authorization` as given (none if undefined). */
function post(
  authorization: string | undefined,
  options: { harness?: Harness; path?: string; body?: unknown } = {},
): supertest.Test {
  const harness = options.harness ?? h;
  if (authorization !== undefined && harness === h) {
    const token = authorization.replace(/^\S+\s*/, '');
    if (token !== '') {
      sentTokens.push(token);
    }
  }
  const req = harness.request.post(options.path ?? ENCOUNTER_SIGN).set('Content-Type', 'application/json');
  if (authorization !== undefined) {
    req.set('Authorization', authorization);
  }
  return req.send(JSON.stringify(options.body ?? encounterSignRequest()));
}

function expectBare401(res: supertest.Response): void {
  expect(res.status).toBe(401);
  expect(res.text).toBe('');
}

function expectCards(res: supertest.Response): void {
  expect(res.status).toBe(200);
  expect(Array.isArray(res.body.cards)).toBe(true);
}

const feedbackBody = (): unknown => ({ feedback: [aFeedbackItem()] });

describe('valid tokens', () => {
  it('accepts a valid ES384 token', async () => {
    const token = h.bearer(ENCOUNTER_SIGN);
    expect(jwt.decode(token.slice('Bearer '.length), { complete: true })?.header.alg).toBe('ES384');
    expectCards(await post(token));
  });

  it('accepts a valid RS384 token', async () => {
    const rs = await startHarness({ alg: 'RS384' });
    try {
      const token = rs.bearer(ENCOUNTER_SIGN);
      expect(jwt.decode(token.slice('Bearer '.length), { complete: true })?.header.alg).toBe('RS384');
      expectCards(await post(token, { harness: rs }));
      expect(JSON.stringify(rs.logs())).not.toContain(token.slice('Bearer '.length));
    } finally {
      await rs.close();
    }
  });

  it('accepts aud as an array that contains the exact service URL', async () => {
    expectCards(await post(h.bearer(ENCOUNTER_SIGN, { aud: ['https://other.example/cds-services/x', SERVICE_URL] })));
  });
});

describe('missing or malformed credentials', () => {
  it('refuses a call without an Authorization header', async () => {
    expectBare401(await post(undefined));
  });

  it('refuses a Basic Authorization header', async () => {
    expectBare401(await post('Basic xyz'));
  });

  it('refuses a garbage bearer token', async () => {
    expectBare401(await post('Bearer this-is-not-a-jwt'));
  });

  it('refuses a token over 8 KB even when it is otherwise valid', async () => {
    const token = h.bearer(ENCOUNTER_SIGN, { padding: 'x'.repeat(10_000) });
    expect(token.length).toBeGreaterThan(8 * 1024);
    expectBare401(await post(token));
  });

  // Tokens that pass jws's shape check but whose header or payload is not what a JWT decoder expects.
  const malformed: [string, () => string][] = [
    [
      'a typ JWT header with a payload that is not JSON',
      () =>
        `${b64url({ alg: 'ES384', typ: 'JWT', kid: h.issuer.kid })}.${Buffer.from('not json').toString('base64url')}.c2ln`,
    ],
    [
      'a typ JWT header with a null payload',
      () => `${b64url({ alg: 'ES384', typ: 'JWT', kid: h.issuer.kid })}.${b64url(null)}.c2ln`,
    ],
    ['a signed token whose typ header is a number', () => h.issuer.sign(SERVICE_URL, {}, { typ: 42 })],
  ];
  for (const [name, make] of malformed) {
    it(`refuses ${name} with a bare 401 (not a 500)`, async () => {
      expectBare401(await post(`Bearer ${make()}`));
    });
  }
});

describe('algorithms', () => {
  it('refuses an unsigned alg none token', async () => {
    const now = nowSeconds();
    const header = { alg: 'none', typ: 'JWT', kid: h.issuer.kid };
    const payload = { iss: h.issuer.iss, aud: SERVICE_URL, iat: now, exp: now + 300, jti: randomUUID() };
    const token = `${b64url(header)}.${b64url(payload)}.`;
    expect(jwt.decode(token, { complete: true })?.header.alg).toBe('none');
    expectBare401(await post(`Bearer ${token}`));
  });

  it('refuses HS256 signed with the issuer public key as the HMAC secret', async () => {
    const jwks = (await (await fetch(h.issuer.jku)).json()) as { keys: (JsonWebKey & { kid?: string })[] };
    const jwk = jwks.keys.find((k) => k.kid === h.issuer.kid);
    expect(jwk).toBeDefined();
    const pem = createPublicKey({ key: jwk!, format: 'jwk' }).export({ type: 'spki', format: 'pem' }).toString();
    const now = nowSeconds();
    const token = jwt.sign({ iss: h.issuer.iss, aud: SERVICE_URL, iat: now, exp: now + 300, jti: randomUUID() }, pem, {
      algorithm: 'HS256',
      header: { alg: 'HS256', typ: 'JWT', kid: h.issuer.kid },
    });
    // The forgery is a genuine HMAC-SHA256 under that secret: a verifier that let the token pick the algorithm and
    // used the key bytes as an HMAC secret would accept it.
    const [encodedHeader, encodedPayload, signature] = token.split('.');
    const expected = createHmac('sha256', pem).update(`${encodedHeader}.${encodedPayload}`).digest('base64url');
    expect(signature).toBe(expected);
    expect(jwt.decode(token, { complete: true })?.header).toMatchObject({ alg: 'HS256', kid: h.issuer.kid });
    expectBare401(await post(`Bearer ${token}`));
  });
});

describe('audience', () => {
  const wrongAudiences: [string, string][] = [
    ['another service', `${PUBLIC_BASE_URL}${PATIENT_VIEW}`],
    ['the discovery URL', `${PUBLIC_BASE_URL}/cds-services`],
    ['the right path on another host', `https://evil.example${ENCOUNTER_SIGN}`],
    ['http instead of https', `${PUBLIC_BASE_URL.replace(/^https:/, 'http:')}${ENCOUNTER_SIGN}`],
  ];
  for (const [name, aud] of wrongAudiences) {
    it(`refuses aud = ${name}`, async () => {
      expect(aud).not.toBe(SERVICE_URL);
      expectBare401(await post(h.bearer(ENCOUNTER_SIGN, { aud })));
    });
  }

  it('refuses a token for the service URL on the feedback endpoint, and accepts one for the feedback URL', async () => {
    const wrong = await post(h.bearer(ENCOUNTER_SIGN), { path: FEEDBACK, body: feedbackBody() });
    expectBare401(wrong);
    const right = await post(h.bearer(FEEDBACK), { path: FEEDBACK, body: feedbackBody() });
    expect(right.status).toBe(200);
    // A random card uuid: stored apart as feedback for a card this service never issued.
    expect(right.body).toEqual({ accepted: 0, unknownCards: 1 });
  });
});

describe('time claims', () => {
  it('refuses an expired token', async () => {
    const now = nowSeconds();
    expectBare401(await post(h.bearer(ENCOUNTER_SIGN, { iat: now - 15 * 60, exp: now - 10 * 60 })));
  });

  it('refuses a token issued 5 minutes in the future', async () => {
    const now = nowSeconds();
    expectBare401(await post(h.bearer(ENCOUNTER_SIGN, { iat: now + 5 * 60, exp: now + 10 * 60 })));
  });

  it('refuses a token issued more than 15 minutes ago even though exp is still ahead', async () => {
    const now = nowSeconds();
    expectBare401(await post(h.bearer(ENCOUNTER_SIGN, { iat: now - 16 * 60, exp: now + 4 * 60 })));
  });
});

describe('tenant claim', () => {
  it('accepts a plain tenant, and refuses one the store could not keep with feedback', async () => {
    expectCards(await post(h.bearer(ENCOUNTER_SIGN, { tenant: 'clinic-7' })));
    expectBare401(await post(h.bearer(ENCOUNTER_SIGN, { tenant: 'clinic\u00007' })));
    expectBare401(await post(h.bearer(ENCOUNTER_SIGN, { tenant: 'x'.repeat(257) })));
  });
});

describe('required claims', () => {
  for (const claim of ['iss', 'aud', 'exp', 'iat', 'jti']) {
    it(`refuses a token without ${claim}`, async () => {
      const token = h.bearer(ENCOUNTER_SIGN, { [claim]: undefined });
      const payload = jwt.decode(token.slice('Bearer '.length)) as Record<string, unknown>;
      expect(Object.keys(payload)).not.toContain(claim);
      expectBare401(await post(token));
    });
  }
});

describe('keys and issuers', () => {
  it('refuses a token without kid', async () => {
    const token = h.bearer(ENCOUNTER_SIGN, {}, { kid: undefined });
    expect(jwt.decode(token.slice('Bearer '.length), { complete: true })?.header.kid).toBeUndefined();
    expectBare401(await post(token));
  });

  it('refuses a token whose kid is not in the key set', async () => {
    const before = h.issuer.jwksRequests();
    expectBare401(await post(h.bearer(ENCOUNTER_SIGN, {}, { kid: `made-up-${randomUUID()}` })));
    // The unknown kid made the service look again (that is what lets rotation work), and it still refused.
    expect(h.issuer.jwksRequests()).toBeGreaterThan(before);
  });

  it('accepts a token signed with a rotated key (new kid, key set refetched)', async () => {
    const oldKid = h.issuer.kid;
    // Warm the cache with the old key first, so that the new kid is certainly a cache miss.
    expectCards(await post(h.bearer(ENCOUNTER_SIGN)));
    h.issuer.rotate();
    expect(h.issuer.kid).not.toBe(oldKid);
    const before = h.issuer.jwksRequests();
    expectCards(await post(h.bearer(ENCOUNTER_SIGN)));
    expect(h.issuer.jwksRequests()).toBe(before + 1);
  });

  it('refuses an issuer that is not trusted, without fetching its keys', async () => {
    const token = stranger.sign(SERVICE_URL);
    expect(stranger.iss).not.toBe(h.issuer.iss);
    expectBare401(await post(`Bearer ${token}`));
    expect(stranger.jwksRequests()).toBe(0);
  });

  it('refuses a trusted-issuer token whose jku names another key set, without fetching it', async () => {
    const token = h.issuer.sign(SERVICE_URL, {}, { jku: stranger.jku });
    expect(jwt.decode(token, { complete: true })?.header.jku).toBe(stranger.jku);
    expectBare401(await post(`Bearer ${token}`));
    expect(stranger.jwksRequests()).toBe(0);
  });

  it('refuses a token claiming the trusted iss but signed by another key set named in jku', async () => {
    const token = stranger.sign(SERVICE_URL, { iss: h.issuer.iss });
    expectBare401(await post(`Bearer ${token}`));
    expect(stranger.jwksRequests()).toBe(0);
  });
});

describe('replay', () => {
  it('refuses the same token the second time', async () => {
    const token = h.bearer(ENCOUNTER_SIGN);
    expectCards(await post(token));
    expectBare401(await post(token));
  });

  it('accepts two different tokens one after the other', async () => {
    const first = h.bearer(ENCOUNTER_SIGN);
    const second = h.bearer(ENCOUNTER_SIGN);
    expect(second).not.toBe(first);
    expectCards(await post(first));
    expectCards(await post(second));
  });
});

describe('JWKS endpoint failures (keys not cached yet)', () => {
  it('refuses quickly when the JWKS endpoint answers 500, and recovers when it is back', async () => {
    const fresh = await startHarness();
    try {
      fresh.issuer.setJwksBehaviour('error');
      const started = Date.now();
      expectBare401(await post(fresh.bearer(ENCOUNTER_SIGN), { harness: fresh }));
      expect(Date.now() - started).toBeLessThan(3_000);
      expect(fresh.issuer.jwksRequests()).toBeGreaterThanOrEqual(1);
      // The failure is not remembered: once the key set answers again, a valid token passes.
      fresh.issuer.setJwksBehaviour('normal');
      expectCards(await post(fresh.bearer(ENCOUNTER_SIGN), { harness: fresh }));
    } finally {
      await fresh.close();
    }
  });

  it('refuses within the resolver deadline when the JWKS endpoint is slow', async () => {
    const fresh = await startHarness();
    try {
      fresh.issuer.setJwksBehaviour({ delayMs: 5_000 });
      const started = Date.now();
      expectBare401(await post(fresh.bearer(ENCOUNTER_SIGN), { harness: fresh }));
      expect(Date.now() - started).toBeLessThan(4_000);
      expect(fresh.issuer.jwksRequests()).toBe(1);
    } finally {
      await fresh.close();
    }
  });
});

describe('open and preflight endpoints', () => {
  const tokens: [string, () => string | undefined][] = [
    ['no token', () => undefined],
    ['a valid token', () => h.bearer('/cds-services')],
    ['a garbage token', () => 'Bearer garbage'],
  ];
  for (const [name, make] of tokens) {
    it(`serves discovery with ${name}`, async () => {
      const authorization = make();
      const req = h.request.get('/cds-services');
      if (authorization !== undefined) {
        sentTokens.push(authorization.slice('Bearer '.length));
        req.set('Authorization', authorization);
      }
      const res = await req;
      expect(res.status).toBe(200);
      const ids = (res.body as { services: { id: string }[] }).services.map((s) => s.id);
      expect(ids).toContain('oncology-encounter-sign');
    });
  }

  it('answers a CORS preflight without a token and allows Authorization and Content-Type', async () => {
    const res = await h.request
      .options(ENCOUNTER_SIGN)
      .set('Origin', 'https://sandbox.cds-hooks.org')
      .set('Access-Control-Request-Method', 'POST')
      .set('Access-Control-Request-Headers', 'authorization,content-type');
    expect(res.status).toBeGreaterThanOrEqual(200);
    expect(res.status).toBeLessThan(300);
    const allowHeaders: unknown = res.headers['access-control-allow-headers'];
    expect(typeof allowHeaders).toBe('string');
    const allowed = (allowHeaders as string).split(',').map((v) => v.trim().toLowerCase());
    expect(allowed).toContain('authorization');
    expect(allowed).toContain('content-type');
    expect(res.headers['access-control-allow-origin']).toBeDefined();
  });
});

describe('logs', () => {
  it('contain none of the tokens sent', () => {
    expect(sentTokens.length).toBeGreaterThan(30);
    const lines = h.logs().map((line) => JSON.stringify(line));
    expect(lines.length).toBeGreaterThan(0);
    for (const token of sentTokens) {
      // The whole token, and its signature alone (unique per token) where there is one worth searching for.
      const needles = [
        token,
        ...token
          .split('.')
          .slice(2)
          .filter((s) => s.length >= 16),
      ];
      for (const needle of needles) {
        expect(lines.filter((l) => l.includes(needle))).toEqual([]);
      }
    }
  });
});

describe('rate limiting per issuer', () => {
  it('answers 429 with Retry-After and an OperationOutcome past the per-minute limit, per issuer', async () => {
    const limited = await startHarness({ env: { RATE_LIMIT_PER_MINUTE: '3' } });
    try {
      const path = '/cds-services/oncology-encounter-sign';
      const statuses: number[] = [];
      let last: Awaited<ReturnType<typeof limited.request.post>> | undefined;
      for (let i = 0; i < 5; i += 1) {
        last = await limited.request.post(path).set('Authorization', limited.bearer(path)).send(encounterSignRequest());
        statuses.push(last.status);
      }
      expect(statuses).toEqual([200, 200, 200, 429, 429]);
      expect(Number(last?.headers['retry-after'])).toBeGreaterThan(0);
      expect(last?.body.issue[0].details.coding[0].code).toBe('RATE_LIMITED');
      // An unauthenticated caller is refused before the limiter: it cannot spend a real issuer's budget.
      const anonymous = await limited.request.post(path).send(encounterSignRequest());
      expect(anonymous.status).toBe(401);
    } finally {
      await limited.close();
    }
  });
});
