import { randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import type supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FeedbackRow } from '../../src/store/feedback-rows.js';
import { OVERRIDE_REASON_SYSTEM } from '../../test-support/builders.js';
import { ENCOUNTER_SIGN, startHarness, type Harness } from '../../test-support/service-harness.js';

/*
 * CDS Hooks 2.0 feedback (https://cds-hooks.hl7.org/2.0/#feedback) through real HTTP and a real SQLite file: what a
 * 200 promises is read back from disk over a separate connection. The cards here are random uuids, never issued:
 * such feedback is stored, flagged unknown (card_known = 0) and answered as such. Feedback joined to issued cards is
 * in feedback-loop.int.test.ts.
 */

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

const FEEDBACK = `${ENCOUNTER_SIGN}/feedback`;

/** Reads the store's file over its own read-only connection, as another process would after a crash. */
function withDb<T>(read: (db: Database.Database) => T): T {
  const db = new Database(h.dbPath, { readonly: true, fileMustExist: true });
  try {
    return read(db);
  } finally {
    db.close();
  }
}

const rowsFor = (card: string): FeedbackRow[] =>
  withDb((db) => db.prepare('SELECT * FROM feedback WHERE card_uuid = ? ORDER BY id').all(card) as FeedbackRow[]);
const rowCount = (): number =>
  withDb((db) => (db.prepare('SELECT COUNT(*) AS n FROM feedback').get() as { n: number }).n);

function postRaw(
  body: string,
  options: { path?: string; contentType?: string; authorization?: string } = {},
): supertest.Test {
  const path = options.path ?? FEEDBACK;
  return h.request
    .post(path)
    .set('Authorization', options.authorization ?? h.bearer(path))
    .set('Content-Type', options.contentType ?? 'application/json')
    .send(body);
}

const postFeedback = (items: unknown[], path?: string): supertest.Test =>
  postRaw(JSON.stringify({ feedback: items }), path === undefined ? {} : { path });

const overridden = (
  card: string = randomUUID(),
  overrideReason: unknown = { reason: { system: OVERRIDE_REASON_SYSTEM, code: 'rule-not-applicable' } },
) => ({
  card,
  outcome: 'overridden',
  overrideReason,
  outcomeTimestamp: new Date().toISOString(),
});

const accepted = (card: string = randomUUID(), suggestion: string = randomUUID()) => ({
  card,
  outcome: 'accepted',
  acceptedSuggestions: [{ id: suggestion }],
  outcomeTimestamp: new Date().toISOString(),
});

function expectInvalidRequest(res: supertest.Response): void {
  expect(res.status).toBe(400);
  expect(res.headers['content-type']).toMatch(/json/);
  expect(res.body.resourceType).toBe('OperationOutcome');
  expect(res.body.issue[0].details.coding[0].code).toBe('INVALID_REQUEST');
}

describe('accepted feedback', () => {
  it('stores an overridden item whose reason coding has no display (as the sandbox sends it)', async () => {
    const card = randomUUID();
    const outcomeTimestamp = '2025-03-04T15:12:09.123Z';
    const item = {
      card,
      outcome: 'overridden',
      overrideReason: {
        reason: { system: OVERRIDE_REASON_SYSTEM, code: 'documented-elsewhere' },
        userComment: 'Stop time is on the paper flowsheet',
      },
      outcomeTimestamp,
    };
    const res = await postFeedback([item]);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ accepted: 0, unknownCards: 1 });

    const rows = rowsFor(card);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      service_id: 'oncology-encounter-sign',
      card_uuid: card,
      outcome: 'overridden',
      override_system: OVERRIDE_REASON_SYSTEM,
      override_code: 'documented-elsewhere',
      override_display: null,
      user_comment: 'Stop time is on the paper flowsheet',
      outcome_timestamp: outcomeTimestamp,
      issuer: h.issuer.iss,
      card_known: 0,
      rule_id: null,
    });
    expect(JSON.parse(rows[0]!.accepted_suggestions)).toEqual([]);
  });

  it('stores an accepted item with its accepted suggestions', async () => {
    const card = randomUUID();
    const suggestion = randomUUID();
    const res = await postFeedback([accepted(card, suggestion)]);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ accepted: 0, unknownCards: 1 });

    const rows = rowsFor(card);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      card_uuid: card,
      outcome: 'accepted',
      override_code: null,
      user_comment: null,
      issuer: h.issuer.iss,
    });
    expect(JSON.parse(rows[0]!.accepted_suggestions)).toEqual([suggestion]);
  });

  it('stores every item of a multi-item call and reports how many', async () => {
    const items = [overridden(), accepted(), overridden(randomUUID(), { userComment: 'no coded reason' }), accepted()];
    const before = rowCount();
    const res = await postFeedback(items);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ accepted: 0, unknownCards: items.length });
    expect(rowCount()).toBe(before + items.length);
    for (const item of items) {
      const rows = rowsFor(item.card);
      expect(rows).toHaveLength(1);
      expect(rows[0]!.outcome).toBe(item.outcome);
      expect(rows[0]!.issuer).toBe(h.issuer.iss);
    }
    expect(rowsFor(items[2]!.card)[0]).toMatchObject({ override_code: null, user_comment: 'no coded reason' });
  });
});

