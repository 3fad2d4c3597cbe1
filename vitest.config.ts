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
  },
});
