import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { startServerProcess } from '../../test-support/server-process.js';

/*
 * Issue 12: start-up used to report every failure as "the store could not be opened". A bad configuration or data
 * file must stop the real process with exit 1 and a message that names the problem; a store failure keeps naming
 * only its code (store-outage.int.test.ts checks that one, with a role that lacks a privilege).
 */

const projectRoot = fileURLToPath(new URL('../../', import.meta.url));
const temp = mkdtempSync(join(tmpdir(), 'oncosign-startup-'));

afterAll(() => {
  rmSync(temp, { recursive: true, force: true });
});

/**
 * Starts the server expecting it to fail; resolves with its output (the helper's rejection message). The tests
 * get 45 s: the helper gives a process 30 s to start, and a loaded machine needs more than the default 20 s.
 */
async function failedStart(env: Record<string, string>, root?: string): Promise<string> {
  const outcome = await startServerProcess(
    { FEEDBACK_DB: join(temp, `${String(Math.random()).slice(2)}.db`), ...env },
    root === undefined ? {} : { root },
  ).then(
    (server) => {
      server.child.kill('SIGKILL');
      return 'started';
    },
    (error: unknown) => (error instanceof Error ? error.message : String(error)),
  );
  return outcome;
}

describe('start-up with a bad configuration or data file', () => {
  it('names the unknown rule id in SITE_CONFIG, and exits 1', async () => {
    const site = join(temp, 'site.json');
    writeFileSync(site, JSON.stringify({ rules: { 'PAIN-999': { enabled: false } } }));
    const output = await failedStart({ SITE_CONFIG: site });
    expect(output).toMatch(/exited \(1\) before listening/);
    expect(output).toContain('start-up failed: Invalid configuration: SITE_CONFIG: unknown rule ids PAIN-999');
    expect(output).not.toContain('store could not be opened');
  }, 45_000);

  it('names the card template file and the field that is wrong, and exits 1', async () => {
    // The server reads cards/ next to its src/: a copy of the project, with one template broken.
    const root = join(temp, 'project');
    for (const folder of ['src', 'cards', 'discovery', 'terminology']) {
      cpSync(join(projectRoot, folder), join(root, folder), { recursive: true });
    }
    for (const file of ['package.json', 'tsconfig.json']) {
      cpSync(join(projectRoot, file), join(root, file));
    }
    symlinkSync(join(projectRoot, 'node_modules'), join(root, 'node_modules'));
    const template = join(root, 'cards', 'INF-001.json');
    const parsed = JSON.parse(readFileSync(template, 'utf8')) as { variants: { default: Record<string, unknown> } };
    delete parsed.variants.default.detail;
    writeFileSync(template, JSON.stringify(parsed));

    const output = await failedStart({}, root);
    expect(output).toMatch(/exited \(1\) before listening/);
    expect(output).toContain('start-up failed: cards/INF-001.json');
    expect(output).toContain('variants.default.detail');
    expect(output).not.toContain('store could not be opened');
  }, 45_000);
});
