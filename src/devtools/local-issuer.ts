import { generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import jwt from 'jsonwebtoken';
import { closeServer } from './servers.js';

/*
 * A CDS client identity for the demo and the tests: a freshly generated ES384 or RS384 key pair whose public half is
 * served as a JWKS over loopback HTTP, and a signer for CDS Hooks JWTs. The private key never leaves this process;
 * nothing trusts this issuer unless whoever started it configures the service to.
 */

export type SigningAlgorithm = 'ES384' | 'RS384';

export interface LocalIssuer {
  readonly iss: string;
  readonly jku: string;
  readonly kid: string;
  readonly alg: SigningAlgorithm;
  /** Number of JWKS requests served, so tests can assert when keys were (not) fetched. */
  readonly jwksRequests: () => number;
  /** Signs a CDS Hooks JWT for `aud` (the exact URL to be called); `overrides` replace or remove claims. */
  sign(aud: string, overrides?: Record<string, unknown>, headerOverrides?: Record<string, unknown>): string;
  /** Replaces the signing key with a new one (new kid); the JWKS then serves both. */
  rotate(): void;
  /** Makes the JWKS endpoint answer slowly or fail, for failure tests. */
  setJwksBehaviour(behaviour: 'normal' | 'error' | { delayMs: number }): void;
  close(): Promise<void>;
}

interface KeyEntry {
  kid: string;
  privateKey: KeyObject;
  publicJwk: Record<string, unknown>;
}

function newKey(alg: SigningAlgorithm): KeyEntry {
  const pair =
    alg === 'ES384'
      ? generateKeyPairSync('ec', { namedCurve: 'P-384' })
      : generateKeyPairSync('rsa', { modulusLength: 2048 });
  const kid = randomUUID();
  return {
    kid,
    privateKey: pair.privateKey,
    publicJwk: { ...pair.publicKey.export({ format: 'jwk' }), kid, alg, use: 'sig' },
  };
}

export async function startLocalIssuer(
  options: { alg?: SigningAlgorithm; iss?: string; host?: string } = {},
): Promise<LocalIssuer> {
  const alg = options.alg ?? 'ES384';
  const keys: KeyEntry[] = [newKey(alg)];
  let requests = 0;
  let behaviour: 'normal' | 'error' | { delayMs: number } = 'normal';

  const server: Server = createServer((req, res) => {
    requests += 1;
    if (req.url !== '/.well-known/jwks.json') {
      res.writeHead(404).end();
      return;
    }
    const send = (): void => {
      if (behaviour === 'error') {
        res.writeHead(500).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ keys: keys.map((k) => k.publicJwk) }));
    };
    if (typeof behaviour === 'object') {
      setTimeout(send, behaviour.delayMs).unref();
    } else {
      send();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, options.host ?? '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  const iss = options.iss ?? origin;
  const jku = `${origin}/.well-known/jwks.json`;

  const current = (): KeyEntry => keys[keys.length - 1] as KeyEntry;

  return {
    iss,
    jku,
    get kid() {
      return current().kid;
    },
    alg,
    jwksRequests: () => requests,
    sign(aud, overrides = {}, headerOverrides = {}) {
      const nowSeconds = Math.floor(Date.now() / 1000);
      const claims: Record<string, unknown> = { iss, aud, iat: nowSeconds, exp: nowSeconds + 300, jti: randomUUID() };
      for (const [name, value] of Object.entries(overrides)) {
        if (value === undefined) {
          // eslint-disable-next-line @typescript-eslint/no-dynamic-delete -- removing a claim is the point of the override
          delete claims[name];
        } else {
          claims[name] = value;
        }
      }
      const header = { alg, typ: 'JWT', kid: current().kid, jku, ...headerOverrides };
      return jwt.sign(claims, current().privateKey, {
        algorithm: alg,
        header: header,
        noTimestamp: !('iat' in claims),
      });
    },
    rotate() {
      keys.push(newKey(alg));
    },
    setJwksBehaviour(next) {
      behaviour = next;
    },
    close: () => closeServer(server),
  };
}
