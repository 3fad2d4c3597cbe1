/*
 * npx tsx bench/record-expected-cards.ts — records the cards the service returns today to each benchmark request
 * (bench/request-fixtures.ts) in bench/expected-cards.json, uuids normalised (bench/card-check.ts). Run it only when
 * a change to the cards is intended (then `npx prettier --write bench/expected-cards.json`); the benchmark fails when
 * any response differs from this file.
 */
import { writeFileSync } from 'node:fs';
import { cardsOf, EXPECTED_CARDS_FILE, type RequestName } from './card-check.js';
import { startLoopbackService } from './loopback-service.js';
import { LARGE, SMALL } from './request-fixtures.js';

const PATH = '/cds-services/oncology-encounter-sign';

const service = await startLoopbackService();
try {
  const url = `${service.baseUrl}${PATH}`;
  const expected: Partial<Record<RequestName, unknown[]>> = {};
  for (const [name, body] of [
    ['small', SMALL()],
    ['large', LARGE()],
  ] as const) {
    const answers: string[] = [];
    // Twice: the second call is the benchmark's steady state (card identity and issuance already seen once).
    for (let i = 0; i < 2; i += 1) {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${service.issuer.sign(url)}` },
        body: JSON.stringify(body),
      });
      if (response.status !== 200) {
        throw new Error(`${name}: status ${String(response.status)}`);
      }
      answers.push(JSON.stringify(cardsOf(await response.text())));
    }
    if (answers[0] !== answers[1]) {
      throw new Error(`${name}: the first and second calls returned different cards`);
    }
    expected[name] = JSON.parse(answers[0] ?? '[]') as unknown[];
  }
  writeFileSync(EXPECTED_CARDS_FILE, `${JSON.stringify(expected, null, 2)}\n`);
  console.log(
    `recorded ${EXPECTED_CARDS_FILE}: small ${String(expected.small?.length)} cards, large ${String(expected.large?.length)} cards`,
  );
} finally {
  await service.close();
}
