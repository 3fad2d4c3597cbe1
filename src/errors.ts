import type { OperationOutcome } from 'fhir/r4.js';

/**
 * Every error the service answers with, in one table: a stable code, its HTTP status and the FHIR issue type.
 * 401 bodies are empty on purpose (CDS Hooks best practice: a JWT failure gives no detail).
 */
const errorTable = {
  INVALID_REQUEST: { status: 400, issue: 'invalid' },
  UNAUTHENTICATED: { status: 401, issue: 'login' },
  NOT_FOUND: { status: 404, issue: 'not-found' },
  METHOD_NOT_ALLOWED: { status: 405, issue: 'not-supported' },
  DATA_UNAVAILABLE: { status: 412, issue: 'incomplete' },
  PAYLOAD_TOO_LARGE: { status: 413, issue: 'too-costly' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, issue: 'not-supported' },
  RATE_LIMITED: { status: 429, issue: 'throttled' },
  UNAVAILABLE: { status: 503, issue: 'transient' },
  INTERNAL: { status: 500, issue: 'exception' },
} as const satisfies Record<string, { status: number; issue: OperationOutcome['issue'][number]['code'] }>;

export type CdsErrorCode = keyof typeof errorTable;

export class CdsError extends Error {
  override readonly name = 'CdsError';
  readonly status: number;

  constructor(
    readonly code: CdsErrorCode,
    message: string,
    /** FHIRPath-like locations of the problem in the request body, e.g. `context.encounterId`. */
    readonly expression: readonly string[] = [],
  ) {
    super(message);
    this.status = errorTable[code].status;
  }
}

export function operationOutcomeFor(error: CdsError): OperationOutcome {
  return {
    resourceType: 'OperationOutcome',
    issue: [
      {
        severity: 'error',
        code: errorTable[error.code].issue,
        details: { coding: [{ system: 'urn:oncosign:error', code: error.code }], text: error.message },
        ...(error.expression.length > 0 ? { expression: [...error.expression] } : {}),
      },
    ],
  };
}

/**
 * A driver's error class, safe to log: a SQLSTATE (`42501`), a SQLite code (`SQLITE_BUSY`) or a network code
 * (`ECONNREFUSED`), never the message, which can quote data or a connection string.
 */
export function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && /^[0-9A-Z_]{1,40}$/.test(code) ? code : undefined;
}
