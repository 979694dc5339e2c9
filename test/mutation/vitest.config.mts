import { defineConfig } from 'vitest/config';

// The fast tests StrykerJS runs against each mutant of activities/dts/ (stryker.config.mjs):
// unit tests only, no Temporal server.
export default defineConfig({
  root: `${import.meta.dirname}/../..`,
  test: {
    include: ['test/dts/*.test.ts'],
    pool: 'forks',
    testTimeout: 20_000,
  },
});
