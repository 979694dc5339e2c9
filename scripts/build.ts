import { copyFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { buildSync } from 'esbuild';
import { bundleWorkflows, writeWorkflowBundle } from '../worker/workflow-bundle';

const ROOT = join(__dirname, '..');

/** What the worker process loads: its own code and the code it imports (core/ and workflows/ for ids and types). */
const WORKER_SOURCES = ['worker', 'activities', 'common', 'core', 'workflows'];

/**
 * The worker as plain JavaScript (dist/worker/main.js) next to its workflow bundle (dist/workflow-bundle.js).
 * Run from JavaScript with a bundle built ahead, a worker starts with about 130 MB less RSS than one that
 * runs through tsx and bundles at start (docs/performance.md): no bundler leftovers, no TypeScript hooks.
 * Each file is transpiled on its own (no type check: `npm run typecheck` does that), dependencies stay in
 * node_modules.
 */
export async function buildWorker(outDir = join(ROOT, 'dist')): Promise<{ entry: string; workflowBundle: string }> {
  const sources = WORKER_SOURCES.flatMap((dir) =>
    readdirSync(join(ROOT, dir), { recursive: true, encoding: 'utf8' })
      .filter((file) => file.endsWith('.ts'))
      .map((file) => join(ROOT, dir, file)),
  );
  buildSync({
    entryPoints: sources,
    outdir: outDir,
    outbase: ROOT,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    logLevel: 'warning',
  });
  // Loaded by path at run time (common/codec.ts).
  copyFileSync(join(ROOT, 'common', 'failure-converter.cjs'), join(outDir, 'common', 'failure-converter.cjs'));
  const workflowBundle = writeWorkflowBundle(await bundleWorkflows(), join(outDir, 'workflow-bundle.js'));
  return { entry: join(outDir, 'worker', 'main.js'), workflowBundle };
}

// `npm run build [dir]`: the image's worker (Dockerfile); `node dist/worker/main.js` runs it.
if (require.main === module) {
  buildWorker(process.argv[2]).then(
    ({ entry, workflowBundle }) =>
      console.log(
        `worker: ${relative(process.cwd(), entry)}, workflow bundle: ${relative(process.cwd(), workflowBundle)}`,
      ),
    (err: unknown) => {
      console.error(err instanceof Error ? err.message : err);
      process.exit(1);
    },
  );
}
