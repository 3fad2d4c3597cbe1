import express, { type RequestHandler } from 'express';
import { CdsError } from '../../errors.js';

const JSON_TYPES = ['application/json', 'application/fhir+json', 'application/*+json'];

/**
 * The body of a service or feedback call: a JSON media type (else 415), then parsed within the size limit. The
 * parser's own errors (malformed, too large, bad charset) are mapped in errors.ts.
 */
export function jsonBody(limit: string): readonly RequestHandler[] {
  const requireJson: RequestHandler = (req, _res, next) => {
    if (!req.is(JSON_TYPES)) {
      throw new CdsError('UNSUPPORTED_MEDIA_TYPE', 'Request body must be application/json');
    }
    next();
  };
  // requireJson has checked the media type (and that there is a body): the parser need not check it again.
  return [requireJson, express.json({ limit, type: () => true })];
}
