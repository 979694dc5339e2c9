import { defineConfig } from 'vitest/config';

// The fast tests StrykerJS runs against each mutant (stryker.config.mjs): the DTS activities' unit tests, and
// the workflow steps' tests, which run the steps outside Temporal's sandbox on a fake runtime
// (test/support/fake-workflow.ts) so that Stryker's active mutant reaches them. No Temporal server.
export default defineConfig({
  root: `${import.meta.dirname}/../..`,
  test: {
    include: ['test/dts/*.test.ts', 'test/steps/*.test.ts'],
    pool: 'forks',
    testTimeout: 20_000,
  },
});
