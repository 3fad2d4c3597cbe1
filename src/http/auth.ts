import { verify as cryptoVerify, type KeyObject } from 'node:crypto';
import type { TrustedIssuer } from '../config/environment.js';
import { CdsError } from '../errors.js';
import { KeyLookupError, type KeyResolver } from './jwks.js';
import type { ReplayGuard } from './replay-guard.js';
import { isStorableText } from '../cds/schemas.js';
import {
  CLOCK_SKEW_SECONDS,
  MAX_LOGGED_CLAIM_LENGTH,
  MAX_TOKEN_AGE_SECONDS,
  MAX_TOKEN_LENGTH,
} from '../config/limits.js';

/*
 * CDS Hooks 2.0 "Trusting CDS Clients" (https://cds-hooks.hl7.org/2.0/#trusting-cds-clients): the EHR signs a JWT
 * per call with ES384 or RS384; we accept only issuers on the site's allowlist, take keys only from that issuer's
 * configured jku (or from keys pinned in configuration, with no fetch at all), require aud to be the exact URL
 * called, and refuse replayed jti.
 *
 * Every failure is the same bare 401, so a caller learns nothing about which check failed. The operator does: each
 * refusal carries a reason code (and the issuer, and for an audience mismatch both audiences) for the log line and a
 * per-reason counter. Those details are claims and header fields, never the token or its signature.
 */

const ALLOWED_ALGORITHMS = new Set(['ES384', 'RS384']);

/** Why a token was refused. Listed once here so that /metrics shows every reason, at 0 until it happens. */
export const AUTH_FAILURE_REASONS = [
  /** No Authorization header at all. */
  'missing-token',
  /** Not `Bearer <JWT>`, too long, undecodable, no kid, a bad typ, or a required claim (exp, iat, jti) missing. */
  'malformed',
  /** alg is not ES384 or RS384 (none, HS256, ...). */
  'unsupported-alg',
  /** iss is not in CDS_TRUSTED_ISSUERS. */
  'unknown-issuer',
  /** The token's jku header names another key set than the issuer's configured jku. */
  'jku-mismatch',
  /** The issuer's jku could not be fetched (network, status, deadline). */
  'jwks-unreachable',
  /** The issuer's jku answered with something that is not a usable key set. */
  'jwks-invalid',
  /** Too many key set fetches for unknown kids in the last minute (a flood of made-up kids). */
  'jwks-rate-limited',
  /** No key with the token's kid, in the pinned keys or the fetched key set. */
  'unknown-kid',
  /** The key named by kid is not of the token's algorithm (an EC key for RS384, a short RSA key, ...). */
  'key-alg-mismatch',
  /** The signature does not verify with the issuer's key. */
  'bad-signature',
  /** aud is not the exact URL called (PUBLIC_BASE_URL + path; localhost and 127.0.0.1 differ). */
  'aud-mismatch',
  /** exp has passed (beyond the 60 s clock skew). */
  'expired',
  /** iat (or nbf) is in the future beyond the clock skew. */
  'not-yet-valid',
  /** iat is more than 15 minutes ago, even though exp has not passed. */
  'too-old',
  /** The jti was already used by this issuer. */
  'replayed',
  /** The replay set could not be checked (a store error that is not an outage): refused rather than unchecked. */
  'replay-check-failed',
  /** The tenant claim cannot be stored with feedback (too long, control characters). */
  'bad-tenant',
] as const;

export type AuthFailureReason = (typeof AUTH_FAILURE_REASONS)[number];

/** What the log line may say about a refused token, besides the reason. */
export interface AuthFailureDetails {
  /** The issuer: the configured one once known, else the token's iss claim (truncated). */
  readonly iss?: string;
  readonly expectedAud?: string;
  readonly receivedAud?: string | readonly string[];
  readonly kid?: string;
  readonly tokenJku?: string;
  readonly configuredJku?: string;
  readonly alg?: string;
}

export class AuthError extends CdsError {
  constructor(
    readonly reason: AuthFailureReason,
    readonly details: AuthFailureDetails = {},
  ) {
    super('UNAUTHENTICATED', 'unauthenticated');
  }
}

export interface VerifiedClient {
  readonly iss: string;
  readonly jti: string;
  readonly tenant?: string;
}

export interface TokenVerifier {
  /** Resolves with the client, or rejects with an AuthError (always a bare 401 to the caller). */
  verify(authorization: string | undefined, expectedAudience: string): Promise<VerifiedClient>;
}

function keyMatchesAlgorithm(key: KeyObject, alg: string): boolean {
  if (alg === 'ES384') {
    return key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'secp384r1';
  }
  return key.asymmetricKeyType === 'rsa' && (key.asymmetricKeyDetails?.modulusLength ?? 0) >= 2048;
}

