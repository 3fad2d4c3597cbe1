import { createPrivateKey, createPublicKey, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import jwt from 'jsonwebtoken';

/*
 * The real CDS Hooks sandbox, built unmodified, beside the repository (../shared/tools/cds-hooks-sandbox, see its
 * README): never copied into the project. Tests serve its build/ and sign tokens exactly as it does, with its own
 * published key, so that what passes here is what the sandbox sends.
 */

export const SANDBOX_DIR = fileURLToPath(new URL('../../shared/tools/cds-hooks-sandbox/', import.meta.url));
export const SANDBOX_BUILD = `${SANDBOX_DIR}build`;
/** The sandbox's public key set, as it publishes it (and as a site pins it). */
export const SANDBOX_JWKS_FILE = `${SANDBOX_BUILD}/.well-known/jwks.json`;
export const SANDBOX_ISS = 'https://sandbox.cds-hooks.org';
export const SANDBOX_JKU = 'https://sandbox.cds-hooks.org/.well-known/jwks.json';

interface Jwk {
  kid: string;
  x?: string;
  y?: string;
}

const privateKey = createPrivateKey(readFileSync(`${SANDBOX_DIR}keys/ecprivkey.pem`));

/** The kid of the published key that matches the private key (read from the files, not assumed). */
export const SANDBOX_KID: string = (() => {
  const publicJwk = createPublicKey(privateKey).export({ format: 'jwk' });
  const keys = (JSON.parse(readFileSync(SANDBOX_JWKS_FILE, 'utf8')) as { keys: Jwk[] }).keys;
  const match = keys.find((k) => k.x === publicJwk.x && k.y === publicJwk.y);
  if (match === undefined) {
    throw new Error(`no key in ${SANDBOX_JWKS_FILE} matches keys/ecprivkey.pem`);
  }
  return match.kid;
})();

/** The CDS_TRUSTED_ISSUERS entry that trusts the sandbox offline: its jku, with its public keys pinned. */
export const sandboxIssuerEntry = (): { iss: string; jku: string; jwksFile: string } => ({
  iss: SANDBOX_ISS,
  jku: SANDBOX_JKU,
  jwksFile: SANDBOX_JWKS_FILE,
});

/**
 * A token as the sandbox signs it (ES384; header alg, typ, kid, jku; claims iss, aud, exp = iat + 300, iat, jti).
 * `claims` and `header` replace fields (undefined removes one); `key` signs with another key instead.
 */
export function signAsSandbox(
  aud: string,
  options: {
    claims?: Record<string, unknown>;
    header?: Record<string, unknown>;
    key?: jwt.Secret;
    algorithm?: jwt.Algorithm;
  } = {},
): string {
  const now = Math.floor(Date.now() / 1000);
  const merge = (base: Record<string, unknown>, changes: Record<string, unknown> = {}): Record<string, unknown> =>
    Object.fromEntries(Object.entries({ ...base, ...changes }).filter(([, value]) => value !== undefined));
  const algorithm = options.algorithm ?? 'ES384';
  const claims = merge({ iss: SANDBOX_ISS, aud, exp: now + 300, iat: now, jti: randomUUID() }, options.claims);
  const header = merge({ alg: algorithm, typ: 'JWT', kid: SANDBOX_KID, jku: SANDBOX_JKU }, options.header);
  return jwt.sign(claims, options.key ?? privateKey, {
    algorithm,
    header: header as unknown as jwt.JwtHeader,
    // jsonwebtoken drops a given iat under noTimestamp, so that is only for tokens meant to lack one.
    noTimestamp: !('iat' in claims),
  });
}
