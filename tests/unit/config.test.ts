import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

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
