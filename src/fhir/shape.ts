/*
 * Shape checks that read and never copy. Prefetch and FHIR-server answers are large and already parsed; a schema
 * library that rebuilds every resource it accepts allocates the request twice over, only for the copy to be thrown
 * away (the snapshot keeps the resource as sent). These checks answer yes or no on the value itself.
 *
 * The semantics are those of the zod schemas they replaced, on JSON input: `looseObject` accepts any non-array,
 * non-null object whose declared elements pass and leaves every other element alone; `optional` accepts an absent
 * element; numbers must be finite. tests/property/shape.prop.test.ts checks each combinator against zod.
 */

/** A check of one value. Checks compose: an object's elements, an array's items, an optional element. */
export type ShapeCheck = (value: unknown) => boolean;

export const string: ShapeCheck = (value) => typeof value === 'string';
export const number: ShapeCheck = (value) => typeof value === 'number' && Number.isFinite(value);
export const boolean: ShapeCheck = (value) => typeof value === 'boolean';

export function optional(check: ShapeCheck): ShapeCheck {
  return (value) => value === undefined || check(value);
}

export function arrayOf(check: ShapeCheck): ShapeCheck {
  return (value) => {
    if (!Array.isArray(value)) {
      return false;
    }
    for (const item of value) {
      if (!check(item)) {
        return false;
      }
    }
    return true;
  };
}

/** An object used as a map: any element names, each value passing the check. */
export function recordOf(check: ShapeCheck): ShapeCheck {
  return (value) => isPlainObject(value) && Object.values(value).every(check);
}

export function isPlainObject(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * An object with at least these elements (each check also sees `undefined` when the element is absent, so required
 * elements are those whose check refuses `undefined`). Only own properties count: a name inherited from
 * `Object.prototype` is absent.
 */
export function looseObject(elements: Readonly<Record<string, ShapeCheck>>): ShapeCheck {
  const entries = Object.entries(elements);
  return (value) => {
    if (!isPlainObject(value)) {
      return false;
    }
    for (const [name, check] of entries) {
      if (!check(Object.hasOwn(value, name) ? value[name] : undefined)) {
        return false;
      }
    }
    return true;
  };
}
