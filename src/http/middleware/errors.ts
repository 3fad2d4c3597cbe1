import type { ErrorRequestHandler, RequestHandler, Response } from 'express';
import { CdsError, errorCode, operationOutcomeFor } from '../../errors.js';
import type { Logger } from '../../observability/logger.js';
import { requestState } from './request-context.js';

/** Answers with an error's OperationOutcome; a 401 has no body (a JWT failure gives no detail). */
export function sendError(res: Response, error: CdsError): void {
  res.status(error.status);
  if (error.code === 'UNAUTHENTICATED') {
    res.end();
    return;
  }
  res.type('application/json').send(JSON.stringify(operationOutcomeFor(error)));
}

/** express.json's errors, mapped to our table; anything else is a bug. */
function fromBodyParserError(error: unknown): CdsError | undefined {
  const type = (error as { type?: unknown } | undefined)?.type;
  switch (type) {
    case 'entity.parse.failed':
      return new CdsError('INVALID_REQUEST', 'Request body is not valid JSON');
    case 'entity.too.large':
      return new CdsError('PAYLOAD_TOO_LARGE', 'Request body is larger than the configured limit');
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new CdsError('UNSUPPORTED_MEDIA_TYPE', 'Request body encoding or charset is not supported');
    case 'request.aborted':
    case 'request.size.invalid':
      return new CdsError('INVALID_REQUEST', 'Request body was not received completely');
    default: {
      // Other client errors from the HTTP stack (a gzip body that does not inflate, a path whose percent-encoding
      // does not decode) carry a 4xx status: they are the caller's, never a 500.
      const status = (error as { status?: unknown; statusCode?: unknown } | undefined)?.status;
      return typeof status === 'number' && status >= 400 && status < 500
        ? new CdsError(
            status === 413 ? 'PAYLOAD_TOO_LARGE' : status === 415 ? 'UNSUPPORTED_MEDIA_TYPE' : 'INVALID_REQUEST',
            'Malformed request',
          )
        : undefined;
    }
  }
}

/** After every route: 405 on a path some route serves (another method), 404 elsewhere. */
export function unmatchedRoute(isKnownPath: (path: string) => boolean): RequestHandler {
  return (req, _res, next) => {
    next(
      isKnownPath(req.path)
        ? new CdsError('METHOD_NOT_ALLOWED', `${req.method} is not supported on ${req.path}`)
        : new CdsError('NOT_FOUND', 'No such endpoint'),
    );
  };
}

/** The last handler: a CdsError (or a body-parser error) answers as itself; anything else is logged and 500. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, _next) => {
    const known = error instanceof CdsError ? error : fromBodyParserError(error);
    if (res.headersSent) {
      res.end();
      return;
    }
    if (known) {
      sendError(res, known);
      return;
    }
    logger.error(
      {
        requestId: requestState(res).requestId,
        route: req.path,
        err: error instanceof Error ? error.name : 'unknown',
        code: errorCode(error),
      },
      'unhandled error',
    );
    sendError(res, new CdsError('INTERNAL', 'Internal error; the request id identifies it in the logs'));
  };
}
