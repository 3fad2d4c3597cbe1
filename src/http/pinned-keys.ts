import { createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';

/*
 * Keys pinned in configuration for a trusted issuer (CDS_TRUSTED_ISSUERS `jwks` or `jwksFile`). Pinning is the
 * strictest form of trust: tokens from that issuer verify against exactly these keys, and its jku is never fetched,
 * so the issuer's network (or someone who controls it) cannot add a key. It also lets a site trust an issuer it cannot
 * reach (offline, CI, behind a proxy). The cost is rotation: a new key means a configuration change.
 */

/** JWK members that only a private (or symmetric) key has: a pinned set is public, a secret in it is a mistake. */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'] as const;
const ALGORITHMS = new Set(['ES384', 'RS384']);

export class PinnedKeyError extends Error {
  override readonly name = 'PinnedKeyError';
}

function isSupportedKey(key: KeyObject): boolean {
  if (key.asymmetricKeyType === 'ec') {
    return key.asymmetricKeyDetails?.namedCurve === 'secp384r1';
  }
  return key.asymmetricKeyType === 'rsa' && (key.asymmetricKeyDetails?.modulusLength ?? 0) >= 2048;
}

/**
 * Imports a JWKS (`{"keys": [...]}`) into public keys by kid. Throws PinnedKeyError, with a message that names the
 * offending key but never repeats key material, when the set is not one we can verify ES384/RS384 tokens with.
 */
export function importPinnedKeys(jwks: unknown): ReadonlyMap<string, KeyObject> {
  const keys = typeof jwks === 'object' && jwks !== null ? (jwks as { keys?: unknown }).keys : undefined;
  if (!Array.isArray(keys)) {
    throw new PinnedKeyError('is not a JWKS (a JSON object with a "keys" array)');
  }
  if (keys.length === 0) {
    throw new PinnedKeyError('has no keys');
  }
  const imported = new Map<string, KeyObject>();
  keys.forEach((jwk: unknown, index) => {
    if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk)) {
      throw new PinnedKeyError(`keys[${index}] is not a JSON object`);
    }
    const { kid, use, alg } = jwk as { kid?: unknown; use?: unknown; alg?: unknown };
    if (typeof kid !== 'string' || kid === '') {
      throw new PinnedKeyError(`keys[${index}] has no kid (tokens name their key by kid)`);
    }
    const name = `keys[${index}] (kid ${kid})`;
    if (PRIVATE_MEMBERS.some((member) => member in jwk)) {
      throw new PinnedKeyError(`${name} holds private key material: pin the public key only`);
    }
    if (use !== undefined && use !== 'sig') {
      throw new PinnedKeyError(`${name} is not a signing key (use ${JSON.stringify(use)})`);
    }
    if (alg !== undefined && (typeof alg !== 'string' || !ALGORITHMS.has(alg))) {
      throw new PinnedKeyError(`${name} is for ${JSON.stringify(alg)}: only ES384 and RS384 are accepted`);
    }
    let key: KeyObject;
    try {
      key = createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' });
    } catch {
      throw new PinnedKeyError(`${name} is not a valid public key`);
    }
    if (!isSupportedKey(key)) {
      throw new PinnedKeyError(`${name} is neither an EC P-384 key nor an RSA key of 2048 bits or more`);
    }
    if (imported.has(kid)) {
      throw new PinnedKeyError(`${name} repeats a kid`);
    }
    imported.set(kid, key);
  });
  return imported;
}
