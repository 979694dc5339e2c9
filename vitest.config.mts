import { defineConfig } from 'vitest/config';

// One real Temporal dev server per run (globalSetup); forks because the Temporal native
// bridge is not safe under worker threads.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    fileParallelism: true,
    maxWorkers: 2,
  },
});
