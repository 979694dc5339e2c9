import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { TestProject } from 'vitest/node';
import { ensureTemporalCli } from '../../scripts/temporal-cli';
import { bundleWorkflows, writeWorkflowBundle } from '../../worker/workflow-bundle';
import { SEARCH_ATTRIBUTES } from '../../core/search-attributes';
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
  // The same bundle the image builds (scripts/bundle-workflows.ts), written where tests load it.
  const dir = mkdtempSync(join(tmpdir(), 'redis-dts-sync-test-'));
  const bundlePath = writeWorkflowBundle(await bundleWorkflows(), join(dir, 'workflow-bundle.js'));
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
