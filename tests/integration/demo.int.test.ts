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
    const cardsOf = (patient: string): string[] => {
      const block = stdout.split(/\n(?=Patient\/)/).find((b) => b.startsWith(`Patient/${patient} `)) ?? '';
      return [...block.matchAll(/^ {2}\[[A-Z]+\] ([A-Z]+-\d{3}):/gm)].map((m) => m[1] ?? '');
    };
    expect(cardsOf('demo-ava')).toEqual(['INF-001', 'PAIN-001']);
    expect(stdout).toMatch(/\[WARNING\] INF-001: Missing infusion stop time for carboplatin\./);
    expect(cardsOf('demo-ben')).toEqual([]);
    expect(stdout).toMatch(/Patient\/demo-ben +Encounter\/demo-ben-visit +→ HTTP 200, 0 card\(s\)/);
    expect(cardsOf('demo-cleo')).toEqual(['PAIN-004', 'PAIN-005']);
    expect(stdout).toContain('suggestion: Add CPT II 0521F (plan of care for pain documented) (create)');
    expect(cardsOf('demo-dev')).toEqual(['PAIN-002']);
    expect(stdout).toContain('sandbox.cds-hooks.org');
  }, 90_000);
});
