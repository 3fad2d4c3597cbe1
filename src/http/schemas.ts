import { z } from 'zod';

/*
 * Request bodies (CDS Hooks 2.0 "Calling a CDS Service" and "Feedback"). Unknown fields anywhere are ignored, not
 * rejected: hooks gain optional context fields in minor versions and `extension` is reserved for custom data.
 */

/** FHIR id: the only form a context id may take, which also keeps prefetch URLs free of injected paths. */
export const fhirId = z.string().regex(/^[A-Za-z0-9\-.]{1,64}$/, 'must be a FHIR id ([A-Za-z0-9-.], 1-64 characters)');

const prefetchValue = z.union([z.null(), z.looseObject({ resourceType: z.string().min(1) })]);

export const hookRequestSchema = z.object({
  hook: z.string().min(1),
  hookInstance: z.string().min(1).max(128),
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

export const draftResourcesSchema = z.looseObject({
  resourceType: z.literal('Bundle'),
  entry: z.array(z.looseObject({ fullUrl: z.string().optional(), resource: z.unknown().optional() })).optional(),
});

const overrideCoding = z.object({
  system: z.string().min(1).optional(),
  code: z.string().min(1),
  display: z.string().optional(),
});

const feedbackItem = z
  .object({
    card: z.string().min(1).max(128),
    outcome: z.enum(['accepted', 'overridden']),
    acceptedSuggestions: z.array(z.object({ id: z.string().min(1).max(128) })).optional(),
    overrideReason: z
      .object({ reason: overrideCoding.optional(), userComment: z.string().max(4000).optional() })
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

export const feedbackRequestSchema = z.object({ feedback: z.array(feedbackItem).min(1).max(100) });
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
