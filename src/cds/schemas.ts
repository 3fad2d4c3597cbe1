import { z } from 'zod';
import {
  MAX_FEEDBACK_ID_LENGTH,
  MAX_FEEDBACK_ITEMS,
  MAX_HOOK_INSTANCE_LENGTH,
  MAX_OVERRIDE_COMMENT_LENGTH,
} from '../config/limits.js';
import { looseObject, number, optional, recordOf, string, type ShapeCheck } from '../fhir/shape.js';

/*
 * Request bodies (CDS Hooks 2.0 "Calling a CDS Service" and "Feedback"). Unknown fields anywhere are ignored, not
 * rejected: hooks gain optional context fields in minor versions and `extension` is reserved for custom data.
 */

/** FHIR id: the only form a context id may take, which also keeps prefetch URLs free of injected paths. */
export const fhirId = z.string().regex(/^[A-Za-z0-9\-.]{1,64}$/, 'must be a FHIR id ([A-Za-z0-9-.], 1-64 characters)');

const prefetchValue = z.union([z.null(), z.looseObject({ resourceType: z.string().min(1) })]);

export const hookRequestSchema = z.object({
  hook: z.string().min(1),
  hookInstance: z.string().min(1).max(MAX_HOOK_INSTANCE_LENGTH),
  fhirServer: z.string().min(1).optional(),
  fhirAuthorization: z
    .object({
      access_token: z.string().min(1),
      token_type: z.string().regex(/^bearer$/i, 'must be Bearer'),
      expires_in: z.number().optional(),
      scope: z.string().optional(),
      subject: z.string().optional(),
      patient: z.string().optional(),
    })
    .optional(),
  context: z.record(z.string(), z.unknown()),
  prefetch: z.record(z.string(), prefetchValue).optional(),
});

export type HookRequest = z.infer<typeof hookRequestSchema>;

const nonEmptyText: ShapeCheck = (value) => typeof value === 'string' && value.length > 0;
const BEARER = /^bearer$/i;
const prefetchValueShape = looseObject({ resourceType: nonEmptyText });

/**
 * True exactly when `hookRequestSchema` accepts the body, without building zod's copy of it: the common case (a
 * well-formed call) then reads the body as parsed, and only a refused body goes through zod for its messages.
 * tests/property/hook-request-shape.prop.test.ts holds the two to the same answer.
 */
export const isWellFormedHookRequest = looseObject({
  hook: nonEmptyText,
  hookInstance: (value) => nonEmptyText(value) && (value as string).length <= MAX_HOOK_INSTANCE_LENGTH,
  fhirServer: optional(nonEmptyText),
  fhirAuthorization: optional(
    looseObject({
      access_token: nonEmptyText,
      token_type: (value) => typeof value === 'string' && BEARER.test(value),
      expires_in: optional(number),
      scope: optional(string),
      subject: optional(string),
      patient: optional(string),
    }),
  ),
  context: recordOf(() => true),
  prefetch: optional(recordOf((value) => value === null || prefetchValueShape(value))),
});

export const draftResourcesSchema = z.looseObject({
  resourceType: z.literal('Bundle'),
  entry: z.array(z.looseObject({ fullUrl: z.string().optional(), resource: z.unknown().optional() })).optional(),
});

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Text that is stored: well-formed Unicode without NUL. PostgreSQL cannot store either in text or jsonb, so without
 * this a stray byte would be refused by one back end and kept by the other; both now answer 400.
 */
export const isStorableText = (text: string): boolean => !text.includes('\u0000') && !LONE_SURROGATE.test(text);

const storedText = () => z.string().refine(isStorableText, 'must be well-formed Unicode text without NUL');

const overrideCoding = z.object({
  system: storedText().min(1).optional(),
  code: storedText().min(1),
  display: storedText().optional(),
});

const feedbackItem = z
  .object({
    card: storedText().min(1).max(MAX_FEEDBACK_ID_LENGTH),
    outcome: z.enum(['accepted', 'overridden']),
    acceptedSuggestions: z.array(z.object({ id: storedText().min(1).max(MAX_FEEDBACK_ID_LENGTH) })).optional(),
    overrideReason: z
      .object({
        reason: overrideCoding.optional(),
        userComment: storedText().max(MAX_OVERRIDE_COMMENT_LENGTH).optional(),
      })
      .optional(),
    outcomeTimestamp: z.iso.datetime({ offset: true }),
  })
  .superRefine((item, ctx) => {
    if (item.outcome === 'accepted' && (item.acceptedSuggestions ?? []).length === 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['acceptedSuggestions'],
        message: 'an accepted outcome names the accepted suggestions',
      });
    }
    if (item.outcome === 'accepted' && item.overrideReason !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['overrideReason'],
        message: 'only an overridden outcome has an override reason',
      });
    }
    if (item.outcome === 'overridden' && item.acceptedSuggestions !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['acceptedSuggestions'],
        message: 'an overridden outcome accepts no suggestions',
      });
    }
  });

export const feedbackRequestSchema = z.object({ feedback: z.array(feedbackItem).min(1).max(MAX_FEEDBACK_ITEMS) });
export type FeedbackRequest = z.infer<typeof feedbackRequestSchema>;

/** Turns a zod failure into a message and the request locations it names. */
export function describeIssues(error: z.ZodError): { message: string; expression: string[] } {
  const expression = [...new Set(error.issues.map((i) => i.path.map(String).join('.') || '(body)'))];
  const message = error.issues
    .slice(0, 5)
    .map((i) => `${i.path.map(String).join('.') || 'body'}: ${i.message}`)
    .join('; ');
  return { message, expression };
}
