import type { NextFunction, Request, RequestHandler, Response } from 'express';

const isThenable = (value: unknown): value is PromiseLike<unknown> =>
  typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';

/**
 * Several middleware run as one router layer, in order, with Express 5's own rules: a handler that throws or whose
 * promise rejects passes the error on (a rejection without a reason as Error('Rejected promise')), next(error) skips
 * the rest, next() runs the next one and, after the last, the router's next. Saves the router's per-layer walk
 * (layer matching, params, the promise check) on the hot path; none of these handlers uses next('route').
 */
export function chain(handlers: readonly RequestHandler[]): RequestHandler {
  const count = handlers.length;
  return (req: Request, res: Response, next: NextFunction) => {
    let index = 0;
    const fail = (error: unknown): void => {
      next(error || new Error('Rejected promise'));
    };
    const step = (error?: unknown): void => {
      if (error) {
        next(error);
        return;
      }
      const handler = index < count ? handlers[index] : undefined;
      index += 1;
      if (handler === undefined) {
        next();
        return;
      }
      try {
        const result: unknown = handler(req, res, step);
        if (isThenable(result)) {
          result.then(undefined, fail);
        }
      } catch (thrown) {
        next(thrown);
      }
    };
    step();
  };
}
