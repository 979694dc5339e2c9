// `--keep M`: the steady state of a kept fleet. Every setup is synchronizing; for M minutes the bench
// counts DTS calls, watcher rounds, worker CPU/RSS and history growth, and scales them to an hour.
import type { Client } from '@temporalio/client';
import { fromPayloadsAtIndex } from '@temporalio/common';
import { DEFAULT_TUNING } from '../core/tuning';
import { statusWatcherId } from '../core/watcher';
import { countBy, type CallCollector } from './calls';
import { inBatches, sleep } from './fleet-ops';
import { round1 } from './summary';
import type { WorkerSample } from './worker-process';
import { setupsQuery } from '../core/visibility';

export interface SteadyState {
  minutes: number;
  setups: number;
  /** The setups' own health check ran every 30 min × this (--keep-time-scale); their figures are scaled back. */
  keepTimeScale: number;
  dtsCallsPerSetupPerHour: number;
  /** The whole kept fleet's DTS calls in an hour (the watcher's, plus the setups' own scaled back). */
  keptCallsPerHour: number;
  /** Of which the watcher's status lists and instance sweeps (real time), and the setups' own reads (scaled). */
  watcherCallsPerSetupPerHour: number;
  ownCallsPerSetupPerHour: number;
  dtsCallsByAction: Record<string, number>;
  watcherRounds: number;
  watcherRoundSeconds: number;
  workerCpuPercentOfOneCore: number;
  workerRssMb: { peak: number; end: number };
  historyEventsPerSetupPerHour: number;
  /** Hours until a setup's history reaches the workflow's continue-as-new threshold (null: no growth seen). */
  continueAsNewEveryHours: number | null;
}

/** The watcher's calls (activities/watch-statuses.ts): its status lists and the unclaimed-instance sweep. */
const WATCHER_ACTIONS = new Set(['DescribeSynchronizationJobStatusList', 'DescribeSynchronizationJobs']);

export async function keepSteady(options: {
  client: Client;
  taskQueue: string;
  minutes: number;
  setups: number;
  keepTimeScale?: number;
  calls: CallCollector;
  workerSamples: WorkerSample[];
  log: (line: string) => void;
}): Promise<SteadyState> {
  const { client, taskQueue, minutes, setups, calls, workerSamples, log } = options;
  const scale = options.keepTimeScale ?? 1;
  const fromMs = Date.now();
  const eventsBefore = await historyEvents(client, taskQueue);
  const roundsBefore = await watcherRound(client, taskQueue);
  const untilMs = fromMs + minutes * 60_000;
  while (Date.now() < untilMs) {
    await sleep(Math.min(30_000, untilMs - Date.now()));
    log(`keeping: ${Math.round((Date.now() - fromMs) / 1000)} s of ${minutes * 60} s`);
  }
  await calls.collect();
  const toMs = Date.now();
  const eventsAfter = await historyEvents(client, taskQueue);
  const roundsAfter = await watcherRound(client, taskQueue);
  const hours = (toMs - fromMs) / 3_600_000;
  const window = calls.all().filter((c) => c.atMs >= fromMs && c.atMs <= toMs);
  const samples = workerSamples.filter((s) => s.at >= fromMs && s.at <= toMs);
  const first = samples[0];
  const last = samples.at(-1);
  const cpu = first && last && last.at > first.at ? (100 * (last.cpuMs - first.cpuMs)) / (last.at - first.at) : NaN;
  const rounds = roundsAfter !== undefined && roundsBefore !== undefined ? roundsAfter - roundsBefore : NaN;
  // History grows with the setups' own checks (and the rare signal), so it is scaled like them.
  const eventsPerHour = ((eventsAfter - eventsBefore) * scale) / Math.max(1, setups) / hours;
  const watcherCalls = window.filter((c) => WATCHER_ACTIONS.has(c.action)).length;
  const perSetupHour = (n: number) => n / Math.max(1, setups) / hours;
  const watcherPerHour = perSetupHour(watcherCalls);
  const ownPerHour = perSetupHour((window.length - watcherCalls) * scale);
  return {
    minutes,
    setups,
    keepTimeScale: scale,
    dtsCallsPerSetupPerHour: round1(watcherPerHour + ownPerHour),
    keptCallsPerHour: Math.round((watcherCalls + (window.length - watcherCalls) * scale) / hours),
    watcherCallsPerSetupPerHour: round1(watcherPerHour),
    ownCallsPerSetupPerHour: round1(ownPerHour),
    dtsCallsByAction: countBy(window, (c) => c.action),
    watcherRounds: rounds,
    watcherRoundSeconds: round1((toMs - fromMs) / 1000 / rounds),
    workerCpuPercentOfOneCore: round1(cpu),
    workerRssMb: {
      peak: Math.round(Math.max(0, ...samples.map((s) => s.rss)) / 1048576),
      end: Math.round((last?.rss ?? NaN) / 1048576),
    },
    historyEventsPerSetupPerHour: round1(eventsPerHour),
    continueAsNewEveryHours: eventsPerHour > 0 ? round1(DEFAULT_TUNING.maxHistoryEvents / eventsPerHour) : null,
  };
}

/**
 * The kept setups' history events, from describe(): visibility's HistoryLength is written only when the run
 * upserts search attributes or closes, and a kept setup's health check does neither.
 */
async function historyEvents(client: Client, taskQueue: string): Promise<number> {
  const query = `${setupsQuery(taskQueue)} AND ExecutionStatus = 'Running'`;
  const ids: string[] = [];
  for await (const execution of client.workflow.list({ query })) ids.push(execution.workflowId);
  const lengths = await inBatches(ids, 20, (id) =>
    client.workflow
      .getHandle(id)
      .describe()
      .then((d) => d.historyLength)
      .catch(() => 0),
  );
  return lengths.reduce((a, b) => a + b, 0);
}

/** The round the watch activity last reported in its heartbeat (activities/watch-statuses.ts). */
async function watcherRound(client: Client, taskQueue: string): Promise<number | undefined> {
  const described = await client.workflow.getHandle(statusWatcherId(taskQueue)).describe();
  const payloads = described.raw.pendingActivities?.[0]?.heartbeatDetails?.payloads;
  if (!payloads?.length) return undefined;
  const { payloadConverter, payloadCodecs } = client.workflow.options.loadedDataConverter;
  let decoded = payloads;
  for (const codec of [...payloadCodecs].reverse()) decoded = await codec.decode(decoded);
  return fromPayloadsAtIndex<{ round?: number }>(payloadConverter, 0, decoded)?.round;
}
