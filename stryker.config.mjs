// Mutation testing (docs/reliability.md "Mutation testing"): `npm run mutate`. Small deliberate bugs in the
// DTS activities and the workflow steps, each run against the fast tests that cover it; a mutant no test
// notices is a missing test. The steps' tests run them outside Temporal's sandbox (test/support/fake-workflow.ts):
// Stryker's active mutant is a global of the test process, which the sandbox does not share.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'test/mutation/vitest.config.mts' },
  // No type check per mutant: on a shared 2-core machine it cost more than the tests themselves. A mutant that
  // would not compile still runs (esbuild strips types) and is judged by the tests like any other.
  // `--checkers typescript` turns it on (tsconfigFile below keeps it to what the mutated files import).
  checkers: [],
  tsconfigFile: 'test/mutation/tsconfig.json',
  typescriptChecker: { prioritizePerformanceOverAccuracy: true },
  mutate: [
    'activities/dts/**/*.ts',
    // Every workflow step with its fast tests (test/steps/); patches.ts holds only constants.
    'workflows/setup/{purchase,teardown,failures,attention,wait,monitor,configure,adopt,procedure,delay,window,expiry,subscription,change,verify,notify,canary,setup,state}.ts',
  ],
  // Workflow log lines are left out of the score, reported as Ignored (test/mutation/log-ignorer.mjs).
  plugins: ['@stryker-mutator/*', './test/mutation/log-ignorer.mjs'],
  ignorers: ['workflow-log'],
  coverageAnalysis: 'perTest',
  concurrency: 1,
  timeoutMS: 20_000,
  reporters: ['clear-text', 'progress-append-only', 'json'],
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
};