describe('invalid feedback is refused with 400 and nothing is stored', () => {
  const card = (): string => `bad-${randomUUID()}`;
  const now = (): string => new Date().toISOString();
  const cases: [string, () => { body: string; card?: string }][] = [
    ['malformed JSON', () => ({ body: '{"feedback": [' })],
    ['an empty object', () => ({ body: '{}' })],
    ['an empty feedback array', () => ({ body: '{"feedback": []}' })],
    [
      'an item without card',
      () => ({ body: JSON.stringify({ feedback: [{ outcome: 'overridden', outcomeTimestamp: now() }] }) }),
    ],
    [
      'an unknown outcome',
      () => {
        const c = card();
        return {
          card: c,
          body: JSON.stringify({ feedback: [{ card: c, outcome: 'ignored', outcomeTimestamp: now() }] }),
        };
      },
    ],
    [
      'an item without outcomeTimestamp',
      () => {
        const c = card();
        return { card: c, body: JSON.stringify({ feedback: [{ card: c, outcome: 'overridden' }] }) };
      },
    ],
    [
      'a timestamp that is not RFC 3339',
      () => {
        const c = card();
        return {
          card: c,
          body: JSON.stringify({
            feedback: [{ card: c, outcome: 'overridden', outcomeTimestamp: '03/04/2025 10:15' }],
          }),
        };
      },
    ],
    [
      'a timestamp without a time zone offset',
      () => {
        const c = card();
        return {
          card: c,
          body: JSON.stringify({
            feedback: [{ card: c, outcome: 'overridden', outcomeTimestamp: '2025-03-04T10:15:00' }],
          }),
        };
      },
    ],
    [
      'accepted without acceptedSuggestions',
      () => {
        const c = card();
        return {
          card: c,
          body: JSON.stringify({ feedback: [{ card: c, outcome: 'accepted', outcomeTimestamp: now() }] }),
        };
      },
    ],
    [
      'overridden with acceptedSuggestions',
      () => {
        const c = card();
        return {
          card: c,
          body: JSON.stringify({
            feedback: [
              { card: c, outcome: 'overridden', acceptedSuggestions: [{ id: randomUUID() }], outcomeTimestamp: now() },
            ],
          }),
        };
      },
    ],
    [
      'one bad item among good ones (all or nothing)',
      () => {
        const c = card();
        return {
          card: c,
          body: JSON.stringify({
            feedback: [{ ...overridden(c) }, { card: randomUUID(), outcome: 'accepted', outcomeTimestamp: now() }],
          }),
        };
      },
    ],
  ];

  for (const [name, make] of cases) {
    it(`refuses ${name}`, async () => {
      const { body, card: badCard } = make();
      const before = rowCount();
      const res = await postRaw(body);
      expectInvalidRequest(res);
      expect(rowCount()).toBe(before);
      if (badCard !== undefined) {
        expect(rowsFor(badCard)).toEqual([]);
      }
    });
  }
});

describe('other refusals', () => {
  it('answers 404 with an OperationOutcome for an unknown service id', async () => {
    const path = '/cds-services/no-such-service/feedback';
    const item = overridden();
    const before = rowCount();
    const res = await postFeedback([item], path);
    expect(res.status).toBe(404);
    expect(res.body.resourceType).toBe('OperationOutcome');
    expect(res.body.issue[0].details.coding[0].code).toBe('NOT_FOUND');
    expect(rowCount()).toBe(before);
    expect(rowsFor(item.card)).toEqual([]);
  });

  it('answers 415 for a text/plain body', async () => {
    const item = overridden();
    const before = rowCount();
    const res = await postRaw(JSON.stringify({ feedback: [item] }), { contentType: 'text/plain' });
    expect(res.status).toBe(415);
    expect(res.body.resourceType).toBe('OperationOutcome');
    expect(res.body.issue[0].details.coding[0].code).toBe('UNSUPPORTED_MEDIA_TYPE');
    expect(rowCount()).toBe(before);
    expect(rowsFor(item.card)).toEqual([]);
  });
});

describe('PHI in free text', () => {
  it('stores a userComment naming a patient and MRN but never logs it', async () => {
    const patientName = 'Rosalind Q. Featherstonehaugh';
    const mrn = 'MRN-00482917';
    const comment = `Spoke with ${patientName} (${mrn}); stop time is on the paper flowsheet`;
    const item = overridden(randomUUID(), {
      reason: { system: OVERRIDE_REASON_SYSTEM, code: 'documented-elsewhere' },
      userComment: comment,
    });
    const res = await postFeedback([item]);
    expect(res.status).toBe(200);
    expect(rowsFor(item.card)[0]?.user_comment).toBe(comment);

    // The call itself was logged (so the search below searches something), without the comment.
    expect(h.logs().some((line) => line.route === '/cds-services/:id/feedback' && line.status === 200)).toBe(true);
    const logged = h.logs().map((line) => JSON.stringify(line));
    for (const secret of [patientName, 'Featherstonehaugh', mrn, '00482917']) {
      expect(logged.filter((line) => line.includes(secret))).toEqual([]);
    }
  });
});
