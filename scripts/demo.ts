/*
 * npm run demo: a local in-memory FHIR server with synthetic oncology patients, a locally generated CDS client key,
 * and the service trusting that key (and only it), then one encounter-sign call per sample patient with the cards
 * printed. `--once` exits after printing (used by the test suite); otherwise everything keeps running for you to try.
 *
 * `--sandbox` (npm run demo -- --sandbox) also makes the run usable from the CDS Hooks sandbox, development only: the
 * service additionally trusts the sandbox's issuer through its pinned public key (demo/cds-hooks-sandbox-jwks.json,
 * so no network is needed), allows FHIR reads without a token (the sandbox sends none), and the FHIR server listens
 * on a fixed port (FHIR_PORT, 8081) so that the printed sandbox URLs stay valid between runs.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import type { Encounter, Patient } from 'fhir/r4.js';
import { loadConfig } from '../src/config/environment.js';
import { startLocalIssuer } from '../src/devtools/local-issuer.js';
import { loadFhirResources, startMemoryFhirServer } from '../src/devtools/memory-fhir-server.js';
import { createLogger } from '../src/observability/logger.js';
import { projectPath } from '../src/paths.js';
import { createService } from '../src/wiring.js';
import type { CdsCard } from '../src/cds/types.js';
import { formatCards } from '../src/cli/print-cards.js';

const once = process.argv.includes('--once');
const sandbox = process.argv.includes('--sandbox');
const port = Number(process.env.PORT ?? (once ? '0' : '3000'));
const fhirPort = Number(process.env.FHIR_PORT ?? (sandbox ? '8081' : '0'));
/** Where docs/sandbox.md serves a local build of the sandbox; only used to print its URL. */
const localSandbox = (process.env.SANDBOX_URL ?? 'http://localhost:8080').replace(/\/+$/, '');

/** The CDS Hooks sandbox signs every call as this issuer, naming this jku; its key is pinned, never fetched. */
const SANDBOX_TRUST = {
  iss: 'https://sandbox.cds-hooks.org',
  jku: 'https://sandbox.cds-hooks.org/.well-known/jwks.json',
  jwksFile: projectPath('demo', 'cds-hooks-sandbox-jwks.json'),
};

/** A port already taken is the likely failure here: say which setting moves it, rather than print a stack. */
function exitOnListenError(what: string, variable: string) {
  return (error: unknown): never => {
    const code = (error as { code?: unknown } | undefined)?.code;
    console.error(
      code === 'EADDRINUSE'
        ? `${what}: the port is in use; choose another with ${variable}=<port>`
        : `${what}: cannot listen (${String(code ?? error)})`,
    );
    process.exit(1);
  };
}

const { resources, skipped } = await loadFhirResources([projectPath('demo', 'sample-patients.json')]);
for (const s of skipped) {
  console.error(`skipped ${s.file}: ${s.reason}`);
}
const fhir = await startMemoryFhirServer({ resources, port: fhirPort }).catch(
  exitOnListenError('FHIR server', 'FHIR_PORT'),
);
const issuer = await startLocalIssuer();

// Listen first so the public URL (which JWT audiences must match) names the real port even when it is ephemeral.
const server = createServer();
server.listen(port, '127.0.0.1');
await new Promise((resolve, reject) => {
  server.once('listening', resolve);
  server.once('error', reject);
}).catch(exitOnListenError('service', 'PORT'));
const actualPort = (server.address() as AddressInfo).port;
const base = `http://127.0.0.1:${actualPort}`;
const config = loadConfig({
  ...process.env,
  PORT: String(actualPort),
  PUBLIC_BASE_URL: process.env.PUBLIC_BASE_URL ?? `http://localhost:${actualPort}`,
  CDS_TRUSTED_ISSUERS: JSON.stringify([{ iss: issuer.iss, jku: issuer.jku }, ...(sandbox ? [SANDBOX_TRUST] : [])]),
  FEEDBACK_DB: process.env.FEEDBACK_DB ?? ':memory:',
  LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
  // The sandbox sends fhirServer but no fhirAuthorization; without this, data missing from its prefetch is unread.
  ...(sandbox ? { ALLOW_UNAUTHENTICATED_FHIR: 'true' } : {}),
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

if (sandbox) {
  const patients = resources.filter((r): r is Patient => r.resourceType === 'Patient').map((p) => p.id ?? '');
  const query = new URLSearchParams({
    fhirServiceUrl: fhir.baseUrl,
    serviceDiscoveryURL: `${publicBase}/cds-services`,
    patientId: patients[0] ?? '',
  }).toString();
  console.log(`CDS Hooks sandbox: DEVELOPMENT ONLY
  This run also trusts the CDS Hooks sandbox's issuer (${SANDBOX_TRUST.iss}), with its public key pinned from
  demo/cds-hooks-sandbox-jwks.json (nothing is fetched). That key's private half is published: anyone can sign as
  the sandbox. Never trust it on an instance that holds real patient data. FHIR reads without a token are allowed too.

  Local sandbox (a build of github.com/cds-hooks/sandbox served at ${localSandbox}; see docs/sandbox.md):
    ${localSandbox}/?${query}
  Public sandbox (your browser must let it reach this machine; see docs/sandbox.md):
    https://sandbox.cds-hooks.org/?${query}
  Patients: ${patients.join(', ')} (change patientId). Feedback is kept in ${config.store.backend === 'sqlite' ? (config.store.path === ':memory:' ? 'memory (set FEEDBACK_DB to keep it)' : config.store.path) : 'PostgreSQL'}.
`);
} else {
  console.log(`To try it in the CDS Hooks sandbox (https://sandbox.cds-hooks.org, or a local copy), run
  npm run demo -- --sandbox
and follow docs/sandbox.md. The sandbox fires patient-view; our oncology-patient-view service runs the same rules
over the patient's latest encounter.
`);
}

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
