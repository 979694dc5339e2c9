// `npm run bench`: N concurrent two-way setups against the DTS emulator, through the production
// API and worker, on a Temporal dev server of its own. Prints the figures of docs/performance.md.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { join, resolve } from 'node:path';
import { randomUUID } from 'node:crypto';
import { Client } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { ensureTemporalCli } from '../scripts/temporal-cli';
import { encryptingDataConverter } from '../common/codec';
import { connectClient, loadTemporalConfig } from '../common/temporal-config';
import { SEARCH_ATTRIBUTES } from '../core/search-attributes';
import type { SetupStatus } from '../core/types';
import { parseArgs } from './args';
import { CallCollector, countBy } from './calls';
import { startBenchEmulator } from './emulator-host';
import { createBody, makePairs } from './fleet';
import { inBatches, phaseCounts, releaseSetup, runningCount, sleep, startSetup } from './fleet-ops';
import { BENCH_PAYLOAD_KEYS } from './keys';
import { analyse, markdownTable, type EmulatorJob } from './report';
import { findChildPid, procCpuSeconds, procRssBytes } from './stats';
import { startWorkerProcess } from './worker-process';
import { runChart, type PhaseSample } from './chart';
import { naivePairs, NAIVE_POLL_MS, runNaive, type NaiveSetup } from './naive';
import { keepSteady, type SteadyState } from './steady';
import { firstSynchronizingMs, minimumSetupMs, naiveSummary, pcts, ratios, round1, type RunSummary } from './summary';
import { peakInWindow, peakPerSecond } from './calls';
import { reactionBreakdown, type ReactionBreakdown } from './reaction';
import { setupsQuery } from '../core/visibility';
import { DEFAULT_TUNING, durationMs, type WaitTuning } from '../core/tuning';

