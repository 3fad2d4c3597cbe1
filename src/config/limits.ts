/*
 * Every timeout, size, interval and count limit of the service, each with the reason for its value. Changing one
 * here changes it everywhere it is used; none of them is a clinical threshold (those are rule settings,
 * rule-settings.ts, with their sources).
 *
 * `Tunable` entries are defaults that an environment variable (environment.ts) or the site file (site-file.ts) may
 * override, with the range the override must fall in; everything else is fixed.
 */

/** A default that configuration may override, and the range it accepts. */
export interface Tunable {
  readonly default: number;
  readonly min: number;
  readonly max: number;
}

// --- Environment (environment.ts) -------------------------------------------------------------------------------

/** BODY_LIMIT: room for a large encounter's prefetch, while a runaway body is refused (413) before it is parsed. */
export const DEFAULT_BODY_LIMIT = '5mb';

/** FHIR_TIMEOUT_MS: the whole FHIR fallback read per call; a sign-time hook must answer within a few seconds. */
export const FHIR_TIMEOUT_MS: Tunable = { default: 2_500, min: 50, max: 60_000 };

/** DATABASE_POOL_SIZE: split between the replay-check and feedback pools, so at least one connection each. */
export const DATABASE_POOL_SIZE: Tunable = { default: 10, min: 2, max: 200 };

/** RATE_LIMIT_PER_MINUTE: per issuer (and tenant); 100 calls a second is far above one clinic's signing rate. */
export const RATE_LIMIT_PER_MINUTE: Tunable = { default: 6000, min: 1, max: 1_000_000 };

/** FHIR_MAX_CONCURRENCY: FHIR requests open at once across all calls, so a slow FHIR server cannot pile up sockets. */
export const FHIR_MAX_CONCURRENCY: Tunable = { default: 32, min: 1, max: 1000 };

/** SHUTDOWN_DELAY_MS: 0 outside a load balancer; set it to the time the balancer takes to stop routing to a pod. */
export const SHUTDOWN_DELAY_MS: Tunable = { default: 0, min: 0, max: 60_000 };

/** FEEDBACK_RETENTION_DAYS: JUDGMENT, a little over a year, so a full year of feedback can be reported on. */
export const FEEDBACK_RETENTION_DAYS: Tunable = { default: 400, min: 1, max: 3650 };

/** OVERRIDE_MEMORY_TIMEOUT_MS: the memory lookup must not slow signing; after this every card is shown instead. */
export const OVERRIDE_MEMORY_TIMEOUT_MS: Tunable = { default: 100, min: 10, max: 5_000 };

// --- Site file (site-file.ts) -----------------------------------------------------------------------------------

/** maxCards: CDS Hooks best practice is few, relevant cards; the most severe are kept. */
export const MAX_CARDS: Tunable = { default: 10, min: 1, max: 100 };

/** overrideMemory.acceptedSuggestionWindowHours: JUDGMENT, a day for the EHR's data to catch up with an accepted change. */
export const ACCEPTED_SUGGESTION_WINDOW_HOURS: Tunable = { default: 24, min: 0, max: 24 * 90 };

// --- HTTP and authentication (src/http, src/service.ts, src/server.ts) -----------------------------------------

/** The express-rate-limit window: RATE_LIMIT_PER_MINUTE counts calls per minute. */
export const RATE_LIMIT_WINDOW_MS = 60_000;

/** How long a browser may cache a CORS preflight answer (seconds): the allowed origins change only with a restart. */
export const CORS_PREFLIGHT_MAX_AGE_SECONDS = 600;

/** A bearer token longer than this is refused unread: a real CDS Hooks JWT is well under 2 KB. */
export const MAX_TOKEN_LENGTH = 8 * 1024;

/** Clock difference tolerated between the EHR and us when checking iat and exp. */
export const CLOCK_SKEW_SECONDS = 60;

/** Sandbox and Inferno tokens live 5 minutes; older tokens are refused so the replay set stays bounded. */
export const MAX_TOKEN_AGE_SECONDS = 15 * 60;

/** Claims copied into the log are caller-controlled text: long enough to tell URLs apart, short enough to be safe. */
export const MAX_LOGGED_CLAIM_LENGTH = 256;

/** Reads at most this much of a JWKS answer: a key set is a few KB; anything bigger is not one. */
export const MAX_JWKS_BYTES = 256 * 1024;

/** How long an imported key is trusted before the key set is asked again (keys rotate). */
export const JWKS_KEY_TTL_MS = 10 * 60 * 1000;

/** How long a JWKS fetch may take before the call is refused (401); keys are cached, so this is rare. */
export const JWKS_TIMEOUT_MS = 2_000;

/** How often expired token ids are forgotten, in this process's memory and in the store. */
export const REPLAY_SET_SWEEP_INTERVAL_MS = 30_000;

/** While the store is failing, one log line per kind per this interval (the metric counts every call). */
export const STORE_WARNING_INTERVAL_MS = 60_000;

/** CDS Hooks hookInstance is a UUID; 128 leaves room for other unique ids and stops a flood of text. */
export const MAX_HOOK_INSTANCE_LENGTH = 128;

/** A card id or accepted-suggestion id in feedback: ours are UUIDs; longer is not one of ours. */
export const MAX_FEEDBACK_ID_LENGTH = 128;

/** A clinician's override comment: a few sentences; it is stored, so it is bounded. */
export const MAX_OVERRIDE_COMMENT_LENGTH = 4000;

/** Feedback items in one request: an EHR sends one per card, and a call returns at most MAX_CARDS.max cards. */
export const MAX_FEEDBACK_ITEMS = 100;

