import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';

// Two tiers (README "Tests"). A test file is an integration test when it needs the run's real
// Temporal dev server, that is when it calls vitest's inject() (directly or through test/support/stack.ts;
// Fastify's `app.inject(` does not count),
// or when it lives in test/chaos/ (which starts its own). Everything else is a unit test:
// no Temporal server, no CLI build, no workflow bundle.
const root = import.meta.dirname;
const testFiles = readdirSync(join(root, 'test'), { recursive: true, encoding: 'utf8' })
  .filter((name) => name.endsWith('.test.ts'))
  .map((name) => `test/${name.split('\\').join('/')}`);
const needsTemporal = (file: string) =>
  file.startsWith('test/chaos/') || /(?<!\.)\binject\(|support\/stack['"]/.test(readFileSync(join(root, file), 'utf8'));
const integration = testFiles.filter(needsTemporal);
const unit = testFiles.filter((file) => !needsTemporal(file));

export default defineConfig({
  test: {
    pool: 'forks', // the Temporal native bridge is not safe under worker threads
    testTimeout: 60_000,
    hookTimeout: 120_000,
    fileParallelism: true,
    maxWorkers: 2,
    projects: [
      { extends: true, test: { name: 'unit', include: unit } },
      {
        extends: true,
        // One real Temporal dev server and one workflow bundle per run.
        test: { name: 'integration', include: integration, globalSetup: ['test/support/global-setup.ts'] },
      },
    ],
  },
});
