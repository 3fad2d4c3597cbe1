import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { RULE_AUDIENCE } from '../../src/cds/audience.js';
import { projectPath } from '../../src/paths.js';
import { allRules } from '../../src/rules/index.js';

describe('rule audiences', () => {
  it('names the audience of every rule, and of no unknown rule', () => {
    expect(Object.keys(RULE_AUDIENCE).sort()).toEqual(allRules.map((r) => r.id).sort());
  });

  it("agrees with the catalogue's audience tags", () => {
    const catalogue = readFileSync(projectPath('..', 'shared', 'reference', 'oncology-rules.md'), 'utf8');
    const tags = { CLIN: 'clinician', CODER: 'coder' } as const;
    const headings = [...catalogue.matchAll(/^### ((?:PAIN|INF|DX)-\d{3}) .*\(([A-Z +]+)\)\s*$/gm)];
    expect(headings).toHaveLength(allRules.length);
    for (const [, id, text] of catalogue.matchAll(/^### ((?:PAIN|INF|DX)-\d{3}) .*\(([A-Z +]+)\)\s*$/gm)) {
      const expected = (text ?? '').split('+').map((t) => tags[t.trim() as keyof typeof tags]);
      expect(RULE_AUDIENCE[id ?? ''], id).toEqual(expected);
    }
  });
});
