import { configDefaults, defineConfig } from 'vitest/config';

// Two tiers (README "Tests"), declared in the file name. `*.int.test.ts` files are integration tests:
// they need the run's real Temporal dev server (vitest's inject(), test/support/stack.ts) or, in
// test/chaos/, start their own. Every other `*.test.ts` is a unit test: no Temporal server, no CLI
// build, no workflow bundle. test/architecture/test-tiers.test.ts checks the declarations.
export const INTEGRATION = 'test/**/*.int.test.ts';
export const UNIT = 'test/**/*.test.ts';

export default defineConfig({
  test: {
    pool: 'forks', // the Temporal native bridge is not safe under worker threads
    testTimeout: 60_000,
    hookTimeout: 120_000,
    fileParallelism: true,
    maxWorkers: 2,
    projects: [
      { extends: true, test: { name: 'unit', include: [UNIT], exclude: [...configDefaults.exclude, INTEGRATION] } },
      {
        extends: true,
        // One real Temporal dev server and one workflow bundle per run.
        test: { name: 'integration', include: [INTEGRATION], globalSetup: ['test/support/global-setup.ts'] },
      },
    ],
  },
});
