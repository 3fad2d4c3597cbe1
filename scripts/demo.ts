/*
 * npm run demo: a local in-memory FHIR server with synthetic oncology patients, a locally generated CDS client key,
 * and the service trusting that key (and only it), then one encounter-sign call per sample patient with the cards
 * printed. `--once` exits after printing (used by the test suite); otherwise everything keeps running for you to try.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import type { Encounter } from 'fhir/r4.js';
import { loadConfig } from '../src/config.js';
import { startLocalIssuer } from '../src/devtools/local-issuer.js';
import { loadFhirResources, startMemoryFhirServer } from '../src/devtools/memory-fhir-server.js';
import { createLogger } from '../src/observability/logger.js';
import { projectPath } from '../src/paths.js';
import { createService } from '../src/service.js';
import type { CdsCard } from '../src/cds/types.js';
import { formatCards } from '../src/cli/print-cards.js';

const once = process.argv.includes('--once');
const port = Number(process.env.PORT ?? (once ? '0' : '3000'));

const { resources, skipped } = await loadFhirResources([projectPath('demo', 'sample-patients.json')]);
for (const s of skipped) {
  console.error(`skipped ${s.file}: ${s.reason}`);
}
const fhir = await startMemoryFhirServer({ resources });
const issuer = await startLocalIssuer();

// Listen first so the public URL (which JWT audiences must match) names the real port even when it is ephemeral.
const server = createServer();
server.listen(port, '127.0.0.1');
await new Promise((resolve) => server.once('listening', resolve));
const actualPort = (server.address() as AddressInfo).port;
const base = `http://127.0.0.1:${actualPort}`;
const config = loadConfig({
  ...process.env,
  PORT: String(actualPort),
  PUBLIC_BASE_URL: process.env.PUBLIC_BASE_URL ?? `http://localhost:${actualPort}`,
  CDS_TRUSTED_ISSUERS: JSON.stringify([{ iss: issuer.iss, jku: issuer.jku }]),
  FEEDBACK_DB: process.env.FEEDBACK_DB ?? ':memory:',
  LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
});
const publicBase = config.publicBaseUrl;
const service = await createService(config, createLogger(config.logLevel));
server.on('request', service.app);

const encounters = resources.filter((r): r is Encounter => r.resourceType === 'Encounter');
console.log(
  `\nOncoSign demo\n  service      ${publicBase}/cds-services\n  FHIR server  ${fhir.baseUrl} (${fhir.resourceCount} resources)\n  CDS client   ${issuer.iss} (key generated for this run; trusted by this run only)\n`,
);

for (const encounter of encounters) {
  const patientId = encounter.subject?.reference?.replace(/^Patient\//, '') ?? '';
  const path = '/cds-services/oncology-encounter-sign';
  const response = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${issuer.sign(`${publicBase}${path}`)}` },
    body: JSON.stringify({
      hook: 'encounter-sign',
      hookInstance: randomUUID(),
      fhirServer: fhir.baseUrl,
      fhirAuthorization: {
        access_token: 'demo-token',
        token_type: 'Bearer',
        expires_in: 300,
        scope: 'user/*.read',
        subject: 'oncosign',
      },
      context: { userId: 'Practitioner/demo', patientId, encounterId: encounter.id },
    }),
  });
  const body = (await response.json()) as { cards?: CdsCard[] };
  console.log(
    `Patient/${patientId}  Encounter/${encounter.id ?? ''}  → HTTP ${response.status}, ${body.cards?.length ?? 0} card(s)`,
  );
  console.log(formatCards(body.cards ?? []));
  console.log('');
}

console.log(`Try it in the CDS Hooks sandbox (development only):
  - The public sandbox (https://sandbox.cds-hooks.org) fires patient-view, order-select and order-sign; our
    oncology-patient-view service runs the same rules over the patient's latest encounter.
  - It must reach this service over https: expose ${publicBase} through an https tunnel and set PUBLIC_BASE_URL to
    the tunnel's URL. Trust the sandbox's issuer ONLY in development (its private key is public):
      CDS_TRUSTED_ISSUERS='[{"iss":"https://sandbox.cds-hooks.org","jku":"https://sandbox.cds-hooks.org/.well-known/jwks.json"}]'
      ALLOW_UNAUTHENTICATED_FHIR=true   (the sandbox's FHIR server sends no token)
  - In the sandbox: settings → Add CDS Services → <PUBLIC_BASE_URL>/cds-services.
  - A local copy of the sandbox takes ?serviceDiscoveryURL=${publicBase}/cds-services&fhirServiceUrl=${fhir.baseUrl}
`);

const stop = async (): Promise<void> => {
  server.closeAllConnections();
  server.close();
  await service.store.close();
  await fhir.close();
  await issuer.close();
};

if (once) {
  await stop();
} else {
  console.log('Running. Ctrl+C to stop.');
  process.on('SIGINT', () => {
    void stop().then(() => process.exit(0));
  });
  process.on('SIGTERM', () => {
    void stop().then(() => process.exit(0));
  });
}
