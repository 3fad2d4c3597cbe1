import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import { projectPath, projectRoot } from '../../src/paths.js';

/*
 * The layer boundaries of eslint.config.js (no-restricted-imports zones) are only worth something while they are
 * there: each case lints a one-line import, as if written in a file of the zone, with the project's own ESLint
 * configuration, and expects it refused; the allowed imports beside them must pass. The probe files do not exist;
 * ESLint lints the given text under that name.
 */

const eslint = new ESLint({
  cwd: projectRoot,
  // Only the boundary rule, which needs no type information: without the TypeScript project service the probe
  // files need not exist, and each case takes milliseconds instead of a type-checked parse.
  ruleFilter: ({ ruleId }) => ruleId === 'no-restricted-imports',
  overrideConfig: { languageOptions: { parserOptions: { projectService: false, project: null } } },
});

async function restrictedImports(file: string, specifier: string): Promise<string[]> {
  const [result] = await eslint.lintText(`import type { Probe } from '${specifier}';\nexport type { Probe };\n`, {
    filePath: projectPath(file),
  });
  const messages = result?.messages ?? [];
  // A parsing error would hide the rule's answer: fail on it rather than read it as "allowed".
  expect(messages.filter((m) => m.ruleId !== 'no-restricted-imports')).toEqual([]);
  return messages.map((m) => m.message);
}

const refused: readonly (readonly [zone: string, file: string, specifier: string])[] = [
  ['src imports nothing from tests', 'src/layer-probe.ts', '../tests/fixtures/probe.js'],
  ['src imports nothing from test-support', 'src/cli/layer-probe.ts', '../../test-support/builders.js'],
  ['src imports nothing from bench', 'src/store/layer-probe.ts', '../../bench/http.js'],
  ['src imports nothing from scripts', 'src/cds/layer-probe.ts', '../../scripts/demo.js'],
  ['fhir imports nothing from cds', 'src/fhir/layer-probe.ts', '../cds/services.js'],
  ['fhir imports nothing from http', 'src/fhir/layer-probe.ts', '../http/schemas.js'],
  ['fhir imports nothing from test-support', 'src/fhir/layer-probe.ts', '../../test-support/builders.js'],
  ['rules import nothing from http', 'src/rules/layer-probe.ts', '../http/schemas.js'],
  ['rules import nothing from store', 'src/rules/infusion/layer-probe.ts', '../../store/store.js'],
  ['rules import nothing from cds', 'src/rules/pain/layer-probe.ts', '../../cds/cards.js'],
  ['rules import nothing from tests', 'src/rules/layer-probe.ts', '../../tests/fixtures/probe.js'],
  ['measures import nothing from store', 'src/measures/layer-probe.ts', '../store/store.js'],
  ['facts import nothing from cds', 'src/facts/layer-probe.ts', '../cds/types.js'],
  ['bench imports nothing from tests', 'bench/layer-probe.ts', '../tests/fixtures/probe.js'],
  ['scripts import nothing from tests', 'scripts/layer-probe.ts', '../tests/fixtures/probe.js'],
];

const allowed: readonly (readonly [what: string, file: string, specifier: string])[] = [
  ['rules read their settings type from config', 'src/rules/layer-probe.ts', '../config/rule-settings.js'],
  ['facts read the snapshot', 'src/facts/layer-probe.ts', '../fhir/snapshot.js'],
  ['http uses cds', 'src/http/layer-probe.ts', '../cds/cards.js'],
  ['bench uses test-support', 'bench/layer-probe.ts', '../test-support/builders.js'],
  ['tests use test-support', 'tests/unit/layer-probe.ts', '../../test-support/builders.js'],
];

describe('layer boundaries (eslint.config.js)', () => {
  it.each(refused)('%s', { timeout: 60_000 }, async (_zone, file, specifier) => {
    const messages = await restrictedImports(file, specifier);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatch(/layer boundaries/);
  });

  it.each(allowed)('allows: %s', { timeout: 60_000 }, async (_what, file, specifier) => {
    expect(await restrictedImports(file, specifier)).toEqual([]);
  });
});
