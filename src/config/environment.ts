import type { KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { z } from 'zod';
import { errorCode } from '../errors.js';
import { importPinnedKeys, PinnedKeyError } from '../http/pinned-keys.js';
import { isAllowedOutboundUrl } from '../net.js';
import {
  DATABASE_POOL_SIZE,
  DEFAULT_BODY_LIMIT,
  FEEDBACK_RETENTION_DAYS,
  FHIR_MAX_CONCURRENCY,
  FHIR_TIMEOUT_MS,
  OVERRIDE_MEMORY_TIMEOUT_MS,
  RATE_LIMIT_PER_MINUTE,
  SHUTDOWN_DELAY_MS,
  type Tunable,
} from './limits.js';

// Strict: a misspelt "jwksFile" must stop start-up, not quietly leave the issuer unpinned.
const trustedIssuerSchema = z.strictObject({
  iss: z.string().min(1),
  jku: z.string().refine(isAllowedOutboundUrl, 'jku must be an https URL (http only on loopback)'),
  /** Pinned keys, inline: a JWKS object. Checked by importPinnedKeys, which names what is wrong. */
  jwks: z.unknown().optional(),
  /** Pinned keys, from a JWKS file (a path relative to the working directory). */
  jwksFile: z.string().min(1).optional(),
});

export interface TrustedIssuer {
  readonly iss: string;
  /** The only key set URL this issuer's tokens may name (their `jku` header), and where unpinned keys are fetched. */
  readonly jku: string;
  /** Keys pinned in configuration, by kid. When present, tokens verify against these only; jku is never fetched. */
  readonly pinnedKeys?: ReadonlyMap<string, KeyObject>;
}

const jsonArray = (name: string) =>
  z.string().transform((text, ctx) => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: `${name} is not valid JSON` });
      return z.NEVER;
    }
  });

/** A whole number from the environment, within the limit's range; the limit's default when the variable is unset. */
const tunable = (limit: Tunable) => z.coerce.number().int().min(limit.min).max(limit.max).default(limit.default);

const booleanFlag = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

/** An IP address or a DNS host name (RFC 1123 labels): what listen() can bind, and nothing with a scheme or port. */
function isBindAddress(text: string): boolean {
  return (
    isIP(text) !== 0 ||
    (text.length <= 253 &&
      text.split('.').every((label) => /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/.test(label)))
  );
}

const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z
    .string()
    .trim()
    .refine(isBindAddress, 'HOST must be an IP address or a host name, such as 127.0.0.1, ::1 or localhost')
    .optional(),
  PUBLIC_BASE_URL: z.url({ protocol: /^https?$/ }).optional(),
  CDS_TRUSTED_ISSUERS: jsonArray('CDS_TRUSTED_ISSUERS').pipe(z.array(trustedIssuerSchema)).default([]),
  FEEDBACK_DB: z.string().min(1).default('data/feedback.db'),
  // The message never repeats the value: a connection string carries a password.
  DATABASE_URL: z
    .string()
    .refine(isPostgresUrl, 'DATABASE_URL must be a postgres:// or postgresql:// URL (value not shown)')
    .optional(),
  DATABASE_POOL_SIZE: tunable(DATABASE_POOL_SIZE),
  BODY_LIMIT: z
    .string()
    .regex(/^\d+(\.\d+)?\s*(b|kb|mb)$/i, 'BODY_LIMIT must look like 5mb, 750kb or 100000b')
    .default(DEFAULT_BODY_LIMIT),
  FHIR_TIMEOUT_MS: tunable(FHIR_TIMEOUT_MS),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  CORS_ORIGINS: z.string().default('*'),
  ALLOW_UNAUTHENTICATED_FHIR: booleanFlag.default(false),
  SITE_CONFIG: z.string().min(1).optional(),
  RATE_LIMIT_PER_MINUTE: tunable(RATE_LIMIT_PER_MINUTE),
  FHIR_MAX_CONCURRENCY: tunable(FHIR_MAX_CONCURRENCY),
  SHUTDOWN_DELAY_MS: tunable(SHUTDOWN_DELAY_MS),
  // The message never repeats the value: it is a secret.
  FINDING_KEY_SECRET: z
    .string()
    .min(32, 'FINDING_KEY_SECRET must be at least 32 characters (value not shown)')
    .optional(),
  FEEDBACK_RETENTION_DAYS: tunable(FEEDBACK_RETENTION_DAYS),
  OVERRIDE_MEMORY_TIMEOUT_MS: tunable(OVERRIDE_MEMORY_TIMEOUT_MS),
});

/** An issuer's pinned keys (from `jwks` or `jwksFile`), or undefined when its keys are fetched from its jku. */
function pinnedKeysOf(entry: z.infer<typeof trustedIssuerSchema>): ReadonlyMap<string, KeyObject> | undefined {
  const where = `Invalid configuration: CDS_TRUSTED_ISSUERS: issuer ${entry.iss}`;
  if (entry.jwks !== undefined && entry.jwksFile !== undefined) {
    throw new ConfigError(`${where}: give jwks or jwksFile, not both`);
  }
  let jwks: unknown = entry.jwks;
  let source = 'jwks';
  if (entry.jwksFile !== undefined) {
    source = `jwksFile ${entry.jwksFile}`;
    try {
      jwks = JSON.parse(readFileSync(entry.jwksFile, 'utf8')) as unknown;
    } catch (error) {
      throw new ConfigError(
        `${where}: ${source} cannot be read as JSON (${errorCode(error) ?? (error instanceof SyntaxError ? 'invalid JSON' : 'unreadable')})`,
      );
    }
  }
  if (jwks === undefined) {
    return undefined;
  }
  try {
    return importPinnedKeys(jwks);
  } catch (error) {
    if (error instanceof PinnedKeyError) {
      throw new ConfigError(`${where}: ${source} ${error.message}`);
    }
    throw error;
  }
}

