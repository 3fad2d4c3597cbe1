import type { RequestHandler } from 'express';
import type { ServiceRegistry } from '../../cds/services.js';
import { CdsError } from '../../errors.js';
import { requestState } from './request-context.js';

/** Unknown service ids are 404 before anything else is looked at. */
export function resolveService(registry: ServiceRegistry): RequestHandler {
  return (req, res, next) => {
    const id = req.params.id;
    const service = typeof id === 'string' ? registry.services.get(id) : undefined;
    if (!service) {
      throw new CdsError('NOT_FOUND', `No CDS service with id ${String(id)}`);
    }
    requestState(res).service = service;
    next();
  };
}
