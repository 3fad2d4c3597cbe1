import { CdsError } from '../../errors.js';
import { describeIssues, feedbackRequestSchema } from '../../cds/schemas.js';
import type { FeedbackRecord } from '../../store/store.js';
import { StoreUnavailableError } from '../../store/store.js';
import type { HandlerResult, RouteDeps, ServiceCall } from '../handler.js';

/**
 * Feedback: https://cds-hooks.hl7.org/2.0/#feedback. Stored (committed) before the 200 is sent, each item joined
 * to the card it names. An item naming a card this service never returned to this client is still a valid body
 * (the card may have been issued while the store was unreachable, or swept by retention, and the spec defines no
 * error for it): it is stored apart, flagged unknown, counted, and reported in the answer, never joined to a rule.
 * The answer is 200 {"accepted": items joined to a card, "unknownCards": items kept apart}.
 */
export async function receiveFeedback(call: ServiceCall, deps: RouteDeps): Promise<HandlerResult> {
  const { service, client } = call;
  const parsed = feedbackRequestSchema.safeParse(call.body);
  if (!parsed.success) {
    const { message, expression } = describeIssues(parsed.error);
    return { error: new CdsError('INVALID_REQUEST', message, expression) };
  }
  const receivedAt = deps.now().toISOString();
  const records: FeedbackRecord[] = parsed.data.feedback.map((item) => ({
    serviceId: service.id,
    cardUuid: item.card,
    outcome: item.outcome,
    acceptedSuggestions: (item.acceptedSuggestions ?? []).map((s) => s.id),
    ...(item.overrideReason?.reason ? { overrideReason: item.overrideReason.reason } : {}),
    ...(item.overrideReason?.userComment !== undefined ? { userComment: item.overrideReason.userComment } : {}),
    outcomeTimestamp: item.outcomeTimestamp,
    receivedAt,
    issuer: client.iss,
    ...(client.tenant !== undefined ? { tenant: client.tenant } : {}),
  }));
  let joins;
  try {
    joins = await deps.feedbackLoop.saveFeedback(records);
  } catch (error) {
    if (error instanceof StoreUnavailableError) {
      return {
        error: new CdsError('UNAVAILABLE', 'The feedback store is unavailable; retry later'),
        headers: { 'Retry-After': '5' },
        record: { feedbackStoreFailure: 'unavailable' },
      };
    }
    return { error, record: { feedbackStoreFailure: 'error' } };
  }
  const unknownCards = joins.filter((j) => !j.known).length;
  return {
    status: 200,
    body: JSON.stringify({ accepted: records.length - unknownCards, unknownCards }),
    record: { feedback: records, unknownCards },
  };
}