function isPostgresUrl(text: string): boolean {
  try {
    return ['postgres:', 'postgresql:'].includes(new URL(text).protocol);
  } catch {
    return false;
  }
}

/** Where feedback and the JWT replay set live: the embedded SQLite file, or PostgreSQL shared by every replica. */
export type StoreConfig =
  | { readonly backend: 'sqlite'; readonly path: string }
  | { readonly backend: 'postgresql'; readonly url: string; readonly poolSize: number };

export interface Config {
  readonly port: number;
  /** The address to listen on; undefined: every interface (the default, as before HOST existed). */
  readonly host: string | undefined;
  /** No trailing slash. JWT `aud` is checked against URLs built from this, never from the Host header. */
  readonly publicBaseUrl: string;
  readonly trustedIssuers: readonly TrustedIssuer[];
  readonly store: StoreConfig;
  readonly bodyLimit: string;
  readonly fhirTimeoutMs: number;
  readonly logLevel: z.infer<typeof envSchema>['LOG_LEVEL'];
  readonly corsOrigins: '*' | readonly string[];
  /** Development only (the public CDS Hooks sandbox sends fhirServer without a token). */
  readonly allowUnauthenticatedFhir: boolean;
  /** Per-site rule switches, thresholds and card budget (src/config/site-file.ts); undefined: catalogue defaults. */
  readonly siteConfigPath: string | undefined;
  /** Service and feedback calls per issuer (and tenant) per minute; above it, 429 with Retry-After. */
  readonly rateLimitPerMinute: number;
  /** FHIR-server requests open at once across all calls (the fallback path). */
  readonly fhirMaxConcurrency: number;
  /**
   * After SIGTERM, how long to keep serving (while /readyz answers 503) before the listener closes: the time a
   * load balancer takes to stop routing to a terminating replica.
   */
  readonly shutdownDelayMs: number;
  /** The card-issuance record, feedback joins and override memory (src/feedback/card-memory.ts). */
  readonly feedbackLoop: FeedbackLoopConfig;
}

export interface FeedbackLoopConfig {
  /** The key of the finding-key HMAC; undefined: one generated and persisted with the store. */
  readonly findingKeySecret: string | undefined;
  /** Issued-card records and feedback older than this are deleted. */
  readonly retentionDays: number;
  /** How long a call waits for the override-memory lookup before it shows every card. */
  readonly memoryTimeoutMs: number;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Parses the environment once; any problem becomes one readable message naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(present);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || 'environment'}: ${i.message}`);
    throw new ConfigError(`Invalid configuration: ${problems.join('; ')}`);
  }
  const e = parsed.data;
  // fhir-kit-client's debug logging prints request headers, i.e. the EHR's bearer token.
  if (/(^|[,\s])(\*|fhir-kit-client[:*]?)/.test(env.DEBUG ?? '')) {
    throw new ConfigError(
      'Invalid configuration: DEBUG: enabling fhir-kit-client debug output would log FHIR access tokens; remove it from DEBUG',
    );
  }
  const issuers = new Set<string>();
  const trustedIssuers: TrustedIssuer[] = [];
  for (const entry of e.CDS_TRUSTED_ISSUERS) {
    const { iss, jku } = entry;
    if (issuers.has(iss)) {
      throw new ConfigError(`Invalid configuration: CDS_TRUSTED_ISSUERS: issuer ${iss} is listed twice`);
    }
    issuers.add(iss);
    const pinnedKeys = pinnedKeysOf(entry);
    trustedIssuers.push(pinnedKeys === undefined ? { iss, jku } : { iss, jku, pinnedKeys });
  }
  const origins = e.CORS_ORIGINS.trim();
  return Object.freeze({
    port: e.PORT,
    host: e.HOST,
    publicBaseUrl: (e.PUBLIC_BASE_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, ''),
    trustedIssuers: Object.freeze(trustedIssuers),
    store: Object.freeze(
      e.DATABASE_URL !== undefined
        ? { backend: 'postgresql' as const, url: e.DATABASE_URL, poolSize: e.DATABASE_POOL_SIZE }
        : { backend: 'sqlite' as const, path: e.FEEDBACK_DB },
    ),
    bodyLimit: e.BODY_LIMIT.replace(/\s+/g, '').toLowerCase(),
    fhirTimeoutMs: e.FHIR_TIMEOUT_MS,
    logLevel: e.LOG_LEVEL,
    corsOrigins:
      origins === '*'
        ? '*'
        : Object.freeze(
            origins
              .split(',')
              .map((o) => o.trim())
              .filter(Boolean),
          ),
    allowUnauthenticatedFhir: e.ALLOW_UNAUTHENTICATED_FHIR,
    siteConfigPath: e.SITE_CONFIG,
    rateLimitPerMinute: e.RATE_LIMIT_PER_MINUTE,
    fhirMaxConcurrency: e.FHIR_MAX_CONCURRENCY,
    shutdownDelayMs: e.SHUTDOWN_DELAY_MS,
    feedbackLoop: Object.freeze({
      findingKeySecret: e.FINDING_KEY_SECRET,
      retentionDays: e.FEEDBACK_RETENTION_DAYS,
      memoryTimeoutMs: e.OVERRIDE_MEMORY_TIMEOUT_MS,
    }),
  });
}