/** A claim or header value fit for a log line: strings only, truncated. */
function loggable(value: unknown): string | undefined {
  return typeof value === 'string' ? value.slice(0, MAX_LOGGED_CLAIM_LENGTH) : undefined;
}

function loggableAudience(value: unknown): string | readonly string[] | undefined {
  if (Array.isArray(value)) {
    return value.slice(0, 5).map((v) => loggable(v) ?? typeof v);
  }
  return loggable(value);
}

/** The JSON of a token part; a header or payload that is not JSON fails the token as malformed. */
type Claims = Readonly<Record<string, unknown>>;

const NO_FIELDS: Claims = {};

/** ES384's signature is r || s, 48 bytes each (RFC 7518 section 3.4); any other length is malformed, not a bad signature. */
const ES384_SIGNATURE_BYTES = 96;

/**
 * The three parts of a compact JWS, decoded once, as jws.decode (jsonwebtoken's decoder) read them: a header and a
 * payload segment that are not empty, a signature segment that may be; the header decoded as latin1 JSON and
 * truthy, the payload as UTF-8 JSON that is an object. Undefined when the token is none of that.
 */
function decodeToken(
  token: string,
):
  | { readonly header: Claims; readonly payload: Claims; readonly signed: string; readonly signature: string }
  | undefined {
  const first = token.indexOf('.');
  const second = first < 0 ? -1 : token.indexOf('.', first + 1);
  if (first <= 0 || second <= first + 1 || token.includes('.', second + 1)) {
    return undefined;
  }
  let header: unknown;
  let payload: unknown;
  try {
    header = JSON.parse(Buffer.from(token.slice(0, first), 'base64').toString('latin1'));
    payload = JSON.parse(Buffer.from(token.slice(first + 1, second), 'base64').toString('utf8'));
  } catch {
    return undefined;
  }
  if (!header || typeof payload !== 'object' || payload === null) {
    return undefined;
  }
  return {
    // A header that is JSON but not an object (a number, a string) has no fields: its alg is then unsupported.
    header: typeof header === 'object' ? (header as Claims) : NO_FIELDS,
    payload: payload as Claims,
    signed: token.slice(0, second),
    signature: token.slice(second + 1),
  };
}

/**
 * The checks jsonwebtoken's verify made after the key was chosen, in its order and with its outcomes: a signature
 * present and well formed (else malformed), a public key, the signature (bad-signature), then nbf and exp with the
 * clock skew (not-yet-valid, expired; a value that is not a number is malformed) and iss.
 */
function checkSignedClaims(
  decoded: NonNullable<ReturnType<typeof decodeToken>>,
  alg: string,
  key: KeyObject,
  iss: string,
  nowSeconds: number,
): void {
  const { payload } = decoded;
  if (decoded.signature.trim() === '' || key.type !== 'public') {
    throw new AuthError('malformed', { iss });
  }
  const signature = Buffer.from(decoded.signature, 'base64');
  if (alg === 'ES384' && signature.length !== ES384_SIGNATURE_BYTES) {
    throw new AuthError('malformed', { iss });
  }
  let valid: boolean;
  try {
    valid = cryptoVerify(
      'sha384',
      Buffer.from(decoded.signed),
      alg === 'ES384' ? { key, dsaEncoding: 'ieee-p1363' } : key,
      signature,
    );
  } catch {
    throw new AuthError('malformed', { iss });
  }
  if (!valid) {
    throw new AuthError('bad-signature', { iss });
  }
  // jsonwebtoken's clock: a timestamp of 0 meant "now" to it.
  const clock = nowSeconds || Math.floor(Date.now() / 1000);
  const { nbf, exp } = payload;
  if (nbf !== undefined) {
    if (typeof nbf !== 'number') {
      throw new AuthError('malformed', { iss });
    }
    if (nbf > clock + CLOCK_SKEW_SECONDS) {
      throw new AuthError('not-yet-valid', { iss });
    }
  }
  if (exp !== undefined) {
    if (typeof exp !== 'number') {
      throw new AuthError('malformed', { iss });
    }
    if (clock >= exp + CLOCK_SKEW_SECONDS) {
      throw new AuthError('expired', { iss });
    }
  }
  if (payload.iss !== iss) {
    throw new AuthError('malformed', { iss });
  }
}

