import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { bundleWorkflowCode, type WorkflowBundleOption } from '@temporalio/worker';
import { FAILURE_CONVERTER_PATH } from '../common/codec';

/** Run from the JavaScript that scripts/build.ts writes (dist/worker/), not from the TypeScript source. */
const COMPILED = __filename.endsWith('.js');

/**
 * Where the image keeps the bundle it builds (scripts/build.ts: dist/workflow-bundle.js), seen from worker/ or
 * from dist/worker/; git and the build context ignore dist/.
 */
export const PREBUILT_BUNDLE_PATH = COMPILED
  ? join(__dirname, '..', 'workflow-bundle.js')
  : join(__dirname, '..', 'dist', 'workflow-bundle.js');

/**
 * workflows/ as one bundle, with the options every worker uses: the image (scripts/bundle-workflows.ts),
 * the tests (test/support/global-setup.ts) and a worker that bundles at start.
 */
export async function bundleWorkflows(): Promise<string> {
  const { code } = await bundleWorkflowCode({
    workflowsPath: join(__dirname, '..', 'workflows', COMPILED ? 'index.js' : 'index.ts'),
    failureConverterPath: FAILURE_CONVERTER_PATH,
    logger: quietLogger,
  });
  return code;
}

export function writeWorkflowBundle(code: string, path = PREBUILT_BUNDLE_PATH): string {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, code);
  return path;
}

/**
 * The image's bundle, built ahead, when there is one. A worker started from the source without it bundles at
 * start, which costs it about 100 MB of RSS for good (the bundler's leftovers; docs/performance.md).
 */
export function prebuiltWorkflowBundle(): WorkflowBundleOption | undefined {
  return existsSync(PREBUILT_BUNDLE_PATH) ? { codePath: PREBUILT_BUNDLE_PATH } : undefined;
}

// The bundler reports every module it packs at info level; only problems are worth showing.
const quietLogger = {
  trace: () => {},
  debug: () => {},
  info: () => {},
  log: () => {},
  warn: (message: string) => console.warn(message),
  error: (message: string) => console.error(message),
};
