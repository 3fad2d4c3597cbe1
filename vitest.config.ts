import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    environment: 'node',
    globalSetup: ['test-support/postgres-cluster.ts'],
    testTimeout: 20_000,
    hookTimeout: 60_000,
    // Integration tests start loopback servers; two workers match the two cores here.
    maxWorkers: 2,
    reporters: ['default', 'json'],
    outputFile: { json: 'test-results/vitest.json' },
    // Only with --coverage (`npm run test:coverage`): which source lines the whole suite runs, by V8's own counters.
    coverage: {
      provider: 'v8',
      include: ['src/**/*.ts'],
      reportsDirectory: 'coverage',
      reporter: ['text-summary', 'html', 'json-summary'],
    },
  },
});