Runtime.install({ logger: new DefaultLogger('WARN') });
/** What buys a DTS instance in each family: a second one for the same setup is a duplicate. */
const CREATE_ACTIONS = new Set(['CreateSynchronizationJob', 'CreateDtsInstance']);

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
    `${args.setups} two-way setups, DTS budget ${args.rate}/s, time scale ${args.timeScale}, task queue partitions ${args.partitions ?? 'server default'}, worker ${args.worker}, DTS API ${args.api}, load ${loadBefore}`,
  );

  const cli = ensureTemporalCli(log);
  const env = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: cli ? { type: 'existing-path', path: cli } : { type: 'cached-download' },
      searchAttributes: SEARCH_ATTRIBUTES,
      extraArgs: [
        ...(args.partitions
          ? ['numTaskqueueReadPartitions', 'numTaskqueueWritePartitions'].flatMap((k) => [
              '--dynamic-config-value',
              `matching.${k}=${args.partitions}`,
            ])
          : []),
      ],
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
  const workerOptions = {
    temporalAddress: env.address,
    taskQueue,
    dtsEndpoint: emulator.url,
    runtime: args.worker,
  };
  // --setup-rate / --setup-cache (with --keep): a faster way to a kept fleet; the kept window runs with the defaults.
  const setupDiffers = args.keepMin > 0 && (args.setupRate !== undefined || args.setupCache !== undefined);
  const setupRate = (setupDiffers && args.setupRate) || args.rate;
  let worker = await startWorkerProcess({
    ...workerOptions,
    dtsMaxCallsPerSecond: setupRate,
    logFile: join(outDir, `worker-${args.setups}.log`),
    env: setupDiffers && args.setupCache ? { WORKER_MAX_CACHED_WORKFLOWS: String(args.setupCache) } : undefined,
  });
  const setupWorkerSamples = worker.samples;
  const setupWorkerSent = worker.sentAtMs;
  const connection = await connectClient(loadTemporalConfig({ TEMPORAL_ADDRESS: env.address }));
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
    const id = await startSetup(client, taskQueue, createBody(pair), keepTuning(args.keepTimeScale), args.api);
    startMs.set(id, t);
    return id;
  });
  const allStartedAtMs = Date.now();
  log(`started ${ids.length} setups in ${((allStartedAtMs - startedAtMs) / 1000).toFixed(1)} s`);

  // 2. Wait until visibility says every setup is synchronizing (no workflow is queried for this).
  const deadline = startedAtMs + args.timeoutMin * 60_000;
  const phases: PhaseSample[] = [];
  for (;;) {
    await sleep(5_000);
    const counts = await phaseCounts(client, taskQueue);
    phases.push({ atMs: Date.now(), counts });
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
  let steady: SteadyState | undefined;
  if (args.keepMin > 0) {
    if (setupDiffers) {
      await worker.stop();
      worker = await startWorkerProcess({
        ...workerOptions,
        dtsMaxCallsPerSecond: args.rate,
        logFile: join(outDir, `worker-${args.setups}-keep.log`),
      });
      log(`worker restarted for the kept window: budget ${args.rate}/s, default workflow cache`);
    }
    log(`keeping ${args.setups} setups synchronizing for ${args.keepMin} min`);
    steady = await keepSteady({
      keepTimeScale: args.keepTimeScale,
      client,
      taskQueue,
      minutes: args.keepMin,
      setups: args.setups,
      calls,
      workerSamples: worker.samples,
      log,
    });
    log(`steady state: ${JSON.stringify(steady)}`);
    phases.push({ atMs: Date.now(), counts: await phaseCounts(client, taskQueue) });
  }

  // 3. Tear every setup down (the release signal) and wait for the workflows to end.
  await inBatches(ids, 20, (id) => releaseSetup(client, id).catch((err: Error) => log(err.message)));
  while ((await runningCount(client, taskQueue)) > 0 && Date.now() < deadline + 10 * 60_000) {
    await sleep(2_000);
    phases.push({ atMs: Date.now(), counts: await phaseCounts(client, taskQueue) });
  }
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
        .then((s) => s as SetupStatus)
        .catch(() => undefined),
    )
  ).filter((s): s is SetupStatus => s !== undefined);
  const { jobs } = (await (await fetch(`${emulator.url}/__emulator/jobs`)).json()) as { jobs: EmulatorJob[] };
  await calls.collect();
  // The product's calls end here; a naive run after it has a window of its own.
  const productCalls = calls.all();
  const emulatorLag = await emulator.lag();
  const breakdown = await reactionBreakdown(client, statuses, jobs, productCalls);
  log(`reaction breakdown: ${JSON.stringify(breakdown)}`);
  const lengths: number[] = [];
  let continuedAsNew = 0;
  for await (const execution of client.workflow.list({
    query: setupsQuery(taskQueue),
  })) {
    lengths.push(execution.historyLength);
    if (execution.status.name === 'CONTINUED_AS_NEW') continuedAsNew++;
  }

  // DTS client timeouts show up only in the worker log (each is retried by the activity).
  const workerLog = readFileSync(join(outDir, `worker-${args.setups}.log`), 'utf8');
  const clientTimeouts = countBy([...workerLog.matchAll(/Failure: (\w+) timed out/g)], (m) => m[1]!);

  const { rows, reaction, setupMs } = analyse({
    setups: args.setups,
    rate: setupRate,
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
    calls: productCalls,
    callLogGap: calls.gap,
    workerSamples: setupWorkerSamples === worker.samples ? worker.samples : [...setupWorkerSamples, ...worker.samples],
    sentAtMs: setupWorkerSent === worker.sentAtMs ? worker.sentAtMs : [...setupWorkerSent, ...worker.sentAtMs],
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
    JSON.stringify({
      args,
      rows,
      reaction,
      setupMs,
      workerSamples: worker.samples,
      calls: productCalls,
      phases,
      steady,
    }),
  );
  log(`wrote ${join(outDir, `table-${args.setups}.md`)} and raw-${args.setups}.json`);
  await worker.stop();

  // The summary: setup-phase calls only (a kept fleet's calls are in `steady`).
  const jobsById = new Map(jobs.map((j) => [j.jobId, j]));
  const setupPhaseCalls = productCalls.filter((c) => c.atMs <= allSynchronizingAtMs);
  const slowestLifecycleMs = Math.max(
    0,
    ...statuses.map(
      (st) =>
        (firstSynchronizingMs(jobsById.get(st.dtsJobId ?? ''), 'Reverse') ?? 0) - (startMs.get(st.id) ?? Infinity),
    ),
  );
  const setupP = pcts(setupMs);
  const summary: RunSummary & {
    reactionBreakdown?: ReactionBreakdown;
    naive?: RunSummary;
    oursOverNaive?: ReturnType<typeof ratios>;
    steady?: SteadyState;
    /** With --keep: the kept fleet's DTS calls per hour (steady.keptCallsPerHour), where a reader looks first. */
    keptCallsPerHour?: number;
    peakSlidingSecond?: { arrived: number; sent: number };
    /** R-KVStore's busiest sliding second (verifications' address reads): its own budget, not DTS's. */
    rkvstorePeakSlidingSecond?: number;
  } = {
    setups: args.setups,
    synchronizing: statuses.filter((st) => st.reverse?.synchronizingAt).length,
    duplicates: Math.max(
      0,
      productCalls.filter((c) => CREATE_ACTIONS.has(c.action) && c.outcome === 'ok').length - args.setups,
    ),
    workerRssPeakMb: Math.round(Math.max(0, ...worker.samples.map((w) => w.rss)) / 1048576),
    reactionMs: { forward: pcts(reaction.Forward), reverse: pcts(reaction.Reverse) },
    reactionBreakdown: breakdown,
    dtsCallsPerSetup: round1(setupPhaseCalls.length / args.setups),
    peakCallsPerSecond: peakPerSecond(setupPhaseCalls.map((c) => c.atMs)),
    // The busiest sliding second as the emulator stamped arrivals and as the worker sent (bench/probe.mjs), DTS
    // calls only: R-KVStore's reads reach the same emulator on their own budget.
    rkvstorePeakSlidingSecond: peakInWindow(calls.rkvstoreAtMs.filter((t) => t <= allSynchronizingAtMs)).count,
    peakSlidingSecond: {
      arrived: peakInWindow(setupPhaseCalls.map((c) => c.atMs)).count,
      sent: peakInWindow(setupWorkerSent.filter((t) => t <= allSynchronizingAtMs)).count,
    },
    budgetPerSecond: setupRate,
    setupMs: { p50: setupP.p50, p95: setupP.p95 },
    minimumSetupMs: minimumSetupMs(args.setups, setupRate, slowestLifecycleMs),
    ...(steady ? { steady, keptCallsPerHour: steady.keptCallsPerHour } : {}),
  };
  writeFileSync(
    join(outDir, `chart-${args.setups}.svg`),
    runChart(`${args.setups} two-way setups, budget ${args.rate}/s`, startedAtMs, productCalls, phases, args.rate),
  );

  if (args.naive) {
    const naive = naivePairs(pairs);
    for (let i = 0; i < naive.length; i += 250) {
      const batch = naive.slice(i, i + 250).flatMap((p) => [p.source, p.target]);
      const res = await fetch(`${emulator.url}/__emulator/instances`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(batch),
      });
      if (!res.ok) throw new Error(`registering naive instances: ${res.status} ${await res.text()}`);
    }
    log(`naive: ${naive.length} setups, each polling its own status every ${NAIVE_POLL_MS / 1000} s, no limiter`);
    const naiveFromMs = Date.now();
    const naiveSetups = await runNaive(emulator.url, naive);
    await calls.collect();
    const naiveIds = new Set(naiveSetups.map((n) => n.dtsJobId).filter(Boolean));
    const naiveCalls = calls
      .all()
      .filter(
        (c) =>
          c.atMs >= naiveFromMs && (!c.jobId || naiveIds.has(c.jobId)) && c.action !== 'DescribeSynchronizationJobs',
      );
    const { jobs: allJobs } = (await (await fetch(`${emulator.url}/__emulator/jobs`)).json()) as {
      jobs: EmulatorJob[];
    };
    summary.naive = naiveSummary(
      naiveSetups,
      allJobs.filter((j) => naiveIds.has(j.jobId)),
      naiveCalls,
    );
    summary.naive.budgetPerSecond = undefined;
    summary.oursOverNaive = ratios(summary, summary.naive);
    const errors = naiveSetups.filter((n) => n.error);
    if (errors.length) log(`naive: ${errors.length} setups failed, e.g. ${errors[0]!.error}`);
    writeFileSync(
      join(outDir, `chart-${args.setups}-naive.svg`),
      runChart(
        `naive: ${args.setups} setups polling every 5 s, no limiter`,
        naiveFromMs,
        naiveCalls,
        naivePhases(naiveSetups, naiveFromMs),
        args.rate,
      ),
    );
  }
  writeFileSync(join(outDir, `summary-${args.setups}.json`), `${JSON.stringify(summary, null, 2)}\n`);
  log(`wrote summary-${args.setups}.json and chart-${args.setups}.svg: ${JSON.stringify(summary)}`);
  await calls.stop();

  await connection.close();
  await emulator.close();
  await env.teardown();
}

/** --keep-time-scale: the setups' own health check comes that much sooner, the rest of their timing as in production. */
function keepTuning(scale: number): Partial<WaitTuning> | undefined {
  if (scale === 1) return undefined;
  return { monitorInterval: `${Math.max(1, Math.round(durationMs(DEFAULT_TUNING.monitorInterval) * scale))}ms` };
}

/** The naive setups by phase every 5 s, from when each saw its directions Synchronizing. */
function naivePhases(setups: NaiveSetup[], fromMs: number): PhaseSample[] {
  const endMs = Math.max(fromMs, ...setups.map((n) => n.seenMs.Reverse ?? n.startedAtMs));
  const samples: PhaseSample[] = [];
  for (let t = fromMs; t <= endMs + 5_000; t += 5_000) {
    const counts: Record<string, number> = {};
    for (const n of setups) {
      const phase =
        (n.seenMs.Forward ?? Infinity) > t
          ? 'waiting-forward'
          : (n.seenMs.Reverse ?? Infinity) > t
            ? 'waiting-reverse'
            : 'synchronizing';
      counts[phase] = (counts[phase] ?? 0) + 1;
    }
    samples.push({ atMs: t, counts });
  }
  return samples;
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
