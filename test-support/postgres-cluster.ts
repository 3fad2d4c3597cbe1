import { execFile as execFileCallback, execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { TestProject } from 'vitest/node';
import { freePort } from './server-process.js';

/*
 * vitest global setup: a throwaway PostgreSQL cluster from Debian's server binaries (`apt-get install postgresql`;
 * .ci/run installs them), on a free loopback port, for the tests that run the store against PostgreSQL. With
 * TEST_DATABASE_URL set (a role that may CREATE DATABASE), that server is used instead and nothing is started.
 * When neither is possible the PostgreSQL tests fail with the reason; the other tests are not held up.
 *
 * startPostgresCluster() is the same thing as a function, for a test or script that must stop and restart its own
 * server (stopping the shared one would break the test files running beside it).
 */

declare module 'vitest' {
  export interface ProvidedContext {
    postgres: { readonly adminUrl: string } | { readonly unavailable: string };
  }
}

const ADMIN_USER = 'oncosign_admin';
const execFile = promisify(execFileCallback);

export function serverBinaries(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) {
    return undefined;
  }
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] === undefined ? undefined : join(root, versions[0], 'bin');
}

/**
 * initdb refuses to run as root; as root, the cluster belongs to Debian's `postgres` user. Asynchronous, so that a
 * caller's event loop (say, the traffic a test sends while the server stops) keeps running while pg_ctl waits.
 */
async function runAsClusterOwner(bin: string, args: readonly string[], dir: string): Promise<void> {
  if (process.getuid?.() === 0) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    chownSync(dir, uid, gid);
    await execFile('runuser', ['-u', 'postgres', '--', bin, ...args]);
  } else {
    await execFile(bin, args);
  }
}

export interface PostgresCluster {
  /** postgresql:// URL of the `postgres` database as the cluster's superuser (trust authentication, loopback). */
  readonly adminUrl: string;
  readonly port: number;
  /** `pg_ctl stop` in the given mode; resolves once the server has stopped. */
  stop(mode: 'smart' | 'fast' | 'immediate'): Promise<void>;
  /** `pg_ctl start` on the same data directory and port; resolves once it accepts connections. */
  start(): Promise<void>;
  /** The last part of the server log, for failure messages. */
  logTail(): string;
  /** Stops the server (immediate) if it runs, and deletes its directory. */
  destroy(): Promise<void>;
}

/** initdb and start a cluster of its own in a temporary directory, on a free port (or `port`). */
export async function startPostgresCluster(options: { port?: number } = {}): Promise<PostgresCluster> {
  const bin = serverBinaries();
  if (bin === undefined) {
    throw new Error(
      'PostgreSQL server binaries not found under /usr/lib/postgresql: install them (apt-get install postgresql) or set TEST_DATABASE_URL',
    );
  }
  const dir = mkdtempSync(join(tmpdir(), 'oncosign-pg-'));
  const data = join(dir, 'data');
  const log = join(dir, 'server.log');
  const port = options.port ?? (await freePort());
  const logTail = (): string => (existsSync(log) ? readFileSync(log, 'utf8').slice(-2000) : '');
  const start = (): Promise<void> =>
    runAsClusterOwner(
      join(bin, 'pg_ctl'),
      [
        '-D',
        data,
        '-l',
        log,
        '-w',
        '-t',
        '30',
        '-o',
        `-p ${String(port)} -k ${dir} -c listen_addresses=127.0.0.1`,
        'start',
      ],
      dir,
    );
  let running = false;
  try {
    await runAsClusterOwner(
      join(bin, 'initdb'),
      ['-D', data, '-U', ADMIN_USER, '-A', 'trust', '-E', 'UTF8', '--no-sync'],
      dir,
    );
    await start();
    running = true;
  } catch (error) {
    const tail = logTail();
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`could not start a throwaway PostgreSQL cluster: ${String(error)}\n${tail}`, { cause: error });
  }
  return {
    adminUrl: `postgresql://${ADMIN_USER}@127.0.0.1:${String(port)}/postgres`,
    port,
    async stop(mode) {
      await runAsClusterOwner(join(bin, 'pg_ctl'), ['-D', data, '-m', mode, '-w', '-t', '30', 'stop'], dir);
      running = false;
    },
    async start() {
      await start();
      running = true;
    },
    logTail,
    async destroy() {
      try {
        if (running) {
          await runAsClusterOwner(join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', 'stop'], dir);
        }
      } finally {
        running = false;
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const external = process.env.TEST_DATABASE_URL;
  if (external) {
    project.provide('postgres', { adminUrl: external });
    return () => Promise.resolve();
  }
  let cluster: PostgresCluster;
  try {
    cluster = await startPostgresCluster();
  } catch (error) {
    project.provide('postgres', { unavailable: error instanceof Error ? error.message : String(error) });
    return () => Promise.resolve();
  }
  project.provide('postgres', { adminUrl: cluster.adminUrl });
  return () => cluster.destroy();
}
