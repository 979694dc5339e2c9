// `npm run bench:idle [-- --seconds S]`: the worker process's memory before any setup, for each way of
// starting it (bench/worker-process.ts). It is most of the worker's RSS at N=1000 (docs/performance.md).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { randomUUID } from 'node:crypto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { ensureTemporalCli } from '../scripts/temporal-cli';
import { SEARCH_ATTRIBUTES } from '../core/search-attributes';
import { startBenchEmulator } from './emulator-host';
import { sleep } from './fleet-ops';
import { startWorkerProcess, WORKER_RUNTIMES } from './worker-process';

Runtime.install({ logger: new DefaultLogger('WARN') });

async function main(): Promise<void> {
  const at = process.argv.indexOf('--seconds');
  const seconds = at > 0 ? Number(process.argv[at + 1]) : 30;
  const outDir = resolve('bench/out');
  mkdirSync(outDir, { recursive: true });
  const cli = ensureTemporalCli(console.log);
  const env = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: cli ? { type: 'existing-path', path: cli } : { type: 'cached-download' },
      searchAttributes: SEARCH_ATTRIBUTES,
    },
  });
  const emulator = await startBenchEmulator('child', 1);
  const mb = (bytes: number | undefined) => (bytes === undefined ? NaN : Math.round(bytes / 1048576));
  const results: Record<string, unknown>[] = [];
  try {
    for (const runtime of WORKER_RUNTIMES) {
      const worker = await startWorkerProcess({
        temporalAddress: env.address,
        taskQueue: `idle-${randomUUID().slice(0, 8)}`,
        dtsEndpoint: emulator.url,
        dtsMaxCallsPerSecond: 20,
        logFile: join(outDir, `worker-idle-${runtime}.log`),
        runtime,
      });
      await sleep(seconds * 1000);
      await worker.stop();
      const last = worker.samples.at(-1);
      const row = {
        runtime,
        rssPeakMb: mb(Math.max(...worker.samples.map((s) => s.rss))),
        rssEndMb: mb(last?.rss),
        heapUsedEndMb: mb(last?.heapUsed),
        cpuSeconds: Math.round((last?.cpuMs ?? 0) / 100) / 10,
      };
      console.log(JSON.stringify(row));
      results.push(row);
    }
  } finally {
    await emulator.close();
    await env.teardown();
  }
  writeFileSync(join(outDir, 'idle-summary.json'), `${JSON.stringify({ seconds, results }, null, 2)}\n`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
