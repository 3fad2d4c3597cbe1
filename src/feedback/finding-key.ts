import { createHmac, randomBytes, type KeyObject } from 'node:crypto';
import type { IssuanceStore } from '../store/issuance.js';

/*
 * Card identity without identifiers in clear. A finding is known by its *finding key*: HMAC-SHA256, under the site's
 * secret, of the calling EHR (issuer and tenant, because patient ids are only unique within one EHR), the rule, the
 * patient, the encounter and the sorted references of the evidence the finding rests on. The same finding on the same
 * encounter has the same key on every call, so feedback can be remembered; new or different evidence gives a new key,
 * so an overridden card may come back when the record changes. Without the secret, a key cannot be tested against a
 * guessed patient id, which a plain hash of such short ids could.
 *
 * Card and suggestion uuids are derived from the key in turn (RFC 9562 version 8, "custom"), so a card keeps its uuid
 * across calls: an EHR that persists cards sees the same card, and feedback names it whichever response it came from.
 */

export interface FindingSubject {
  readonly issuer: string;
  readonly tenant?: string;
  readonly patientId: string;
  readonly encounterId: string;
}

/**
 * The site's secret: its bytes, or (cheaper per HMAC, the same values) imported once with `createSecretKey`.
 */
export type FindingKeySecretMaterial = Buffer | KeyObject;

/** Bumped if the key's input ever changes, so old and new keys can never be equal by accident. */
const KEY_VERSION = 'oncosign-finding-key/v1';

export function findingKey(
  secret: FindingKeySecretMaterial,
  subject: FindingSubject,
  finding: { readonly ruleId: string; readonly evidence: readonly string[] },
): string {
  const evidence = [...new Set(finding.evidence)].sort();
  // JSON of an array: every field is length-delimited, so no two inputs collide by concatenation.
  const input = JSON.stringify([
    KEY_VERSION,
    subject.issuer,
    subject.tenant ?? '',
    finding.ruleId,
    subject.patientId,
    subject.encounterId,
    evidence,
  ]);
  return createHmac('sha256', secret).update(input).digest('base64url');
}

/** The hex digit of a uuid's variant field (binary 10xx) for each value of the two bits it keeps. */
const VARIANT_DIGITS = '89ab';

/**
 * The first 16 bytes of the HMAC as a uuid, version 8 (the version nibble set to 8) and variant 10 (the top two bits
 * of byte 8 set to 10). Done on the hex digest: the same value as setting the bits in the bytes and formatting them.
 */
function uuidFrom(secret: FindingKeySecretMaterial, parts: readonly string[]): string {
  const hex = createHmac('sha256', secret).update(JSON.stringify(parts)).digest('hex');
  const variant = VARIANT_DIGITS[Number.parseInt(hex.charAt(16), 16) & 0x3] ?? '8';
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** The card's uuid: one per finding key, service and card variant. */
export function cardUuid(secret: FindingKeySecretMaterial, key: string, serviceId: string, variant: string): string {
  return uuidFrom(secret, ['card', key, serviceId, variant]);
}

export function suggestionUuid(secret: FindingKeySecretMaterial, card: string, index: number): string {
  return uuidFrom(secret, ['suggestion', card, String(index)]);
}

export interface FindingKeySecret {
  readonly secret: Buffer;
  /** `env`: FINDING_KEY_SECRET; `persisted`: generated once and kept with the store (see README). */
  readonly source: 'env' | 'persisted';
}

/**
 * The configured secret, or else the one generated for this store the first time (beside the SQLite file, or in the
 * PostgreSQL database so every replica derives the same keys).
 */
export async function resolveFindingKeySecret(
  configured: string | undefined,
  store: Pick<IssuanceStore, 'persistedFindingKeySecret'>,
): Promise<FindingKeySecret> {
  if (configured !== undefined) {
    return { secret: Buffer.from(configured, 'utf8'), source: 'env' };
  }
  const persisted = await store.persistedFindingKeySecret(randomBytes(32).toString('base64url'));
  return { secret: Buffer.from(persisted, 'utf8'), source: 'persisted' };
}
