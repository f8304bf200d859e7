import { defineConfig } from 'vitest/config';

/**
 * `npm run test:reliability` (scripts/reliability.ts): the fault scenarios, one file after another (they
 * kill processes and databases, and measure; two cores do not run two of them at once). Each file has
 * its own database on the test run's PostgreSQL, or its own embedded PostgreSQL when it kills one.
 */
export default defineConfig({
  test: {
    root: '.',
    include: ['reliability/**/*.test.ts'],
    globalSetup: ['server/test/global-setup.ts'],
    pool: 'forks',
    fileParallelism: false,
    testTimeout: 420_000,
    hookTimeout: 120_000,
    teardownTimeout: 60_000,
  },
});
