// No Docker engine here, so the image is never built in CI: these checks read the Dockerfile instead.
// Multi-stage, production dependencies only, the prebuilt worker and workflow bundle from the build stage,
// a non-root user, and every file the processes load copied into the runtime stage.
import { relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importClosure, read, root } from '../support/env-scan';

const dockerfile = read('Dockerfile');
const stages = dockerfile.split(/^FROM /m).slice(1);
const runtime = stages.at(-1) ?? '';
/** Source folders the runtime stage copies from the build context. */
const copied = [...runtime.matchAll(/^COPY (?!--from)(\S+) /gm)].map((m) => m[1]!);

describe('Dockerfile', () => {
  it('builds in one stage and runs from another with production dependencies only', () => {
    expect(stages.length).toBe(2);
    expect(stages[0]).toMatch(/RUN node_modules\/\.bin\/tsx scripts\/build\.ts/);
    expect(runtime).toMatch(/RUN npm ci --omit=dev/);
    expect(runtime).toMatch(/^COPY --from=build \/app\/dist \.\/dist$/m);
    expect(runtime).not.toMatch(/scripts/);
  });

  it('runs as the unprivileged node user (uid 1000, as the Helm chart expects)', () => {
    expect(runtime).toMatch(/^USER node$/m);
    expect(runtime.indexOf('USER node')).toBeGreaterThan(runtime.lastIndexOf('RUN '));
    expect(read('deploy/helm/redis-dts-sync/templates/_helpers.tpl')).toContain('runAsUser: 1000');
  });

  it.each(['api/main.ts', 'emulator/main.ts'])('copies every file %s loads through tsx', (entry) => {
    const missing = importClosure(entry)
      .map((file) => relative(root, file))
      .filter((file) => !copied.some((dir) => file === dir || file.startsWith(`${dir}/`)));
    expect(missing).toEqual([]);
  });

  it("copies what the worker's build transpiles", () => {
    const sources = /const WORKER_SOURCES = \[([^\]]*)\]/.exec(read('scripts/build.ts'))?.[1] ?? '';
    const dirs = [...sources.matchAll(/'([^']+)'/g)].map((m) => m[1]!);
    expect(dirs.length).toBeGreaterThan(0);
    for (const dir of dirs) expect(stages[0], dir).toContain(`COPY ${dir} ./${dir}`);
  });
});
