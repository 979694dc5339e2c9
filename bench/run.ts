// `npm run bench`: N concurrent two-way setups against the DTS emulator, through the production
// API and worker, on a Temporal dev server of its own. Prints the figures of docs/performance.md.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { join, resolve } from 'node:path';
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { ensureTemporalCli } from '../scripts/temporal-cli';
import { encryptingDataConverter } from '../shared/codec';
import { SEARCH_ATTRIBUTES } from '../workflows/search-attributes';
import type { SyncStatus } from '../workflows/types';
import { parseArgs } from './args';
import { CallCollector, countBy } from './calls';
import { startBenchEmulator } from './emulator-host';
import { createBody, makePairs } from './fleet';
import { inBatches, phaseCounts, releaseSetup, runningCount, sleep, startSetup } from './fleet-ops';
import { BENCH_PAYLOAD_KEYS } from './keys';
import { analyse, markdownTable, type EmulatorJob } from './report';
import { findChildPid, procCpuSeconds, procRssBytes } from './stats';
import { startWorkerProcess } from './worker-process';

Runtime.install({ logger: new DefaultLogger('WARN') });

const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const outDir = resolve(args.outDir);
  mkdirSync(outDir, { recursive: true });
  const log = (line: string) => console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}`);
  const loadBefore = load();
  log(
    `${args.setups} two-way setups, DTS budget ${args.rate}/s, time scale ${args.timeScale}, task queue partitions ${args.partitions ?? 'server default'}, load ${loadBefore}`,
  );

  const cli = ensureTemporalCli(log);
  const env = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: cli ? { type: 'existing-path', path: cli } : { type: 'cached-download' },
      searchAttributes: SEARCH_ATTRIBUTES,
      extraArgs: args.partitions
        ? ['numTaskqueueReadPartitions', 'numTaskqueueWritePartitions'].flatMap((k) => [
            '--dynamic-config-value',
            `matching.${k}=${args.partitions}`,
          ])
        : [],
    },
  });
  const serverPid = findChildPid('temporal');
  const serverCpuAtStart = serverPid ? procCpuSeconds(serverPid) : undefined;
  let serverRssPeak = 0;

  const pairs = makePairs(args.setups, args.minDataMb, args.maxDataMb);
  const emulator = await startBenchEmulator(args.emulator, args.timeScale);
  const benchLag = monitorEventLoopDelay({ resolution: 20 });
  benchLag.enable();
  for (let i = 0; i < pairs.length; i += 250) {
    const batch = pairs.slice(i, i + 250).flatMap((p) => [p.source, p.target]);
    const res = await fetch(`${emulator.url}/__emulator/instances`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(batch),
    });
    if (!res.ok) throw new Error(`registering instances: ${res.status} ${await res.text()}`);
  }

  const taskQueue = `bench-${randomUUID().slice(0, 8)}`;
  log(
    `Temporal ${env.address} (pid ${serverPid ?? '?'}), emulator ${emulator.url}, task queue ${taskQueue}; starting the worker process`,
  );
  const worker = await startWorkerProcess({
    temporalAddress: env.address,
    taskQueue,
    dtsEndpoint: emulator.url,
    dtsMaxCallsPerSecond: args.rate,
    logFile: join(outDir, `worker-${args.setups}.log`),
  });
  const connection = await Connection.connect({ address: env.address });
  const client = new Client({
    connection,
    namespace: 'default',
    dataConverter: encryptingDataConverter(BENCH_PAYLOAD_KEYS),
  });
  const calls = new CallCollector(emulator.url);
  calls.start();
  const sampler = setInterval(() => {
    const rss = serverPid ? procRssBytes(serverPid) : undefined;
    if (rss) serverRssPeak = Math.max(serverRssPeak, rss);
  }, 1000);

  // 1. Start every setup with the API's start options, 20 at a time.
  const startedAtMs = Date.now();
  const startMs = new Map<string, number>();
  const ids = await inBatches(pairs, 20, async (pair) => {
    const t = Date.now();
    const id = await startSetup(client, taskQueue, createBody(pair));
    startMs.set(id, t);
    return id;
  });
  const allStartedAtMs = Date.now();
  log(`started ${ids.length} setups in ${((allStartedAtMs - startedAtMs) / 1000).toFixed(1)} s`);

  // 2. Wait until visibility says every setup is synchronizing (no workflow is queried for this).
  const deadline = startedAtMs + args.timeoutMin * 60_000;
  for (;;) {
    await sleep(5_000);
    const counts = await phaseCounts(client, taskQueue);
    const latest = worker.samples.at(-1);
    log(
      `${Math.round((Date.now() - startedAtMs) / 1000)} s ${JSON.stringify(counts)} worker rss ${latest ? Math.round(latest.rss / 1048576) : '?'} MB`,
    );
    if ((counts.synchronizing ?? 0) >= args.setups) break;
    if ((counts.failed ?? 0) + (counts['needs-attention'] ?? 0) > 0)
      log('some setups failed or need attention: see the worker log');
    if (Date.now() > deadline) {
      log(`timed out after ${args.timeoutMin} min; releasing what there is`);
      break;
    }
  }
  const allSynchronizingAtMs = Date.now();

  // 3. Tear every setup down (the release signal) and wait for the workflows to end.
  await inBatches(ids, 20, (id) => releaseSetup(client, id).catch((err: Error) => log(err.message)));
  while ((await runningCount(client, taskQueue)) > 0 && Date.now() < deadline + 10 * 60_000) await sleep(2_000);
  const releasedAtMs = Date.now();
  log(`released after ${((releasedAtMs - startedAtMs) / 1000).toFixed(0)} s; collecting figures`);
  clearInterval(sampler);
  const serverCpuAtEnd = serverPid ? procCpuSeconds(serverPid) : undefined;

  // 4. Collect: final statuses (the workflow's result), emulator job histories, call log, histories.
  const statuses = (
    await inBatches(ids, 50, (id) =>
      client.workflow
        .getHandle(id)
        .result()
        .then((s) => s as SyncStatus)
        .catch(() => undefined),
    )
  ).filter((s): s is SyncStatus => s !== undefined);
  const { jobs } = (await (await fetch(`${emulator.url}/__emulator/jobs`)).json()) as { jobs: EmulatorJob[] };
  await calls.stop();
  const emulatorLag = await emulator.lag();
  const lengths: number[] = [];
  let continuedAsNew = 0;
  for await (const execution of client.workflow.list({
    query: `WorkflowType = 'redisSync' AND TaskQueue = '${taskQueue}'`,
  })) {
    lengths.push(execution.historyLength);
    if (execution.status.name === 'CONTINUED_AS_NEW') continuedAsNew++;
  }

  // DTS client timeouts show up only in the worker log (each is retried by the activity).
  const workerLog = readFileSync(join(outDir, `worker-${args.setups}.log`), 'utf8');
  const clientTimeouts = countBy([...workerLog.matchAll(/Failure: (\w+) timed out/g)], (m) => m[1]!);

  const { rows, reaction, setupMs } = analyse({
    setups: args.setups,
    rate: args.rate,
    partitions: args.partitions,
    timeScale: args.timeScale,
    dataMb: [args.minDataMb, args.maxDataMb],
    startedAtMs,
    allStartedAtMs,
    allSynchronizingAtMs,
    releasedAtMs,
    statuses,
    startMs,
    jobs,
    calls: calls.all(),
    callLogGap: calls.gap,
    workerSamples: worker.samples,
    server: {
      cpuSeconds:
        serverCpuAtEnd !== undefined && serverCpuAtStart !== undefined ? serverCpuAtEnd - serverCpuAtStart : undefined,
      rssPeak: serverRssPeak || undefined,
    },
    histories: {
      maxLength: Math.max(0, ...lengths),
      sample: lengths.slice(0, 5),
      continuedAsNew,
      runs: lengths.length,
    },
    clientTimeouts,
    lagMs: { bench: benchLag.max / 1e6, emulator: emulatorLag?.lagMaxMs, emulatorWhere: args.emulator },
    loadBefore,
    loadAfter: load(),
  });
  const table = markdownTable(rows);
  console.log(`\n${table}\n`);
  writeFileSync(join(outDir, `table-${args.setups}.md`), `${table}\n`);
  writeFileSync(
    join(outDir, `raw-${args.setups}.json`),
    JSON.stringify({ args, rows, reaction, setupMs, workerSamples: worker.samples, calls: calls.all() }),
  );
  log(`wrote ${join(outDir, `table-${args.setups}.md`)} and raw-${args.setups}.json`);

  await worker.stop();
  await connection.close();
  await emulator.close();
  await env.teardown();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
