import { defineConfig } from 'vitest/config';

/*
 * The vitest run Stryker uses (stryker.config.json, `npm run mutation`): only the unit tests (no servers, no
 * database, no browser), in one shared module graph (`isolate: false`), which makes each mutant several times
 * cheaper to test (/work/shared/reference/mutation-testing-notes.md). Not used by `npm test`.
 */
export default defineConfig({
  test: {
    include: ['tests/unit/**/*.test.ts'],
    environment: 'node',
    isolate: false,
    testTimeout: 20_000,
    reporters: ['dot'],
  },
});
