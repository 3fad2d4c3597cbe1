import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../../src/paths.js';

const run = promisify(execFile);

describe('npm run demo', () => {
  it('starts its own FHIR server, issuer and service, and prints the cards of each sample patient', async () => {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'scripts/demo.ts', '--once'], {
      cwd: projectRoot,
      env: { ...process.env, LOG_LEVEL: 'silent' },
      timeout: 60_000,
    });
    expect(stdout).toMatch(/Patient\/demo-ava +Encounter\/demo-ava-visit +→ HTTP 200, 1 card\(s\)/);
    expect(stdout).toMatch(/\[WARNING\] INF-001: Missing infusion stop time for carboplatin\./);
    expect(stdout).toMatch(/Patient\/demo-ben +Encounter\/demo-ben-visit +→ HTTP 200, 0 card\(s\)/);
    expect(stdout).toMatch(/Patient\/demo-cleo +Encounter\/demo-cleo-visit +→ HTTP 200, 0 card\(s\)/);
    expect(stdout).toContain('sandbox.cds-hooks.org');
  }, 90_000);
});
