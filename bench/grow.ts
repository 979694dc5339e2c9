// `npm run bench:grow`: grows a fleet of two-way setups on a running `npm run prod-local` in steps, as fast as the
// DTS budget allows, and keeps each step for a while, until a step no longer fits: the largest fleet the machine
// holds and what broke first. Setups start through the Temporal client as POST /v1/syncs starts them
// (api/setup-start.ts, no preflight), between pairs registered in the emulator (bench/fleet.ts fleetPairs, the same
// pairs as bench:api --fleet, so it continues that fleet). Per step: setups per phase, each worker's RSS and CPU,
// the Temporal server's and PostgreSQL's CPU, DTS calls of both workers per sliding second against the budget,
// calls and history events per setup per hour while kept, and with --api the GET routes' latencies.
//   npm run bench:grow -- --prod-local-pid PID --data-dir DIR --frontend-port P --emulator-port E
//     --metrics-ports A,B (--grow 1000,2000 | --grow-to N --step S) [--keep-min 3] [--budget 40] (see --help)
// Writes bench/out/summary-<N>.json (merged: keptCallsPerHour, kept, grow, apiMs) and bench/out/chart-grow-<N>.svg
// after every step, N the running setups of the step's kept window.
import { closeSync, existsSync, openSync, readdirSync, readFileSync, readSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Client, WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { encryptingDataConverter, readPayloadKeys } from '../common/codec';
import { EnvReader } from '../common/env';
import { connectClient, loadTemporalConfig } from '../common/temporal-config';
import type { DtsApi } from '../core/types';
import { WATCHER_ROUND_METRIC } from '../worker/health';
import { localEnv } from '../scripts/local-env';
import { probeApi } from './api-probe';
import { CallCollector, peakInWindow } from './calls';
import { createBody, fleetPairs, registerPairs } from './fleet';
import { phaseCounts, runningCount, sleep, startSetup } from './fleet-ops';
import { growChart, type GrowSample } from './grow-chart';
import {
  DEFAULT_LIMITS,
  growSummary,
  isErrorLine,
  logProblem,
  planSteps,
  readingProblem,
  SETTLE_MIN,
  SETUP_CALLS,
  startsPerSecond,
  stepMinutes,
  stepProblem,
  timeProblem,
  type GrowLimits,
  type StepRecord,
} from './grow-rules';
import { keptFigures, mergeSummary } from './kept-figures';
import { busyPercent, histories, machineCpu, prodProcesses, treeCpuSeconds, type ProdProcesses } from './prod-procs';
import { procRssBytes } from './stats';

const HELP = `npm run bench:grow -- --prod-local-pid PID --data-dir DIR --frontend-port P --emulator-port E
    --metrics-ports A,B (--grow 1000,2000,3000 | --grow-to N [--step S]) [options]
  --data-dir DIR        prod-local's --data-dir (its payload key, API token and logs)
  --keep-min M          minutes each step is kept and sampled once synchronizing (default 3)
  --max-min M           begin no step that would end after M minutes (estimated: starts + ${SETTLE_MIN} min + kept)
  --budget B            the DTS budget prod-local runs with, DTS_MAX_CALLS_PER_SECOND (default 40)
  --start-rate R        setups started a second (default: budget ÷ ${SETUP_CALLS}, the calls a setup needs)
  --sync-timeout-min T  a step whose setups are not all synchronizing T min after its first start stops the run (${DEFAULT_LIMITS.syncTimeoutMin})
  --max-rss-mb M        a worker over M MB stops the run (${DEFAULT_LIMITS.maxRssMb})
  --max-visibility-lag-s S  visibility counting the started setups later than S s after the last start (${DEFAULT_LIMITS.maxVisibilityLagS})
  --max-watcher-age-s S the status watcher's last round older than S s (${DEFAULT_LIMITS.maxWatcherAgeS})
  --max-cpu-percent P   prod-local's processes using P % of all cores over a kept window (${DEFAULT_LIMITS.maxCpuPercent})
  --api URL,URL --api-rate R --api-seconds S   also GET one and GET list at R req/s for S s after each kept window
  --task-queue Q --namespace NS --dts-api dtsjob|synchronizationjob   as prod-local's (defaults redis-dts-sync, default, dtsjob)`;

function options() {
  const { values } = parseArgs({
    options: {
      'prod-local-pid': { type: 'string' },
      'data-dir': { type: 'string' },
      'frontend-port': { type: 'string' },
      'emulator-port': { type: 'string' },
      'metrics-ports': { type: 'string' },
      grow: { type: 'string' },
      'grow-to': { type: 'string' },
      step: { type: 'string' },
      'keep-min': { type: 'string', default: '3' },
      'max-min': { type: 'string' },
      budget: { type: 'string', default: '40' },
      'start-rate': { type: 'string' },
      'sync-timeout-min': { type: 'string' },
      'max-rss-mb': { type: 'string' },
      'max-visibility-lag-s': { type: 'string' },
      'max-watcher-age-s': { type: 'string' },
      'max-cpu-percent': { type: 'string' },
      api: { type: 'string' },
      'api-rate': { type: 'string', default: '100' },
      'api-seconds': { type: 'string', default: '10' },
      'task-queue': { type: 'string', default: 'redis-dts-sync' },
      namespace: { type: 'string', default: 'default' },
      'dts-api': { type: 'string', default: 'dtsjob' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(HELP);
    process.exit(0);
  }
  const num = (v: string | undefined) => (v === undefined ? undefined : Number(v));
  const need = ['prod-local-pid', 'data-dir', 'frontend-port', 'emulator-port', 'metrics-ports'] as const;
  const missing = need.filter((k) => !values[k]);
  if (missing.length > 0) throw new Error(`needs ${missing.map((k) => `--${k}`).join(', ')}\n${HELP}`);
  const budget = Number(values.budget);
  const limits: GrowLimits = {
    syncTimeoutMin: num(values['sync-timeout-min']) ?? DEFAULT_LIMITS.syncTimeoutMin,
    maxRssMb: num(values['max-rss-mb']) ?? DEFAULT_LIMITS.maxRssMb,
    maxVisibilityLagS: num(values['max-visibility-lag-s']) ?? DEFAULT_LIMITS.maxVisibilityLagS,
    maxWatcherAgeS: num(values['max-watcher-age-s']) ?? DEFAULT_LIMITS.maxWatcherAgeS,
    maxCpuPercent: num(values['max-cpu-percent']) ?? DEFAULT_LIMITS.maxCpuPercent,
  };
  const dataDir = resolve(values['data-dir']!);
  return {
    root: Number(values['prod-local-pid']),
    dataDir,
    temporal: `127.0.0.1:${values['frontend-port']}`,
    emulatorUrl: `http://127.0.0.1:${values['emulator-port']}`,
    metricsUrls: values['metrics-ports']!.split(',').map((p) => `http://127.0.0.1:${p}/metrics`),
    steps: planSteps(values.grow, num(values['grow-to']), num(values.step)),
    keepMin: Number(values['keep-min']),
    maxMin: num(values['max-min']) ?? Infinity,
    budget,
    startRate: num(values['start-rate']) ?? startsPerSecond(budget),
    limits,
    apiUrls: values.api?.split(','),
    apiRate: Number(values['api-rate']),
    apiSeconds: Number(values['api-seconds']),
    taskQueue: values['task-queue'],
    namespace: values.namespace,
    dtsApi: values['dts-api'] as DtsApi,
  };
}

type Options = ReturnType<typeof options>;

/** New lines of prod-local's logs since the last look (the emulator's, one line per call, left out). */
class LogTail {
  private readonly offsets = new Map<string, number>();
  readonly problems: string[] = [];
  errors: Record<string, number> = {};

  constructor(private readonly dir: string) {
    for (const file of this.files()) this.offsets.set(file, statSync(join(dir, file)).size);
  }

  private files(): string[] {
    return existsSync(this.dir) ? readdirSync(this.dir).filter((f) => f.endsWith('.log') && f !== 'emulator.log') : [];
  }

  scan(): void {
    for (const file of this.files()) {
      const path = join(this.dir, file);
      const from = this.offsets.get(file) ?? 0;
      const size = statSync(path).size;
      if (size <= from) continue;
      const length = Math.min(size - from, 16 * 1024 * 1024);
      const buffer = Buffer.alloc(length);
      const fd = openSync(path, 'r');
      readSync(fd, buffer, 0, length, from);
      closeSync(fd);
      const text = buffer.toString('utf8');
      // Up to the last whole line; the rest is read next time.
      const end = text.lastIndexOf('\n') + 1;
      this.offsets.set(file, from + Buffer.byteLength(text.slice(0, end)));
      for (const line of text.slice(0, end).split('\n')) {
        const problem = logProblem(line);
        // The first few, with the line that showed it: what broke first, in its own words.
        if (problem && this.problems.length < 3)
          this.problems.push(`${problem} (${file}: ${line.trim().slice(0, 160)})`);
        if (isErrorLine(line)) this.errors[file] = (this.errors[file] ?? 0) + 1;
      }
    }
  }
}

/** Seconds since the status watcher's last completed round on any worker; undefined if none reports one. */
async function watcherAgeS(metricsUrls: string[]): Promise<number | undefined> {
  let last = 0;
  for (const url of metricsUrls) {
    const text = await fetch(url).then(
      (r) => (r.ok ? r.text() : ''),
      () => '',
    );
    for (const line of text.split('\n'))
      if (line.startsWith(WATCHER_ROUND_METRIC)) last = Math.max(last, Number(line.slice(line.lastIndexOf(' ') + 1)));
  }
  return last > 0 ? Date.now() / 1000 - last : undefined;
}

/** Reads the processes, logs and watcher every 5 s in the background; `problem` once growing must stop. */
class Sampler {
  readonly samples: GrowSample[] = [];
  problem?: string;
  running = 0;
  synchronizing = 0;
  private timer?: NodeJS.Timeout;
  private last?: { atMs: number; cpu: ReturnType<ProdProcesses['cpu']> };

  constructor(
    private readonly procs: ProdProcesses,
    private readonly logs: LogTail,
    private readonly o: Options,
    private readonly log: (line: string) => void,
  ) {}

  start(): void {
    const tick = async () => {
      await this.read().catch((err: Error) => this.log(`sample failed: ${err.message}`));
      this.timer = setTimeout(() => void tick(), 5_000);
    };
    void tick();
  }

  stop(): void {
    clearTimeout(this.timer);
  }

  rssMb(): number[] {
    return this.procs.workers.map((w) => Math.round((procRssBytes(w.pid) ?? 0) / 1048576));
  }

  private async read(): Promise<void> {
    const atMs = Date.now();
    const cpu = this.procs.cpu();
    const pct = (now: number, before: number) =>
      this.last ? Math.round((100 * (now - before)) / ((atMs - this.last.atMs) / 1000)) : 0;
    const rssMb = this.rssMb();
    this.logs.scan();
    const age = await watcherAgeS(this.o.metricsUrls);
    this.samples.push({
      atMs,
      running: this.running,
      synchronizing: this.synchronizing,
      rssMb,
      cpuPercent: {
        workers: cpu.workers.map((c, i) => pct(c, this.last?.cpu.workers[i] ?? c)),
        server: pct(cpu.server, this.last?.cpu.server ?? cpu.server),
        postgres: pct(cpu.postgres, this.last?.cpu.postgres ?? cpu.postgres),
      },
    });
    this.last = { atMs, cpu };
    this.problem ??= readingProblem({ rssMb, watcherAgeS: age, logProblems: this.logs.problems }, this.o.limits);
  }
}

async function main(): Promise<void> {
  const o = options();
  const log = (line: string) => console.log(`[bench:grow ${new Date().toISOString().slice(11, 19)}] ${line}`);
  const env = localEnv(o.dataDir);
  const reader = new EnvReader(env);
  const keys = readPayloadKeys(reader);
  reader.done();
  const connection = await connectClient(loadTemporalConfig({ TEMPORAL_ADDRESS: o.temporal }));
  const client = new Client({ connection, namespace: o.namespace, dataConverter: encryptingDataConverter(keys) });
  const procs = prodProcesses(o.root);
  if (procs.workers.length === 0) throw new Error(`no worker process under pid ${o.root}: is it prod-local's?`);
  log(
    `workers ${procs.workers.map((w) => w.pid).join(', ')}, server ${procs.server?.pid}; steps ${o.steps.join(', ')}, ` +
      `${o.startRate.toFixed(1)} starts/s, kept ${o.keepMin} min each, budget ${o.budget}/s`,
  );
  const logs = new LogTail(join(o.dataDir, 'prod-local', 'logs'));
  const sampler = new Sampler(procs, logs, o, log);
  const calls = new CallCollector(o.emulatorUrl);
  await calls.collect();
  const fromSeq = Math.max(0, ...calls.all().map((c) => c.seq));
  calls.start(10_000);
  const startMs = Date.now();
  sampler.running = await runningCount(client, o.taskQueue);
  sampler.synchronizing = (await phaseCounts(client, o.taskQueue)).synchronizing ?? 0;
  sampler.start();
  const steps: StepRecord[] = [];
  const ids: string[] = [];
  let stop: string | undefined;
  let handled = 0;
  const dtsCalls = () => calls.all().filter((c) => c.seq > fromSeq);
  for (const target of o.steps) {
    const elapsedMin = (Date.now() - startMs) / 60_000;
    // Setups already running (a fleet grown before) are found, not started again: only the new ones take time.
    const newSetups = Math.max(0, target - Math.max(handled, sampler.running));
    stop = timeProblem(elapsedMin, target, stepMinutes(newSetups, o.startRate, o.keepMin), o.maxMin);
    if (stop) break;
    const record = await growStep(o, client, connection, sampler, logs, calls, { target, handled, ids, log });
    handled = target;
    steps.push(record);
    stop = record.stop;
    if (stop) break;
    // After every step, so a run cut short still leaves its figures.
    writeResults(o, startMs, steps, sampler.samples, dtsCalls(), stop, log);
  }
  sampler.stop();
  await calls.stop();
  writeResults(o, startMs, steps, sampler.samples, dtsCalls(), stop, log);
  log(stop ? `stopped growing: ${stop}` : `every step held (${o.steps.at(-1)} setups)`);
  await connection.close();
}

interface StepContext {
  target: number;
  handled: number;
  ids: string[];
  log: (line: string) => void;
}

/** Starts the step's setups at the pace, waits for them, keeps them: the step's record. */
async function growStep(
  o: Options,
  client: Client,
  connection: Client['connection'],
  sampler: Sampler,
  logs: LogTail,
  calls: CallCollector,
  { target, handled, ids, log }: StepContext,
): Promise<StepRecord> {
  const stepStartMs = Date.now();
  logs.errors = {};
  const pairs = fleetPairs(handled, target);
  await registerPairs(o.emulatorUrl, pairs);
  const runningBefore = await runningCount(client, o.taskQueue);
  let started = 0;
  let present = 0;
  const inFlight = new Set<Promise<void>>();
  for (const pair of pairs) {
    if (sampler.problem) break;
    const due = stepStartMs + (started * 1000) / o.startRate;
    if (due > Date.now()) await sleep(due - Date.now());
    const p = startSetup(client, o.taskQueue, createBody(pair), undefined, o.dtsApi)
      .then((id) => {
        ids.push(id);
        started += 1;
      })
      .catch((err: unknown) => {
        if (err instanceof WorkflowExecutionAlreadyStartedError) {
          ids.push(err.workflowId);
          present += 1;
        } else {
          // The client retries what is transient: a start that still fails is what broke.
          sampler.problem ??= `a start failed: ${err instanceof Error ? err.message : String(err)}`;
        }
      })
      .finally(() => inFlight.delete(p));
    inFlight.add(p);
    // The starts themselves must not queue up in the client either.
    while (inFlight.size >= 20) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  const lastStartMs = Date.now();
  const startSeconds = Math.round((lastStartMs - stepStartMs) / 1000);
  log(`step ${target}: ${started} started (${present} already running) in ${startSeconds} s`);
  let visibilityLagS: number | undefined;
  let phases: Record<string, number> = {};
  for (;;) {
    const running = await runningCount(client, o.taskQueue);
    if (visibilityLagS === undefined && running >= runningBefore + started)
      visibilityLagS = (Date.now() - lastStartMs) / 1000;
    phases = await phaseCounts(client, o.taskQueue);
    sampler.running = running;
    sampler.synchronizing = phases.synchronizing ?? 0;
    const waitedMin = (Date.now() - stepStartMs) / 60_000;
    log(`step ${target}: ${JSON.stringify(phases)} after ${Math.round(waitedMin * 60)} s`);
    const done = sampler.synchronizing >= target && visibilityLagS !== undefined;
    if (done || waitedMin > o.limits.syncTimeoutMin || sampler.problem) break;
    // Visibility's lag is timed closely; the phases move on more slowly.
    await sleep(visibilityLagS === undefined ? 1_000 : 10_000);
  }
  await calls.collect();
  const growCalls = calls.all().filter((c) => c.atMs >= stepStartMs);
  const record: StepRecord = {
    target,
    started,
    startSeconds,
    startsPerSecond: Math.round((started / Math.max(1, startSeconds)) * 10) / 10,
    synchronizing: sampler.synchronizing,
    syncWaitMin: Math.round(((Date.now() - stepStartMs) / 60_000) * 10) / 10,
    ...(visibilityLagS === undefined ? {} : { visibilityLagS: Math.round(visibilityLagS * 10) / 10 }),
    phases,
    growPeakSlidingSecond: peakInWindow(growCalls.map((c) => c.atMs)).count,
    growDtsCalls: growCalls.length,
    logErrors: logs.errors,
  };
  record.stop = sampler.problem ?? stepProblem(record, o.limits);
  if (record.stop) return record;
  await keepStep(o, connection, sampler, calls, record, ids, log);
  record.stop = sampler.problem ?? stepProblem(record, o.limits);
  record.logErrors = logs.errors;
  return record;
}

/** The kept window of a step: the fleet left alone for --keep-min, then (with --api) the GET routes. */
async function keepStep(
  o: Options,
  connection: Client['connection'],
  sampler: Sampler,
  calls: CallCollector,
  record: StepRecord,
  ids: string[],
  log: (line: string) => void,
): Promise<void> {
  const procs = prodProcesses(o.root);
  const before = await histories(connection, o.namespace);
  const cpuBefore = procs.cpu();
  const machineBefore = machineCpu();
  const treeBefore = treeCpuSeconds(o.root);
  const startMs = Date.now();
  const rss = procs.workers.map(() => ({ peak: 0, end: 0 }));
  log(`step ${record.target}: keeping ${before.setups} setups for ${o.keepMin} min`);
  while (Date.now() - startMs < o.keepMin * 60_000 && !sampler.problem) {
    procs.workers.forEach((w, i) => {
      const now = procRssBytes(w.pid) ?? 0;
      rss[i] = { peak: Math.max(rss[i]!.peak, now), end: now };
    });
    await sleep(1_000);
  }
  const endMs = Date.now();
  const cpuAfter = procs.cpu();
  record.machineCpuPercent = busyPercent(machineBefore, machineCpu());
  record.cpuPercent = Math.round(
    (100 * (treeCpuSeconds(o.root) - treeBefore)) / ((endMs - startMs) / 1000) / availableParallelism(),
  );
  const after = await histories(connection, o.namespace);
  await calls.collect();
  const window = calls.all().filter((c) => c.atMs >= startMs && c.atMs <= endMs);
  record.kept = keptFigures({
    startMs,
    endMs,
    calls: window,
    before,
    after,
    rss,
    cpuBefore,
    cpuAfter,
    budget: o.budget,
    callLogGap: calls.gap,
  });
  log(
    `step ${record.target}: kept ${JSON.stringify(record.kept)}, prod-local ${record.cpuPercent} % of all cores, machine ${record.machineCpuPercent} % busy`,
  );
  if (o.apiUrls) {
    const token = readFileSync(join(o.dataDir, 'api-token'), 'utf8').trim();
    const probe = await probeApi(o.apiUrls, token, ids, o.apiRate, o.apiSeconds);
    record.apiMs = probe.apiMs;
    record.apiErrors = probe.errors;
    log(`step ${record.target}: API ${JSON.stringify(probe)}`);
  }
}

/** summary-<N>.json and chart-grow-<N>.svg of the last step that reached its kept window. */
function writeResults(
  o: Options,
  startMs: number,
  steps: StepRecord[],
  samples: GrowSample[],
  calls: ReturnType<CallCollector['all']>,
  stop: string | undefined,
  log: (line: string) => void,
): void {
  const last = [...steps].reverse().find((s) => s.kept) ?? steps.at(-1);
  if (!last) return;
  const n = last.kept?.setups ?? last.synchronizing;
  const grow = { ...growSummary(steps, o.budget, stop), loadAfter: loadavg().map((l) => l.toFixed(2)) };
  const apiMs = last.apiMs;
  const file = resolve(`bench/out/summary-${n}.json`);
  mergeSummary(file, n, {
    ...(last.kept ? { keptCallsPerHour: last.kept.keptCallsPerHour, kept: last.kept } : {}),
    ...(apiMs ? { apiMs } : {}),
    grow,
  });
  const chart = resolve(`bench/out/chart-grow-${n}.svg`);
  const title = `fleet grown on prod-local to ${n} setups, budget ${o.budget}/s, steps ${o.steps.join(', ')}`;
  const note = stop ? `stopped growing: ${stop}` : `largest held: ${grow.largestHeld}`;
  writeFileSync(chart, growChart(title, note, startMs, samples, calls, o.budget));
  log(`wrote ${file} and ${chart}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
