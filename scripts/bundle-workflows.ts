import { relative } from 'node:path';
import { bundleWorkflows, writeWorkflowBundle } from '../worker/workflow-bundle';

// `npm run bundle-workflows [path]`: the workflow bundle the image's worker loads (Dockerfile).
async function main(): Promise<void> {
  const path = writeWorkflowBundle(await bundleWorkflows(), process.argv[2]);
  console.log(`workflow bundle: ${relative(process.cwd(), path)}`);
  // Outside the image a stale bundle would hide later changes to workflows/.
  if (!process.argv[2])
    console.log('a worker started from this checkout now loads it: delete dist/ after changing workflows/');
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
