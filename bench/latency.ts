/*
 * npm run bench:latency — latency of one encounter-sign call, measured over a real socket.
 * Starts the service (real JWT verification: every request carries its own ES384 token), sends N sequential calls
 * with a realistic prefetch (an infusion visit plus a year of history), and prints min / median / p90 / p99.
 * Not part of the test suite: figures depend on the machine.
 */
import { randomUUID } from 'node:crypto';
import { anEncounter, anInfusion, encounterSignRequest, searchset } from '../test-support/builders.js';
import { startLoopbackService } from './loopback-service.js';

const calls = Number(process.argv[2] ?? '500');
const warmup = 50;

const loopback = await startLoopbackService();
const { issuer } = loopback;

const history = Array.from({ length: 60 }, (_, i) =>
  anInfusion({
    id: `hist-${i}`,
    context: { reference: `Encounter/old-${i % 12}` },
    effectivePeriod: {
      start: `2024-${String((i % 12) + 1).padStart(2, '0')}-10T10:00:00Z`,
      end: `2024-${String((i % 12) + 1).padStart(2, '0')}-10T11:30:00Z`,
    },
  }),
);
const today = [
  anInfusion({ id: 'today-carbo', effectivePeriod: { start: '2025-03-04T10:00:00-05:00' } }),
  anInfusion({ id: 'today-pacli' }),
];
const body = JSON.stringify(
  encounterSignRequest({
    encounter: anEncounter(),
    administrations: [...history, ...today],
    prefetch: { encounters: searchset(Array.from({ length: 12 }, (_, i) => anEncounter({ id: `old-${i}` }))) },
  }),
);

const url = `${loopback.baseUrl}/cds-services/oncology-encounter-sign`;
const once = async (): Promise<number> => {
  const token = issuer.sign(url, { jti: randomUUID() });
  const started = process.hrtime.bigint();
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body,
  });
  await response.arrayBuffer();
  if (response.status !== 200) {
    throw new Error(`status ${response.status}`);
  }
  return Number(process.hrtime.bigint() - started) / 1e6;
};

for (let i = 0; i < warmup; i += 1) {
  await once();
}
const samples: number[] = [];
for (let i = 0; i < calls; i += 1) {
  samples.push(await once());
}
samples.sort((a, b) => a - b);
const at = (q: number): number => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))] ?? Number.NaN;
console.log(
  `encounter-sign latency over ${calls} sequential calls (${(body.length / 1024).toFixed(0)} KB request, ES384 JWT each): ` +
    `min ${at(0).toFixed(2)} ms, median ${at(0.5).toFixed(2)} ms, p90 ${at(0.9).toFixed(2)} ms, p99 ${at(0.99).toFixed(2)} ms`,
);
await loopback.close();
