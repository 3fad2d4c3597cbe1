import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/environment.js';

describe('loadConfig', () => {
  it('runs with nothing set: embedded defaults', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 3000,
      publicBaseUrl: 'http://localhost:3000',
      trustedIssuers: [],
      store: { backend: 'sqlite', path: 'data/feedback.db' },
      bodyLimit: '5mb',
      fhirTimeoutMs: 2500,
      logLevel: 'info',
      corsOrigins: '*',
      allowUnauthenticatedFhir: false,
    });
    // Unset HOST keeps listen()'s default: every interface, as before the variable existed.
    expect(config.host).toBeUndefined();
  });

  it.each(['127.0.0.1', '::1', 'localhost', '0.0.0.0', '::', 'oncosign.internal', ' 10.0.0.7 '])(
    'accepts HOST=%s as a bind address',
    (host) => {
      expect(loadConfig({ HOST: host }).host).toBe(host.trim());
    },
  );

  it('reads every documented variable', () => {
    const config = loadConfig({
      PORT: '8080',
      PUBLIC_BASE_URL: 'https://cds.example.org/oncosign/',
      CDS_TRUSTED_ISSUERS: '[{"iss":"https://ehr.example.org","jku":"https://ehr.example.org/jwks.json"}]',
      FEEDBACK_DB: '/var/lib/oncosign/feedback.db',
      BODY_LIMIT: '2MB',
      FHIR_TIMEOUT_MS: '900',
      LOG_LEVEL: 'debug',
      CORS_ORIGINS: 'https://sandbox.cds-hooks.org, https://ehr.example.org',
    });
    expect(config.publicBaseUrl).toBe('https://cds.example.org/oncosign');
    expect(config.trustedIssuers).toEqual([
      { iss: 'https://ehr.example.org', jku: 'https://ehr.example.org/jwks.json' },
    ]);
    expect(config.bodyLimit).toBe('2mb');
    expect(config.fhirTimeoutMs).toBe(900);
    expect(config.corsOrigins).toEqual(['https://sandbox.cds-hooks.org', 'https://ehr.example.org']);
  });

  it.each([
    ['PORT', { PORT: 'eighty' }],
    ['HOST', { HOST: 'http://127.0.0.1' }],
    ['HOST', { HOST: '127.0.0.1:3000' }],
    ['HOST', { HOST: 'local host' }],
    ['HOST', { HOST: '[::1]' }],
    ['PUBLIC_BASE_URL', { PUBLIC_BASE_URL: 'not a url' }],
    ['CDS_TRUSTED_ISSUERS', { CDS_TRUSTED_ISSUERS: '{not json' }],
    ['CDS_TRUSTED_ISSUERS', { CDS_TRUSTED_ISSUERS: '[{"iss":"a"}]' }],
    ['CDS_TRUSTED_ISSUERS', { CDS_TRUSTED_ISSUERS: '[{"iss":"a","jku":"http://evil.example.org/jwks"}]' }],
    [
      'CDS_TRUSTED_ISSUERS',
      { CDS_TRUSTED_ISSUERS: '[{"iss":"a","jku":"https://a/j"},{"iss":"a","jku":"https://b/j"}]' },
    ],
    ['BODY_LIMIT', { BODY_LIMIT: 'huge' }],
    ['FHIR_TIMEOUT_MS', { FHIR_TIMEOUT_MS: '0' }],
    ['LOG_LEVEL', { LOG_LEVEL: 'loud' }],
    ['DATABASE_URL', { DATABASE_URL: 'mysql://user:secret@db/oncosign' }],
    ['DATABASE_POOL_SIZE', { DATABASE_URL: 'postgres://db/oncosign', DATABASE_POOL_SIZE: '0' }],
    ['SHUTDOWN_DELAY_MS', { SHUTDOWN_DELAY_MS: '-1' }],
    ['DEBUG', { DEBUG: 'fhir-kit-client:*' }],
    ['DEBUG', { DEBUG: 'express:*,*' }],
  ])('stops with one message naming %s', (name, env) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(new RegExp(`^Invalid configuration: .*${name}`));
  });

  it('chooses PostgreSQL when DATABASE_URL is set, and never repeats the URL in an error', () => {
    const config = loadConfig({ DATABASE_URL: 'postgresql://oncosign:s3cret@db.internal:5432/oncosign' });
    expect(config.store).toEqual({
      backend: 'postgresql',
      url: 'postgresql://oncosign:s3cret@db.internal:5432/oncosign',
      poolSize: 10,
    });
    expect(() => loadConfig({ DATABASE_URL: 'oncosign:s3cret@db.internal' })).toThrow(/DATABASE_URL/);
    expect(() => loadConfig({ DATABASE_URL: 'oncosign:s3cret@db.internal' })).not.toThrow(/s3cret/);
  });

  it('leaves other DEBUG namespaces alone', () => {
    expect(() => loadConfig({ DEBUG: 'express:router' })).not.toThrow();
  });

  it('accepts a plain-http JWKS only on loopback', () => {
    const config = loadConfig({ CDS_TRUSTED_ISSUERS: '[{"iss":"demo","jku":"http://127.0.0.1:9999/jwks.json"}]' });
    expect(config.trustedIssuers).toHaveLength(1);
  });
});

