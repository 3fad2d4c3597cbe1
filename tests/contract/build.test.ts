import { execFile, spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { projectPath, projectRoot } from '../../src/paths.js';

/*
 * The Dockerfile cannot be built here (no Docker engine), so this runs its steps outside Docker: compile with
 * tsconfig.build.json, lay out dist/ beside the data folders the image copies, start `node dist/server.js`, and
 * stop it with SIGTERM.
 */

const run = promisify(execFile);
const workDir = mkdtempSync(join(tmpdir(), 'oncosign-build-'));
afterAll(() => {
  rmSync(workDir, { recursive: true, force: true });
});

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? sourceFiles(join(dir, entry.name))
      : entry.name.endsWith('.ts')
        ? [join(dir, entry.name)]
        : [],
  );
}

describe('the production build', () => {
  it('imports only runtime dependencies outside src/devtools', () => {
    const pkg = JSON.parse(readFileSync(projectPath('package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    const runtime = new Set(Object.keys(pkg.dependencies));
    const offenders: string[] = [];
    for (const file of sourceFiles(projectPath('src')).filter((f) => !f.includes('/src/devtools/'))) {
      for (const [, specifier] of readFileSync(file, 'utf8').matchAll(/^import (?!type )[^'"]*['"]([^'"]+)['"]/gm)) {
        if (specifier === undefined || specifier.startsWith('.') || specifier.startsWith('node:')) {
          continue;
        }
        const name = specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0];
        if (name !== undefined && !runtime.has(name)) {
          offenders.push(`${file}: ${specifier}`);
        }
      }
    }
    expect(offenders).toEqual([]);
  });

  it('compiles, starts with node dist/server.js, serves /healthz and drains on SIGTERM', async () => {
    await run(
      process.execPath,
      [projectPath('node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--outDir', join(workDir, 'dist')],
      {
        cwd: projectRoot,
      },
    );
    for (const folder of ['cards', 'discovery', 'terminology']) {
      cpSync(projectPath(folder), join(workDir, folder), { recursive: true });
    }
    writeFileSync(join(workDir, 'package.json'), readFileSync(projectPath('package.json')));
    symlinkSync(projectPath('node_modules'), join(workDir, 'node_modules'));

    const child = spawn(process.execPath, ['dist/server.js'], {
      cwd: workDir,
      env: { PATH: process.env.PATH, PORT: '0', FEEDBACK_DB: join(workDir, 'data', 'feedback.db'), LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));

    const deadline = Date.now() + 15_000;
    while (!output.includes('oncosign listening') && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(output).toContain('oncosign listening');
    expect(output).toContain('CDS_TRUSTED_ISSUERS is empty');
    const port = /"port":(\d+),/.exec(output)?.[1];
    const health = await fetch(`http://127.0.0.1:${port ?? ''}/healthz`);
    expect(health.status).toBe(200);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(output).toContain('"msg":"stopped"');
  }, 60_000);

  it('refuses to start on invalid configuration with one clear message', async () => {
    const result = await run(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
      cwd: projectRoot,
      env: { PATH: process.env.PATH, CDS_TRUSTED_ISSUERS: '[{"iss":"x"}]' },
    }).then(
      () => ({ code: 0, stderr: '' }),
      (error: unknown) => error as { code: number; stderr: string },
    );
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toMatch(/^Invalid configuration: CDS_TRUSTED_ISSUERS\.0\.jku: /);
  });
});
