import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hookRequestSchema, isWellFormedHookRequest } from '../../src/cds/schemas.js';
import { MAX_HOOK_INSTANCE_LENGTH } from '../../src/config/limits.js';

/*
 * The service reads a well-formed hook request without zod's copy (src/cds/hook-request.ts); zod still decides and
 * words every refusal. That is only safe if the copy-free check and the schema accept exactly the same bodies.
 * Bodies are drawn near the boundary: each field valid, missing, empty, too long, of the wrong type, or any JSON.
 */

const anything = fc.jsonValue({ maxDepth: 2 });
const text = (max = 8) =>
  fc.oneof(
    { arbitrary: fc.string({ minLength: 1, maxLength: max }), weight: 8 },
    { arbitrary: fc.constant(''), weight: 1 },
  );
// Mostly valid, so that whole bodies are often valid and each field's own rule is what decides.
const field = <T>(valid: fc.Arbitrary<T>) =>
  fc.oneof(
    { arbitrary: valid, weight: 12 },
    { arbitrary: fc.constant(undefined), weight: 1 },
    { arbitrary: anything, weight: 1 },
  );

const fhirAuthorization = fc.record(
  {
    access_token: field(text()),
    token_type: field(fc.constantFrom('Bearer', 'bearer', 'BEARER', 'Basic', '', ' Bearer', 'Bearer\n')),
    expires_in: field(fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }))),
    scope: field(fc.string()),
    subject: field(fc.string()),
    patient: field(fc.string()),
  },
  { requiredKeys: [] },
);

const prefetchValue = fc.oneof(
  fc.constant(null),
  fc.record({ resourceType: field(text()) }, { requiredKeys: [] }),
  fc.record({ resourceType: text(), entry: anything }),
  anything,
);

const body = fc.record(
  {
    hook: field(text()),
    hookInstance: field(
      fc.oneof(text(), fc.string({ minLength: MAX_HOOK_INSTANCE_LENGTH - 1, maxLength: MAX_HOOK_INSTANCE_LENGTH + 1 })),
    ),
    fhirServer: field(text()),
    fhirAuthorization: field(fhirAuthorization),
    context: field(fc.dictionary(fc.string({ maxLength: 6 }), anything, { maxKeys: 3 })),
    prefetch: field(fc.dictionary(fc.string({ maxLength: 6 }), prefetchValue, { maxKeys: 3 })),
    extension: anything,
  },
  { requiredKeys: [] },
);

describe('the copy-free hook request check', () => {
  it('accepts exactly what hookRequestSchema accepts', () => {
    fc.assert(
      fc.property(fc.oneof(body, anything), (value) => {
        // As the body arrives: JSON, so no undefined inside objects.
        const json: unknown = JSON.parse(JSON.stringify(value));
        expect(isWellFormedHookRequest(json)).toBe(hookRequestSchema.safeParse(json).success);
      }),
      { numRuns: 5000 },
    );
  });
});
