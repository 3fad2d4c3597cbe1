import { createSecretKey } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { cardUuid, findingKey, resolveFindingKeySecret, suggestionUuid } from '../../src/feedback/finding-key.js';

const secret = Buffer.from('a-site-secret-of-at-least-32-characters');
const subject = { issuer: 'https://ehr.example.org', patientId: 'pat-1', encounterId: 'enc-1' };
const finding = { ruleId: 'INF-001', evidence: ['MedicationAdministration/ma-2', 'MedicationAdministration/ma-1'] };

describe('finding key', () => {
  it('is the same for the same finding on the same encounter, whatever the order of its evidence', () => {
    const key = findingKey(secret, subject, finding);
    expect(findingKey(secret, { ...subject }, { ...finding, evidence: [...finding.evidence].reverse() })).toBe(key);
    expect(findingKey(secret, subject, { ...finding, evidence: [...finding.evidence, finding.evidence[0]!] })).toBe(
      key,
    );
  });

  it.each([
    ['other evidence', { ...subject }, { ...finding, evidence: ['MedicationAdministration/ma-1'] }],
    ['another encounter', { ...subject, encounterId: 'enc-2' }, finding],
    ['another patient', { ...subject, patientId: 'pat-2' }, finding],
    ['another rule', subject, { ...finding, ruleId: 'INF-002' }],
    ['another EHR', { ...subject, issuer: 'https://other.example.org' }, finding],
    ['another tenant of the EHR', { ...subject, tenant: 'clinic-7' }, finding],
  ])('differs for %s', (_name, otherSubject, otherFinding) => {
    expect(findingKey(secret, otherSubject, otherFinding)).not.toBe(findingKey(secret, subject, finding));
  });

  it('cannot be recomputed without the secret and holds no identifier in clear', () => {
    const key = findingKey(secret, subject, finding);
    expect(findingKey(Buffer.from('another-secret-of-at-least-32-characters'), subject, finding)).not.toBe(key);
    for (const part of ['pat-1', 'enc-1', 'ma-1', 'INF-001']) {
      expect(key).not.toContain(part);
    }
    // Fields are delimited: moving text from one field to the next is another key.
    expect(findingKey(secret, { ...subject, patientId: 'pat-1enc', encounterId: '-1' }, finding)).not.toBe(key);
  });

  it('gives RFC 9562 version-8 uuids, stable per key, service and variant', () => {
    const key = findingKey(secret, subject, finding);
    const card = cardUuid(secret, key, 'oncology-encounter-sign', 'default');
    expect(card).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(cardUuid(secret, key, 'oncology-encounter-sign', 'default')).toBe(card);
    expect(cardUuid(secret, key, 'oncology-patient-view', 'default')).not.toBe(card);
    expect(cardUuid(secret, key, 'oncology-encounter-sign', 'no-start')).not.toBe(card);
    expect(suggestionUuid(secret, card, 0)).not.toBe(card);
    expect(suggestionUuid(secret, card, 0)).toBe(suggestionUuid(secret, card, 0));
  });

  // Stored issuance records and feedback name cards by these values: they must never change for the same inputs
  // (values computed by the implementation as of issue 17, before the secret was imported as a KeyObject).
  it.each([
    ['the secret as bytes', secret],
    ['the secret imported once as a KeyObject', createSecretKey(secret)],
  ])('keeps its values for the same inputs, with %s', (_name, material) => {
    const key = findingKey(material, { ...subject, tenant: 't1' }, finding);
    expect(key).toBe('vo-i50At_V_3EWYoHML1o7PWMV7w5lPjEGIX8oC6vXg');
    expect(findingKey(material, subject, { ...finding, evidence: [] })).toBe(
      'G3XFidz-TEZQ3JrnGUAvngXPyoH0aJZ-pz07GChTbao',
    );
    const card = cardUuid(material, key, 'oncology-encounter-sign', 'default');
    expect(card).toBe('f33460b1-5084-8df5-a7ec-474f35270060');
    expect(suggestionUuid(material, card, 0)).toBe('3b130231-2a04-810a-88b6-f0a5d625bf0d');
    expect(suggestionUuid(material, card, 1)).toBe('9cbbf8dc-06b0-805d-a6dd-f3b057cbca05');
  });
});

describe('the finding-key secret', () => {
  it('is the configured one, or else the one the store keeps', async () => {
    const kept: string[] = [];
    const store = {
      persistedFindingKeySecret: (candidate: string) => {
        kept.push(candidate);
        return Promise.resolve(kept[0]!);
      },
    };
    expect((await resolveFindingKeySecret('x'.repeat(40), store)).source).toBe('env');
    expect(kept).toEqual([]);
    const first = await resolveFindingKeySecret(undefined, store);
    const second = await resolveFindingKeySecret(undefined, store);
    expect(first.source).toBe('persisted');
    expect(second.secret.equals(first.secret)).toBe(true);
    expect(first.secret.length).toBeGreaterThanOrEqual(32);
  });
});
