import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import * as shape from '../../src/fhir/shape.js';

/*
 * The non-copying shape checks must accept exactly what the zod schemas they replaced accepted, on any JSON value.
 * Random schemas are built twice (zod and shape) from one description; random values are drawn both freely and
 * shaped like the schema (the right element names holding anything), so both acceptance and rejection are exercised.
 */

type Description =
  | { kind: 'string' | 'number' | 'boolean' }
  | { kind: 'optional' | 'array'; of: Description }
  | { kind: 'object'; elements: Record<string, Description> };

const NAMES = ['code', 'system', 'coding', 'text', 'value', 'status', 'period'];

const description: fc.Arbitrary<Description> = fc.letrec<{ node: Description }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom<Description>({ kind: 'string' }, { kind: 'number' }, { kind: 'boolean' }),
    tie('node').map((of): Description => ({ kind: 'optional', of })),
    tie('node').map((of): Description => ({ kind: 'array', of })),
    fc
      .dictionary(fc.constantFrom(...NAMES), tie('node'), { maxKeys: 4 })
      .map((elements): Description => ({ kind: 'object', elements })),
  ),
})).node;

function asZod(d: Description): z.ZodType {
  switch (d.kind) {
    case 'string':
      return z.string();
    case 'number':
      return z.number();
    case 'boolean':
      return z.boolean();
    case 'optional':
      return asZod(d.of).optional();
    case 'array':
      return z.array(asZod(d.of));
    case 'object':
      return z.looseObject(Object.fromEntries(Object.entries(d.elements).map(([k, v]) => [k, asZod(v)])));
  }
}

function asShape(d: Description): shape.ShapeCheck {
  switch (d.kind) {
    case 'string':
      return shape.string;
    case 'number':
      return shape.number;
    case 'boolean':
      return shape.boolean;
    case 'optional':
      return shape.optional(asShape(d.of));
    case 'array':
      return shape.arrayOf(asShape(d.of));
    case 'object':
      return shape.looseObject(Object.fromEntries(Object.entries(d.elements).map(([k, v]) => [k, asShape(v)])));
  }
}

/** Values shaped like the description, with any JSON value in some places so that some of them fail. */
function valueFor(d: Description, depth = 0): fc.Arbitrary<unknown> {
  const anything = fc.jsonValue({ maxDepth: 2 });
  if (depth > 5) {
    return anything;
  }
  switch (d.kind) {
    case 'string':
      return fc.oneof(fc.string(), anything);
    case 'number':
      return fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), anything);
    case 'boolean':
      return fc.oneof(fc.boolean(), anything);
    case 'optional':
      return fc.oneof(fc.constant(undefined), valueFor(d.of, depth + 1));
    case 'array':
      return fc.oneof(fc.array(valueFor(d.of, depth + 1), { maxLength: 3 }), anything);
    case 'object':
      return fc.oneof(
        fc
          .record(Object.fromEntries(Object.entries(d.elements).map(([k, v]) => [k, valueFor(v, depth + 1)])), {
            requiredKeys: [],
          })
          .chain((known) =>
            fc.dictionary(fc.string(), anything, { maxKeys: 2 }).map((extra) => ({ ...extra, ...known })),
          ),
        anything,
      );
  }
}

describe('shape checks agree with the zod schemas they replaced', () => {
  it('on values shaped like the schema and on any JSON value', () => {
    fc.assert(
      fc.property(
        description.chain((d) => fc.tuple(fc.constant(d), fc.oneof(valueFor(d), fc.jsonValue()))),
        ([d, value]) => {
          // JSON has no undefined inside objects: drop such keys as a JSON round trip would.
          const json: unknown = value === undefined ? undefined : JSON.parse(JSON.stringify(value));
          expect(asShape(d)(json)).toBe(asZod(d).safeParse(json).success);
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('reads only own elements and never copies', () => {
    const check = shape.looseObject({ code: shape.string, toString: shape.optional(shape.string) });
    const value = JSON.parse('{"code":"x","extra":{"deep":[1,2]}}') as Record<string, unknown>;
    expect(check(value)).toBe(true);
    expect(check({ code: 1 })).toBe(false);
    expect(check(['code'])).toBe(false);
    expect(check(null)).toBe(false);
    expect(shape.number(Number.POSITIVE_INFINITY)).toBe(false);
    expect(shape.number(Number.NaN)).toBe(false);
  });
});
