import { defineConfig } from 'vitest/config';

/*
 * `npm run test:unit`: the unit, contract and property tests, for quick feedback while developing. None of them
 * needs PostgreSQL, so this config leaves out the cluster vitest.config.ts starts for the whole suite (its global
 * setup). Two files are left out because they start a server and take most of a minute each: the build test
 * (compiles, then runs `node dist/server.js`) and the HTTP fuzz test (a listening service). `npm test` runs
 * everything, those two included.
 * One shared module graph (`isolate: false`, as in vitest.mutation.config.ts): each file no longer loads the rules,
 * terminology and card catalogue again, which is most of the time of an isolated run (170 s against 31 s here).
 */
export default defineConfig({
  test: {
    include: ['tests/unit/**/*.test.ts', 'tests/contract/**/*.test.ts', 'tests/property/**/*.test.ts'],
    exclude: ['tests/contract/build.test.ts', 'tests/property/fuzz.prop.test.ts'],
    environment: 'node',
    isolate: false,
    testTimeout: 20_000,
    maxWorkers: 2,
  },
});
