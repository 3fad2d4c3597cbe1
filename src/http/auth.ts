import type { KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import type { TrustedIssuer } from '../config.js';
import { CdsError } from '../errors.js';
import type { KeyResolver } from './jwks.js';
import type { ReplayGuard } from './replay-guard.js';
import { isStorableText } from './schemas.js';

/*
 * CDS Hooks 2.0 "Trusting CDS Clients" (https://cds-hooks.hl7.org/2.0/#trusting-cds-clients): the EHR signs a JWT
 * per call with ES384 or RS384; we accept only issuers on the site's allowlist, fetch keys only from that issuer's
 * configured jku, require aud to be the exact URL called, and refuse replayed jti. Every failure is the same bare
 * 401, so a caller learns nothing about which check failed.
 */

const ALLOWED_ALGORITHMS = new Set(['ES384', 'RS384']);
const MAX_TOKEN_LENGTH = 8 * 1024;
const CLOCK_SKEW_SECONDS = 60;
/** Sandbox and Inferno tokens live 5 minutes; older tokens are refused so the replay set stays bounded. */
const MAX_TOKEN_AGE_SECONDS = 15 * 60;

export interface VerifiedClient {
  readonly iss: string;
  readonly jti: string;
  readonly tenant?: string;
}

export interface TokenVerifier {
  verify(authorization: string | undefined, expectedAudience: string): Promise<VerifiedClient>;
}

const unauthenticated = (): CdsError => new CdsError('UNAUTHENTICATED', 'unauthenticated');

function keyMatchesAlgorithm(key: KeyObject, alg: string): boolean {
  if (alg === 'ES384') {
    return key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'secp384r1';
  }
  return key.asymmetricKeyType === 'rsa' && (key.asymmetricKeyDetails?.modulusLength ?? 0) >= 2048;
}

export function createTokenVerifier(deps: {
  readonly trustedIssuers: readonly TrustedIssuer[];
  readonly keys: KeyResolver;
  readonly replay: ReplayGuard;
  readonly now?: () => number;
}): TokenVerifier {
  const issuers = new Map(deps.trustedIssuers.map((i) => [i.iss, i]));
  const now = deps.now ?? Date.now;

  const verify = async (authorization: string | undefined, expectedAudience: string): Promise<VerifiedClient> => {
    const match = /^Bearer ([A-Za-z0-9_\-.]+)$/.exec(authorization ?? '');
    const token = match?.[1];
    if (token === undefined || token.length > MAX_TOKEN_LENGTH) {
      throw unauthenticated();
    }
    const decoded = jwt.decode(token, { complete: true });
    if (!decoded || typeof decoded.payload !== 'object' || (decoded.payload as unknown) === null) {
      throw unauthenticated();
    }
    const { header, payload } = decoded;
    const kid: unknown = header.kid;
    if (!ALLOWED_ALGORITHMS.has(header.alg) || typeof kid !== 'string' || kid === '') {
      throw unauthenticated();
    }
    const typ: unknown = header.typ;
    if (typ !== undefined && (typeof typ !== 'string' || typ.toUpperCase() !== 'JWT')) {
      throw unauthenticated();
    }
    const issuer = typeof payload.iss === 'string' ? issuers.get(payload.iss) : undefined;
    if (!issuer) {
      throw unauthenticated();
    }
    // A token naming another key set is refused before anything is fetched: jku is never taken from the token.
    if (header.jku !== undefined && header.jku !== issuer.jku) {
      throw unauthenticated();
    }
    let key: KeyObject;
    try {
      key = await deps.keys.keyFor(issuer.jku, kid);
    } catch {
      throw unauthenticated();
    }
    if (!keyMatchesAlgorithm(key, header.alg)) {
      throw unauthenticated();
    }
    const nowSeconds = Math.floor(now() / 1000);
    let claims: jwt.JwtPayload;
    try {
      const verified = jwt.verify(token, key, {
        algorithms: [header.alg as jwt.Algorithm],
        audience: expectedAudience,
        issuer: issuer.iss,
        clockTolerance: CLOCK_SKEW_SECONDS,
        clockTimestamp: nowSeconds,
      });
      if (typeof verified === 'string') {
        throw unauthenticated();
      }
      claims = verified;
    } catch {
      throw unauthenticated();
    }
    const { exp, iat, jti } = claims;
    if (typeof exp !== 'number' || typeof iat !== 'number' || typeof jti !== 'string' || jti === '') {
      throw unauthenticated();
    }
    if (iat > nowSeconds + CLOCK_SKEW_SECONDS || iat < nowSeconds - MAX_TOKEN_AGE_SECONDS) {
      throw unauthenticated();
    }
    const rememberUntil = Math.min(exp, iat + MAX_TOKEN_AGE_SECONDS) + CLOCK_SKEW_SECONDS;
    if (!(await deps.replay.firstUse(issuer.iss, jti, rememberUntil * 1000, nowSeconds * 1000))) {
      throw unauthenticated();
    }
    const tenant = typeof claims.tenant === 'string' ? claims.tenant : undefined;
    // Stored with each feedback record: a tenant the store cannot hold is refused here, not at the database.
    if (tenant !== undefined && (tenant.length > 256 || !isStorableText(tenant))) {
      throw unauthenticated();
    }
    return { iss: issuer.iss, jti, ...(tenant !== undefined ? { tenant } : {}) };
  };

  return {
    async verify(authorization, expectedAudience) {
      try {
        return await verify(authorization, expectedAudience);
      } catch (error) {
        // A verified token whose replay check could not be decided: 503 (retry), not a verdict on the token.
        if (error instanceof CdsError && error.code === 'UNAVAILABLE') {
          throw error;
        }
        // Whatever else failed (including a decoder throwing on a hostile token), the caller learns only "401".
        throw unauthenticated();
      }
    },
  };
}
