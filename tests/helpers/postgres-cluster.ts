import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { freePort } from './server-process.js';

/*
 * vitest global setup: a throwaway PostgreSQL cluster from Debian's server binaries (`apt-get install postgresql`;
 * .ci/run installs them), on a free loopback port, for the tests that run the store against PostgreSQL. With
 * TEST_DATABASE_URL set (a role that may CREATE DATABASE), that server is used instead and nothing is started.
 * When neither is possible the PostgreSQL tests fail with the reason; the other tests are not held up.
 */

declare module 'vitest' {
  export interface ProvidedContext {
    postgres: { readonly adminUrl: string } | { readonly unavailable: string };
  }
}

const ADMIN_USER = 'oncosign_admin';

function serverBinaries(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) {
    return undefined;
  }
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] === undefined ? undefined : join(root, versions[0], 'bin');
}

/** initdb refuses to run as root; as root, the cluster belongs to Debian's `postgres` user. */
function runAsClusterOwner(bin: string, args: readonly string[], dir: string): void {
  if (process.getuid?.() === 0) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    chownSync(dir, uid, gid);
    execFileSync('runuser', ['-u', 'postgres', '--', bin, ...args], { stdio: 'pipe' });
  } else {
    execFileSync(bin, args, { stdio: 'pipe' });
  }
}

export default async function setup(project: TestProject): Promise<() => void> {
  const external = process.env.TEST_DATABASE_URL;
  if (external) {
    project.provide('postgres', { adminUrl: external });
    return () => undefined;
  }
  const bin = serverBinaries();
  if (bin === undefined) {
    project.provide('postgres', {
      unavailable:
        'PostgreSQL server binaries not found under /usr/lib/postgresql: install them (apt-get install postgresql) or set TEST_DATABASE_URL',
    });
    return () => undefined;
  }
  const dir = mkdtempSync(join(tmpdir(), 'oncosign-pg-'));
  const data = join(dir, 'data');
  const log = join(dir, 'server.log');
  const port = await freePort();
  try {
    runAsClusterOwner(
      join(bin, 'initdb'),
      ['-D', data, '-U', ADMIN_USER, '-A', 'trust', '-E', 'UTF8', '--no-sync'],
      dir,
    );
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
  } catch (error) {
    const serverLog = existsSync(log) ? readFileSync(log, 'utf8').slice(-2000) : '';
    project.provide('postgres', {
      unavailable: `could not start a throwaway PostgreSQL cluster: ${String(error)}\n${serverLog}`,
    });
    rmSync(dir, { recursive: true, force: true });
    return () => undefined;
  }
  project.provide('postgres', { adminUrl: `postgresql://${ADMIN_USER}@127.0.0.1:${String(port)}/postgres` });
  return () => {
    try {
      runAsClusterOwner(join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', 'stop'], dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}
