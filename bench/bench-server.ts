import { spawn, type ChildProcess } from 'node:child_process';
import type { LocalIssuer } from '../src/devtools/local-issuer.js';
import { projectRoot } from '../src/paths.js';
import { freePort } from '../test-support/server-process.js';

export const SERVICE_PATH = '/cds-services/oncology-encounter-sign';

export interface BenchServer {
  readonly child: ChildProcess;
  readonly port: number;
  /** The encounter-sign service's URL on this server (also the JWT audience). */
  readonly url: string;
}

/**
 * Starts bench/server-process.ts (the service or a baseline) in its own process on a free loopback port, trusting the
 * issuer, and resolves once it prints "ready". `cwd` runs another checkout's copy (the A/B tool); `nodeArgs` go
 * before the script (the profiler's flags).
 */
export async function startBenchServer(options: {
  readonly mode: string;
  readonly issuer: LocalIssuer;
  readonly cwd?: string;
  readonly nodeArgs?: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  /** Names the server in the error when it exits before it is ready. */
  readonly name?: string;
}): Promise<BenchServer> {
  const { issuer } = options;
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [...(options.nodeArgs ?? []), '--import', 'tsx', 'bench/server-process.ts', options.mode, String(port)],
    {
      cwd: options.cwd ?? projectRoot,
      env: {
        ...process.env,
        ...options.env,
        CDS_TRUSTED_ISSUERS: JSON.stringify([{ iss: issuer.iss, jku: issuer.jku }]),
        BENCH_JWKS_URL: issuer.jku,
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('ready')) {
        resolve();
      }
    });
    child.on('exit', (code) => {
      reject(new Error(`${options.name ?? options.mode} exited ${String(code)}`));
    });
  });
  return { child, port, url: `http://127.0.0.1:${String(port)}${SERVICE_PATH}` };
}
