// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/*
 * Layer boundaries (issue 16). Each zone lists the folders its files must not import from. Import specifiers are
 * relative ('../../http/app.js'), so a folder is matched as any number of '../' followed by its name; from inside
 * src/ that can only be a sibling folder of src/ or of the repository root.
 * ESLint keeps one set of options per rule and file (the last matching config wins), so an inner zone repeats the
 * folders of the zone around it: see `zone` below. tests/contract/layer-boundaries.test.ts checks each zone.
 */
const OUTSIDE_SRC = ['tests', 'bench', 'scripts', 'test-support'];

/** A no-restricted-imports setting forbidding relative imports of the named folders. */
function zone(folders, why) {
  return {
    'no-restricted-imports': [
      'error',
      {
        patterns: folders.map((folder) => ({
          regex: `^(\\.\\./)+${folder}(/|$)`,
          message: `${why} (eslint.config.js, layer boundaries).`,
        })),
      },
    ],
  };
}

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      curly: ['error', 'all'],
      eqeqeq: ['error', 'always'],
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      'no-console': 'off',
    },
  },
  {
    files: ['src/rules/**/*.ts', 'src/cds/**/*.ts', 'src/fhir/**/*.ts', 'src/terminology/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'error' },
  },
  {
    files: ['src/**/*.ts'],
    rules: zone(OUTSIDE_SRC, 'The service does not depend on tests, benchmarks, scripts or their support code'),
  },
  {
    files: ['src/fhir/**/*.ts'],
    rules: zone(
      [...OUTSIDE_SRC, 'cds', 'http'],
      'FHIR reading knows nothing of CDS Hooks services or HTTP; the caller hands it what it needs',
    ),
  },
  {
    files: ['src/rules/**/*.ts', 'src/measures/**/*.ts', 'src/facts/**/*.ts'],
    rules: zone(
      [...OUTSIDE_SRC, 'http', 'store', 'cds'],
      'Rules, facts and measures work on a snapshot and their context alone: no HTTP, store or card rendering',
    ),
  },
  {
    files: ['bench/**/*.ts', 'scripts/**/*.ts'],
    rules: zone(['tests'], 'What benchmarks and scripts share with the tests lives in test-support/'),
  },
  {
    files: ['tests/**/*.ts', 'test-support/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unnecessary-type-parameters': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  { files: ['eslint.config.js', 'bin/**/*.js', 'scripts/**/*.mjs'], ...tseslint.configs.disableTypeChecked },
  { files: ['scripts/**/*.mjs'], languageOptions: { globals: { process: 'readonly', console: 'readonly' } } },
);
