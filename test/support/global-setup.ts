import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode } from '@temporalio/worker';
import type { TestProject } from 'vitest/node';
import { ensureTemporalCli } from '../../scripts/temporal-cli';
import { FAILURE_CONVERTER_PATH } from '../../shared/codec';
import { SEARCH_ATTRIBUTES } from '../../workflows/search-attributes';
import { assertNoSecretsOnServer } from './history-scan';


/** One real Temporal dev server and one workflow bundle for the whole run. */
export default async function setup(project: TestProject) {
  const cli = ensureTemporalCli();
  const env = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: cli ? { type: 'existing-path', path: cli } : { type: 'cached-download' },
      searchAttributes: SEARCH_ATTRIBUTES,
      // The UI too, for the browser test; it costs little.
      ui: true,
    },
  });
  const { code } = await bundleWorkflowCode({ workflowsPath: join(__dirname, '../../workflows/index.ts'), failureConverterPath: FAILURE_CONVERTER_PATH, logger: quietLogger });
  const dir = mkdtempSync(join(tmpdir(), 'redis-dts-sync-test-'));
  const bundlePath = join(dir, 'workflow-bundle.js');
  writeFileSync(bundlePath, code);
  project.provide('temporalAddress', env.address);
  project.provide('temporalUiUrl', `http://127.0.0.1:${Number(env.address.split(':').pop()) + 1000}`);
  project.provide('workflowBundlePath', bundlePath);
  return async () => {
    // Fails the run if any test secret reached the server in clear (raw bytes, no codec).
    try {
      await assertNoSecretsOnServer(env.address);
    } finally {
      await env.teardown();
    }
  };
}

const quietLogger = {
  trace: () => {},
  debug: () => {},
  info: () => {},
  warn: (message: string) => console.warn(message),
  error: (message: string) => console.error(message),
  log: () => {},
};