export function createTokenVerifier(deps: {
  readonly trustedIssuers: readonly TrustedIssuer[];
  readonly keys: KeyResolver;
  readonly replay: ReplayGuard;
  readonly now?: () => number;
}): TokenVerifier {
  const issuers = new Map(deps.trustedIssuers.map((i) => [i.iss, i]));
  const now = deps.now ?? Date.now;

  const keyFor = async (issuer: TrustedIssuer, kid: string): Promise<KeyObject> => {
    if (issuer.pinnedKeys !== undefined) {
      // Pinned: these keys and no others; the jku is never fetched (see src/http/pinned-keys.ts).
      const pinned = issuer.pinnedKeys.get(kid);
      if (pinned === undefined) {
        throw new AuthError('unknown-kid', { iss: issuer.iss, kid: loggable(kid) });
      }
      return pinned;
    }
    try {
      return await deps.keys.keyFor(issuer.jku, kid);
    } catch (error) {
      const reason = error instanceof KeyLookupError ? error.reason : 'jwks-unreachable';
      throw new AuthError(reason, { iss: issuer.iss, kid: loggable(kid), configuredJku: issuer.jku });
    }
  };

  const verify = async (authorization: string | undefined, expectedAudience: string): Promise<VerifiedClient> => {
    if (authorization === undefined || authorization === '') {
      throw new AuthError('missing-token');
    }
    const match = /^Bearer ([A-Za-z0-9_\-.]+)$/.exec(authorization);
    const token = match?.[1];
    if (token === undefined || token.length > MAX_TOKEN_LENGTH) {
      throw new AuthError('malformed');
    }
    const decoded = decodeToken(token);
    if (decoded === undefined) {
      throw new AuthError('malformed');
    }
    const { header, payload } = decoded;
    const claimedIss = loggable(payload.iss);
    const alg = header.alg;
    if (typeof alg !== 'string' || !ALLOWED_ALGORITHMS.has(alg)) {
      throw new AuthError('unsupported-alg', { iss: claimedIss, alg: loggable(alg) });
    }
    const kid: unknown = header.kid;
    if (typeof kid !== 'string' || kid === '') {
      throw new AuthError('malformed', { iss: claimedIss });
    }
    const typ: unknown = header.typ;
    if (typ !== undefined && (typeof typ !== 'string' || typ.toUpperCase() !== 'JWT')) {
      throw new AuthError('malformed', { iss: claimedIss });
    }
    const issuer = typeof payload.iss === 'string' ? issuers.get(payload.iss) : undefined;
    if (!issuer) {
      throw new AuthError('unknown-issuer', { iss: claimedIss });
    }
    const iss = issuer.iss;
    // A token naming another key set is refused before anything is fetched: jku is never taken from the token.
    const jku: unknown = header.jku;
    if (jku !== undefined && jku !== issuer.jku) {
      throw new AuthError('jku-mismatch', { iss, tokenJku: loggable(jku), configuredJku: issuer.jku });
    }
    const key = await keyFor(issuer, kid);
    if (!keyMatchesAlgorithm(key, alg)) {
      throw new AuthError('key-alg-mismatch', { iss, kid: loggable(kid), alg });
    }
    const nowSeconds = Math.floor(now() / 1000);
    // The audience is checked below, by hand, so that a mismatch can name both audiences.
    checkSignedClaims(decoded, alg, key, iss, nowSeconds);
    const claims = payload;
    // From here the claims are signed by the issuer, so they may be quoted in the log.
    const audiences: readonly unknown[] = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
    if (!audiences.includes(expectedAudience)) {
      throw new AuthError('aud-mismatch', {
        iss,
        expectedAud: expectedAudience,
        receivedAud: loggableAudience(claims.aud),
      });
    }
    const { exp, iat, jti } = claims;
    if (typeof exp !== 'number' || typeof iat !== 'number' || typeof jti !== 'string' || jti === '') {
      throw new AuthError('malformed', { iss });
    }
    if (iat > nowSeconds + CLOCK_SKEW_SECONDS) {
      throw new AuthError('not-yet-valid', { iss });
    }
    if (iat < nowSeconds - MAX_TOKEN_AGE_SECONDS) {
      throw new AuthError('too-old', { iss });
    }
    const rememberUntil = Math.min(exp, iat + MAX_TOKEN_AGE_SECONDS) + CLOCK_SKEW_SECONDS;
    let firstUse: boolean;
    try {
      firstUse = await deps.replay.firstUse(iss, jti, rememberUntil * 1000, nowSeconds * 1000);
    } catch (error) {
      // Undecided in time (CdsError UNAVAILABLE): 503, the EHR retries with a new token.
      if (error instanceof CdsError) {
        throw error;
      }
      // ReplayCheckError: a store error that is not an outage; the token is refused rather than left unchecked.
      throw new AuthError('replay-check-failed', { iss });
    }
    if (!firstUse) {
      throw new AuthError('replayed', { iss });
    }
    const tenant = typeof claims.tenant === 'string' ? claims.tenant : undefined;
    // Stored with each feedback record: a tenant the store cannot hold is refused here, not at the database.
    if (tenant !== undefined && (tenant.length > 256 || !isStorableText(tenant))) {
      throw new AuthError('bad-tenant', { iss });
    }
    return { iss, jti, ...(tenant !== undefined ? { tenant } : {}) };
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
        throw error instanceof AuthError ? error : new AuthError('malformed');
      }
    },
  };
}
