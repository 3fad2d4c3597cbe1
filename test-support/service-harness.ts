import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import supertest from 'supertest';
import { loadConfig, type Config } from '../src/config/environment.js';
import { startLocalIssuer, type LocalIssuer, type SigningAlgorithm } from '../src/devtools/local-issuer.js';
import { createLogger } from '../src/observability/logger.js';
import { allRules } from '../src/rules/index.js';
import { createService, type Service } from '../src/wiring.js';

export const PUBLIC_BASE_URL = 'https://oncosign.test';

export interface Harness {
  readonly service: Service;
  readonly config: Config;
  readonly issuer: LocalIssuer;
  readonly request: ReturnType<typeof supertest>;
  /** Log lines written so far (parsed JSON), for PHI and token assertions. */
  readonly logs: () => Record<string, unknown>[];
  readonly dbPath: string;
  /** `Bearer <jwt>` for the exact public URL of `path` (e.g. `/cds-services/oncology-encounter-sign`). */
  bearer(path: string, overrides?: Record<string, unknown>, headerOverrides?: Record<string, unknown>): string;
  close(): Promise<void>;
}

export interface HarnessOptions {
  readonly alg?: SigningAlgorithm;
  /** Extra environment variables, on top of the harness defaults. */
  readonly env?: Record<string, string>;
  /** Issuers trusted besides the harness's own (CDS_TRUSTED_ISSUERS entries, pinned keys included). */
  readonly extraIssuers?: readonly { iss: string; jku: string; jwks?: unknown; jwksFile?: string }[];
  readonly logLevel?: string;
  /** Runs only these rules (a real SITE_CONFIG file switches the others off), for tests about one rule's path. */
  readonly onlyRules?: readonly string[];
  /** Extra SITE_CONFIG content (merged over `onlyRules`' switches), e.g. rule modes or override-memory settings. */
  readonly site?: { readonly rules?: Record<string, unknown>; readonly [key: string]: unknown };
  /** The service's clock (evaluation time, feedback and issuance timestamps). */
  readonly now?: () => Date;
}

/**
 * The real service (real config parsing, real JWT verification against a JWKS served over loopback, a real SQLite
 * file) wrapped for supertest. Nothing of ours is mocked.
 */
export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const issuer = await startLocalIssuer({ alg: options.alg ?? 'ES384' });
  const dir = mkdtempSync(join(tmpdir(), 'oncosign-test-'));
  const dbPath = join(dir, 'feedback.db');
  const siteConfig: Record<string, string> = {};
  if (options.onlyRules || options.site) {
    const only = options.onlyRules ? new Set(options.onlyRules) : undefined;
    const switches: Record<string, unknown> = only
      ? Object.fromEntries(allRules.map((r) => [r.id, { enabled: only.has(r.id) }]))
      : {};
    const path = join(dir, 'site.json');
    writeFileSync(path, JSON.stringify({ ...options.site, rules: { ...switches, ...(options.site?.rules ?? {}) } }));
    siteConfig.SITE_CONFIG = path;
  }
  const config = loadConfig({
    PUBLIC_BASE_URL,
    CDS_TRUSTED_ISSUERS: JSON.stringify([{ iss: issuer.iss, jku: issuer.jku }, ...(options.extraIssuers ?? [])]),
    FEEDBACK_DB: dbPath,
    LOG_LEVEL: options.logLevel ?? 'info',
    FHIR_TIMEOUT_MS: '1500',
    ...siteConfig,
    ...options.env,
  });
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      callback();
    },
  });
  const logger = createLogger(config.logLevel, sink);
  const service = await createService(config, logger, options.now ? { now: options.now } : {});
  return {
    service,
    config,
    issuer,
    dbPath,
    request: supertest(service.app),
    logs: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>),
    bearer: (path, overrides, headerOverrides) =>
      `Bearer ${issuer.sign(`${PUBLIC_BASE_URL}${path}`, overrides, headerOverrides)}`,
    async close() {
      await service.store.close();
      await issuer.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export const ENCOUNTER_SIGN = '/cds-services/oncology-encounter-sign';
export const PATIENT_VIEW = '/cds-services/oncology-patient-view';
