import { createPublicKey, type KeyObject } from 'node:crypto';
import jwksRsa from 'jwks-rsa';
import { JWKS_KEY_TTL_MS, MAX_JWKS_BYTES } from '../config/limits.js';

export interface KeyResolver {
  /** The public key for `kid` from the JWKS at `jku` (an allow-listed URL); rejects with a KeyLookupError. */
  keyFor(jku: string, kid: string): Promise<KeyObject>;
}

/**
 * Why a key could not be had, in the terms an operator acts on: the key set did not answer (network, status,
 * deadline), answered with something that is not a usable key set, does not hold the kid, or was asked too often
 * for unknown kids in the last minute.
 */
export type KeyLookupFailure = 'jwks-unreachable' | 'jwks-invalid' | 'unknown-kid' | 'jwks-rate-limited';

export class KeyLookupError extends Error {
  override readonly name = 'KeyLookupError';
  constructor(readonly reason: KeyLookupFailure) {
    super(`key lookup failed: ${reason}`);
  }
}

/** The key set answered, but not with a key set (too large, not JSON, no keys array). */
class JwksContentError extends Error {
  override readonly name = 'JwksContentError';
}

/** jwks-rsa's errors are told apart by name (its classes are CommonJS constructors, not exported as types). */
function lookupFailure(error: unknown): KeyLookupFailure {
  if (error instanceof JwksContentError) {
    return 'jwks-invalid';
  }
  const name = (error as { name?: unknown } | undefined)?.name;
  if (name === 'SigningKeyNotFoundError') {
    return 'unknown-kid';
  }
  if (name === 'JwksRateLimitError') {
    return 'jwks-rate-limited';
  }
  // JwksError without isEndpointUnavailable: the set answered but holds no (signing) keys.
  if (name === 'JwksError' && (error as { isEndpointUnavailable?: unknown }).isEndpointUnavailable !== true) {
    return 'jwks-invalid';
  }
  return 'jwks-unreachable';
}

async function fetchJwks(uri: string, timeoutMs: number): Promise<{ keys: unknown }> {
  const response = await fetch(uri, {
    signal: AbortSignal.timeout(timeoutMs),
    headers: { accept: 'application/json' },
    redirect: 'error',
  });
  if (!response.ok) {
    throw new Error(`JWKS answered ${response.status}`);
  }
  const declared = Number(response.headers.get('content-length') ?? '0');
  if (declared > MAX_JWKS_BYTES) {
    throw new JwksContentError('JWKS too large');
  }
  const text = await response.text();
  if (text.length > MAX_JWKS_BYTES) {
    throw new JwksContentError('JWKS too large');
  }
  let body: unknown;
  try {
    body = JSON.parse(text) as unknown;
  } catch {
    throw new JwksContentError('JWKS is not JSON');
  }
  if (typeof body !== 'object' || body === null || !Array.isArray((body as { keys?: unknown }).keys)) {
    throw new JwksContentError('JWKS has no keys array');
  }
  return body as { keys: unknown };
}

/**
 * Keys by (jku, kid). jwks-rsa caches the key set and rate-limits refetches when an unknown kid appears (so a
 * flood of made-up kids cannot hammer the issuer); we fetch with a hard deadline and size cap, and keep the
 * imported KeyObject so that no call re-parses a key.
 */
export function createKeyResolver(options: { timeoutMs: number }): KeyResolver {
  const clients = new Map<string, jwksRsa.JwksClient>();
  const imported = new Map<string, { key: KeyObject; expiresAt: number }>();

  const clientFor = (jku: string): jwksRsa.JwksClient => {
    let client = clients.get(jku);
    if (!client) {
      client = jwksRsa({
        jwksUri: jku,
        cache: true,
        cacheMaxAge: JWKS_KEY_TTL_MS,
        rateLimit: true,
        jwksRequestsPerMinute: 10,
        fetcher: (uri) => fetchJwks(uri, options.timeoutMs),
      });
      clients.set(jku, client);
    }
    return client;
  };

  return {
    async keyFor(jku, kid) {
      const cacheKey = `${jku}#${kid}`;
      const hit = imported.get(cacheKey);
      if (hit && hit.expiresAt > Date.now()) {
        return hit.key;
      }
      let publicKey: string;
      try {
        publicKey = (await clientFor(jku).getSigningKey(kid)).getPublicKey();
      } catch (error) {
        throw new KeyLookupError(lookupFailure(error));
      }
      let key: KeyObject;
      try {
        key = createPublicKey(publicKey);
      } catch {
        throw new KeyLookupError('jwks-invalid');
      }
      imported.set(cacheKey, { key, expiresAt: Date.now() + JWKS_KEY_TTL_MS });
      return key;
    },
  };
}