/** Above a load balancer's idle timeout (often 60 s), so the balancer, not we, closes idle connections. */
export const KEEP_ALIVE_TIMEOUT_MS = 65_000;

/** Node requires headersTimeout above keepAliveTimeout, or a reused connection can be cut mid-request. */
export const HEADERS_TIMEOUT_MS = 66_000;

/** No call takes this long (FHIR reads are bounded by FHIR_TIMEOUT_MS); a request still open is abandoned. */
export const REQUEST_TIMEOUT_MS = 30_000;

/** How long in-flight calls get to finish after SIGTERM before connections are cut. */
export const DRAIN_TIMEOUT_MS = 10_000;

/** While draining, how often connections that fell idle are closed, so keep-alive clients do not hold the drain open. */
export const DRAIN_IDLE_SWEEP_INTERVAL_MS = 100;

// --- FHIR reading (src/fhir) ------------------------------------------------------------------------------------

/** Pages of one FHIR search followed at most; more means the query is too broad to answer at signing. */
export const MAX_SEARCH_PAGES = 20;

/** A longer reference is not one a FHIR server writes; it is not resolved (and never scanned). */
export const MAX_REFERENCE_LENGTH = 2048;

/** A file-reading error message is cut to this many characters: enough to say what is wrong, not the whole file. */
export const MAX_FHIR_FILE_ERROR_LENGTH = 200;

/** The command-line evaluator's FHIR timeout: no EHR is waiting, so a slow server gets longer than FHIR_TIMEOUT_MS. */
export const CLI_FHIR_TIMEOUT_MS = 10_000;

// --- Cards (src/cds) --------------------------------------------------------------------------------------------

/** CDS Hooks: summary SHALL be fewer than 140 characters; Inferno fails 140 exactly. Counted in code points. */
export const MAX_SUMMARY_LENGTH = 139;

/** The longest value, in code points, that enters a card; a longer one is cut and ends with an ellipsis. */
export const MAX_VALUE_LENGTH = 256;

// --- Memory caps --------------------------------------------------------------------------------------------------

/** Drug texts whose ingredient names are remembered; past it names are found again, not stored (bounded memory). */
export const DRUG_NAME_MEMO_LIMIT = 10_000;

/** A system URI longer than this is not matched against the system patterns: no real one is, and regexes cost. */
export const MAX_CODE_SYSTEM_LENGTH = 512;

/** System URIs whose pattern match is remembered; past it each is matched again, not stored (bounded memory). */
export const MAX_REMEMBERED_SYSTEM_MATCHES = 10_000;

/**
 * How many (system, code) spellings the look-up memo keeps (bounded: a request cannot grow it without limit; past
 * the bound, codings are normalised on every look-up as before).
 */
export const MAX_REMEMBERED_CODINGS = 50_000;

// --- Feedback loop (src/feedback) ---------------------------------------------------------------------------------

/** How often old issuance records and feedback are swept: retention is counted in days, so hourly is plenty. */
export const RETENTION_SWEEP_INTERVAL_MS = 60 * 60 * 1000;

/** While the store fails, one log line per operation per this interval (the metrics count every one). */
export const FEEDBACK_LOOP_WARNING_INTERVAL_MS = 60_000;

// --- Store (src/store) --------------------------------------------------------------------------------------------

/*
 * The replay check's latency against its guarantee (docs/deploy.md, "When PostgreSQL is down"): it waits for its
 * statement; after TOKEN_CLAIM_TIMEOUT_MS without an answer it asks the liveness probe, which gets
 * PROBE_TIMEOUT_MS. Only a failed probe sends the call on with the local check; a live database keeps the check
 * waiting, up to TOKEN_CLAIM_MAX_WAIT_MS in all, after which the call is refused (503) rather than accepted.
 */
export const TOKEN_CLAIM_TIMEOUT_MS = 250;
export const PROBE_TIMEOUT_MS = 1_000;
/** As long as the statement timeout: the database itself would let the check's statement run no longer. */
export const TOKEN_CLAIM_MAX_WAIT_MS = 5_000;

/** A feedback write waits this long before the EHR is told 503 (retry). */
export const QUERY_TIMEOUT_MS = 5_000;

/** The server's statement_timeout cancels first; this margin past it only catches a connection gone silent. */
export const QUERY_BACKSTOP_MARGIN_MS = 1_000;

/** Start-up waits this long for a database that is not accepting connections yet, then fails (exit 1). */
export const STARTUP_TIMEOUT_MS = 20_000;

/** Start-up retries against an unreachable database begin this soon and double up to STARTUP_RETRY_MAX_DELAY_MS. */
export const STARTUP_RETRY_FIRST_DELAY_MS = 200;
export const STARTUP_RETRY_MAX_DELAY_MS = 2_000;

/** Opening a connection (TLS and SCRAM to a remote server included) may take this long. */
export const CONNECT_TIMEOUT_MS = 3_000;

/** Idle feedback connections are kept this long, so a quiet clinic does not pay a new connection per call. */
export const IDLE_CONNECTION_TIMEOUT_MS = 60_000;

/** While the database is known to be unreachable, the liveness probe runs this often, to notice its return. */
export const RECOVERY_INTERVAL_MS = 200;

/** While it is reachable, this often the replay-check pool is topped up to its size (after dropped connections). */
export const KEEP_WARM_INTERVAL_MS = 1_000;

/** A replay check whose connection failed is retried on another at most this many times in all. */
export const MAX_CLAIM_ATTEMPTS = 3;
