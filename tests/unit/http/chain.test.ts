import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { chain } from '../../../src/http/middleware/chain.js';

const incoming = new IncomingMessage(new Socket());
const req = incoming as Request;
const res = new ServerResponse(incoming) as Response;

/** Runs a chain and resolves with what it passed to the router's next (undefined: next() with no error). */
function run(handlers: readonly RequestHandler[]): Promise<{ error: unknown }> {
  return new Promise((resolve) => {
    const next = ((error?: unknown) => {
      resolve({ error });
    }) as NextFunction;
    chain(handlers)(req, res, next);
  });
}

describe('chain', () => {
  it('runs the handlers in order, then the router next', async () => {
    const seen: number[] = [];
    const step =
      (n: number): RequestHandler =>
      (_q, _s, next) => {
        seen.push(n);
        next();
      };
    expect(await run([step(1), step(2), step(3)])).toEqual({ error: undefined });
    expect(seen).toEqual([1, 2, 3]);
  });

  it('skips the rest on next(error), a throw or a rejection, as Express 5 does', async () => {
    const never: RequestHandler = () => {
      throw new Error('must not run');
    };
    const failure = new Error('refused');
    expect(
      await run([
        (_q, _s, next) => {
          next(failure);
        },
        never,
      ]),
    ).toEqual({ error: failure });
    expect(
      await run([
        () => {
          throw failure;
        },
        never,
      ]),
    ).toEqual({ error: failure });
    expect(await run([async () => Promise.reject(failure), never])).toEqual({ error: failure });
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- Express's rule for a reason-less rejection
    const falsy = await run([async () => Promise.reject(undefined), never]);
    expect(falsy.error).toEqual(new Error('Rejected promise'));
  });

  it('continues after asynchronous handlers that call next', async () => {
    const seen: string[] = [];
    const later: RequestHandler = async (_q, _s, next) => {
      await new Promise((r) => setTimeout(r, 1));
      seen.push('later');
      next();
    };
    const after: RequestHandler = (_q, _s, next) => {
      seen.push('after');
      next();
    };
    expect(await run([later, after])).toEqual({ error: undefined });
    expect(seen).toEqual(['later', 'after']);
  });
});