describe('CDS_TRUSTED_ISSUERS with pinned keys', () => {
  const ISS = 'https://ehr.example.org';
  const JKU = 'https://ehr.example.org/.well-known/jwks.json';
  const ecKey = (kid: string, curve = 'P-384'): Record<string, unknown> => ({
    ...generateKeyPairSync('ec', { namedCurve: curve }).publicKey.export({ format: 'jwk' }),
    kid,
    use: 'sig',
    alg: curve === 'P-384' ? 'ES384' : 'ES256',
  });
  const issuers = (entry: Record<string, unknown>): { CDS_TRUSTED_ISSUERS: string } => ({
    CDS_TRUSTED_ISSUERS: JSON.stringify([{ iss: ISS, jku: JKU, ...entry }]),
  });
  const dir = mkdtempSync(join(tmpdir(), 'oncosign-config-'));

  it('pins an inline JWKS by kid', () => {
    const [issuer] = loadConfig(issuers({ jwks: { keys: [ecKey('a'), ecKey('b')] } })).trustedIssuers;
    expect(issuer?.jku).toBe(JKU);
    expect([...(issuer?.pinnedKeys?.keys() ?? [])]).toEqual(['a', 'b']);
    expect(issuer?.pinnedKeys?.get('a')?.asymmetricKeyDetails?.namedCurve).toBe('secp384r1');
  });

  it('pins a JWKS file, and leaves an issuer without jwks unpinned', () => {
    const file = join(dir, 'jwks.json');
    const rsa = {
      ...generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ format: 'jwk' }),
      kid: 'r',
    };
    writeFileSync(file, JSON.stringify({ keys: [rsa] }));
    const config = loadConfig({
      CDS_TRUSTED_ISSUERS: JSON.stringify([
        { iss: ISS, jku: JKU, jwksFile: file },
        { iss: 'https://other.example.org', jku: 'https://other.example.org/jwks.json' },
      ]),
    });
    expect(config.trustedIssuers[0]?.pinnedKeys?.get('r')?.asymmetricKeyType).toBe('rsa');
    expect(config.trustedIssuers[1]).toEqual({
      iss: 'https://other.example.org',
      jku: 'https://other.example.org/jwks.json',
    });
    expect(config.trustedIssuers[1]?.pinnedKeys).toBeUndefined();
  });

  it.each([
    ['both jwks and jwksFile', { jwks: { keys: [] }, jwksFile: '/x' }, /give jwks or jwksFile, not both/],
    [
      'a missing file',
      { jwksFile: '/nonexistent/jwks.json' },
      /jwksFile \/nonexistent\/jwks.json cannot be read as JSON \(ENOENT\)/,
    ],
    ['a JWKS without keys', { jwks: { keys: [] } }, /jwks has no keys/],
    ['something that is not a JWKS', { jwks: ['a'] }, /jwks is not a JWKS/],
    ['a key without kid', { jwks: { keys: [{ ...ecKey('x'), kid: undefined }] } }, /keys\[0\] has no kid/],
    ['a P-256 key', { jwks: { keys: [ecKey('p256', 'P-256')] } }, /keys\[0\] \(kid p256\) is for "ES256"/],
    [
      'a P-256 key with no alg',
      { jwks: { keys: [{ ...ecKey('p256', 'P-256'), alg: undefined }] } },
      /neither an EC P-384 key nor an RSA key/,
    ],
    ['an encryption key', { jwks: { keys: [{ ...ecKey('enc'), use: 'enc' }] } }, /is not a signing key/],
    ['a repeated kid', { jwks: { keys: [ecKey('same'), ecKey('same')] } }, /keys\[1\] \(kid same\) repeats a kid/],
    [
      'garbage key material',
      { jwks: { keys: [{ kty: 'EC', crv: 'P-384', x: 'AA', y: 'AA', kid: 'bad' }] } },
      /is not a valid public key/,
    ],
    ['a misspelt property', { jwksfile: '/x' }, /CDS_TRUSTED_ISSUERS/],
  ])('refuses %s, naming the issuer', (_name, entry, message) => {
    expect(() => loadConfig(issuers(entry))).toThrow(ConfigError);
    expect(() => loadConfig(issuers(entry))).toThrow(message);
  });

  it('refuses a private key, without repeating it', () => {
    const privateJwk = {
      ...generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey.export({ format: 'jwk' }),
      kid: 'oops',
    };
    const attempt = (): unknown => loadConfig(issuers({ jwks: { keys: [privateJwk] } }));
    expect(attempt).toThrow(new RegExp(`issuer ${ISS}: jwks keys\\[0\\] \\(kid oops\\) holds private key material`));
    expect(attempt).not.toThrow(new RegExp(String(privateJwk.d)));
  });
});
