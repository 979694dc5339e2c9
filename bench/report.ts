// Turns what the bench saw into the figures of docs/performance.md.
import type { Direction, SetupStatus } from '../core/types';
import { countBy, peakInWindow, peakPerSecond, type SeenCall } from './calls';
import { mb, secs, summary } from './stats';
import type { WorkerSample } from './worker-process';

export interface EmulatorJob {
  jobId: string;
  directions: Record<string, { status: string; history: { status: string; at: string }[] }>;
}

export interface RunData {
  setups: number;
  rate: number;
  partitions?: number;
  timeScale: number;
  dataMb: [number, number];
  startedAtMs: number;
  allStartedAtMs: number;
  allSynchronizingAtMs: number;
  releasedAtMs: number;
  statuses: SetupStatus[];
  /** When each setup was started, by workflow id. */
  startMs: Map<string, number>;
  jobs: EmulatorJob[];
  calls: SeenCall[];
  callLogGap: boolean;
  workerSamples: WorkerSample[];
  /** When the worker sent each DTS request (bench/probe.mjs). */
  sentAtMs: number[];
  server: { cpuSeconds?: number; rssPeak?: number };
  histories: { maxLength: number; sample: number[]; continuedAsNew: number; runs: number };
  clientTimeouts: Record<string, number>;
  /** Worst event-loop stalls: of the bench process, and of the emulator's when it runs apart. */
  lagMs: { bench: number; emulator?: number; emulatorWhere: string };
  loadBefore: string;
  loadAfter: string;
}

const firstSynchronizing = (job: EmulatorJob | undefined, dir: string) => {
  const at = job?.directions[dir]?.history.find((h) => h.status === 'Synchronizing')?.at;
  return at ? Date.parse(at) : undefined;
};

export function analyse(d: RunData) {
  const jobsById = new Map(d.jobs.map((j) => [j.jobId, j]));
  const reaction: Record<Direction, number[]> = { Forward: [], Reverse: [] };
  const setupMs: number[] = [];
  const idealMs: number[] = [];
  const monitorWindows: { jobId: string; fromMs: number }[] = [];
  for (const s of d.statuses) {
    const job = jobsById.get(s.dtsJobId ?? '');
    for (const [dir, state] of [
      ['Forward', s.forward],
      ['Reverse', s.reverse],
    ] as const) {
      const seen = state?.synchronizingAt ? Date.parse(state.synchronizingAt) : undefined;
      const happened = firstSynchronizing(job, dir);
      if (seen !== undefined && happened !== undefined) reaction[dir].push(seen - happened);
    }
    const started = d.startMs.get(s.id);
    const done = s.reverse?.synchronizingAt ? Date.parse(s.reverse.synchronizingAt) : undefined;
    const dtsDone = firstSynchronizing(job, 'Reverse');
    if (started !== undefined && done !== undefined) setupMs.push(done - started);
    if (started !== undefined && dtsDone !== undefined) idealMs.push(dtsDone - started);
    if (s.dtsJobId && done !== undefined) monitorWindows.push({ jobId: s.dtsJobId, fromMs: done });
  }

  // Calls are attributed by phase of the run; describes after a setup reached Synchronizing are health checks.
  const setupCalls = d.calls.filter((c) => c.atMs <= d.allSynchronizingAtMs);
  const monitorFrom = new Map(monitorWindows.map((w) => [w.jobId, w.fromMs]));
  const healthChecks = d.calls.filter(
    (c) =>
      c.action === 'DescribeSynchronizationJobStatus' && c.jobId && c.atMs > (monitorFrom.get(c.jobId) ?? Infinity),
  ).length;
  const waitDescribes = d.calls.filter(
    (c) =>
      c.action === 'DescribeSynchronizationJobStatus' && c.jobId && c.atMs <= (monitorFrom.get(c.jobId) ?? Infinity),
  ).length;
  const times = d.calls.map((c) => c.atMs);
  const window = peakInWindow(times);
  // Longer windows show whether the limit holds on average even when single seconds burst.
  const longer = [10, 60, 120].map((s) => `${peakInWindow(times, s * 1000).count}/${s * d.rate}`).join(', ');
  const durationS = (d.releasedAtMs - d.startedAtMs) / 1000;
  const peakRss = Math.max(0, ...d.workerSamples.map((s) => s.rss));
  const peakHeap = Math.max(0, ...d.workerSamples.map((s) => s.heapUsed));
  // CPU over the measured run only (the worker's start-up bundling is left out).
  const during = d.workerSamples.filter((s) => s.at >= d.startedAtMs && s.at <= d.releasedAtMs);
  const first = during[0];
  const last = during.at(-1);
  const workerCpuS = first && last ? (last.cpuMs - first.cpuMs) / 1000 : NaN;
  const workerSpanS = first && last ? (last.at - first.at) / 1000 : NaN;
  const synchronizing = d.statuses.filter((s) => s.reverse?.synchronizingAt).length;

  const rows: [string, string][] = [
    [
      'setups (two-way)',
      `${d.setups} started, ${synchronizing} reached synchronizing, ${d.statuses.filter((s) => s.phase === 'released').length} released`,
    ],
    [
      'DTS budget',
      `${d.rate} calls/s (maxTaskQueueActivitiesPerSecond); task queue partitions ${d.partitions ?? 'server default (4)'}`,
    ],
    [
      'emulator lifecycle',
      `timeScale ${d.timeScale}; Forward = 8 s precheck + 6 s structure + 30 s/GB data (${d.dataMb[0]}–${d.dataMb[1]} MB); Reverse = 8 s precheck`,
    ],
    ['all started after', secs(d.allStartedAtMs - d.startedAtMs)],
    ['all synchronizing after', secs(d.allSynchronizingAtMs - d.startedAtMs)],
    ['all released after', secs(d.releasedAtMs - d.startedAtMs)],
    ['setup time, start → workflow sees Reverse Synchronizing (p50 / p95 / max)', fmt(summary(setupMs))],
    ['  same, if DTS were watched continuously (emulator Reverse Synchronizing − start)', fmt(summary(idealMs))],
    [
      'reaction latency Forward (DTS Synchronizing → workflow records it) p50 / p95 / max',
      fmt(summary(reaction.Forward)),
    ],
    ['reaction latency Reverse p50 / p95 / max', fmt(summary(reaction.Reverse))],
    [
      'DTS calls total',
      `${d.calls.length}${d.callLogGap ? ' (some calls fell out of the emulator log: a lower bound)' : ''} = ${(d.calls.length / d.setups).toFixed(1)} per setup`,
    ],
    [
      'DTS calls by action',
      Object.entries(countBy(d.calls, (c) => c.action))
        .sort((a, b) => b[1] - a[1])
        .map(([a, n]) => `${a} ${n}`)
        .join(', '),
    ],
    [
      'DTS client timeouts (retried), from the worker log',
      Object.entries(d.clientTimeouts)
        .map(([a, n]) => `${a} ${n}`)
        .join(', ') || 'none',
    ],
    [
      'DTS call outcomes',
      Object.entries(countBy(d.calls, (c) => c.outcome))
        .map(([a, n]) => `${a} ${n}`)
        .join(', '),
    ],
    [
      'status reads while waiting / health checks after Synchronizing',
      `${waitDescribes} (${(waitDescribes / Math.max(1, 2 * synchronizing)).toFixed(1)} per direction) / ${healthChecks}`,
    ],
    [
      'DTS calls until all synchronizing',
      `${setupCalls.length} in ${secs(d.allSynchronizingAtMs - d.startedAtMs)} = ${(setupCalls.length / Math.max(1, (d.allSynchronizingAtMs - d.startedAtMs) / 1000)).toFixed(1)} calls/s average`,
    ],
    [
      'peak DTS calls in any sliding 1 s window (≤ budget?)',
      `${window.count} vs budget ${d.rate} → ${window.count <= d.rate ? 'within' : 'OVER'}`,
    ],
    [
      'the same, as the worker sent them (request written to the socket)',
      sentPeakRow(peakInWindow(d.sentAtMs).count, d.rate, d.sentAtMs.length),
    ],
    ['peak DTS calls in one calendar second', String(peakPerSecond(times))],
    ['peak DTS calls in any 10 s, 60 s, 120 s window (calls/budget)', longer],
    ['average DTS call rate over the whole run', `${(d.calls.length / durationS).toFixed(1)} calls/s`],
    ['worker process RSS peak / heapUsed peak', `${mb(peakRss)} / ${mb(peakHeap)}`],
    [
      'worker process CPU',
      `${workerCpuS.toFixed(0)} CPU-s over ${workerSpanS.toFixed(0)} s = ${((100 * workerCpuS) / workerSpanS).toFixed(0)} % of one core`,
    ],
    [
      'Temporal dev server CPU / RSS peak',
      `${d.server.cpuSeconds?.toFixed(0) ?? 'n/a'} CPU-s = ${d.server.cpuSeconds ? ((100 * d.server.cpuSeconds) / durationS).toFixed(0) : 'n/a'} % of one core / ${d.server.rssPeak ? mb(d.server.rssPeak) : 'n/a'}`,
    ],
    ['history length: max of any run; sample of 5', `${d.histories.maxLength}; ${d.histories.sample.join(', ')}`],
    ['continue-as-new', `${d.histories.continuedAsNew} of ${d.histories.runs} runs`],
    [
      'worst event-loop stall: bench process / emulator process',
      `${secs(d.lagMs.bench)} / ${d.lagMs.emulator === undefined ? `n/a (emulator ${d.lagMs.emulatorWhere} in the bench process)` : secs(d.lagMs.emulator)}`,
    ],
    ['load average before / after', `${d.loadBefore} / ${d.loadAfter}`],
  ];
  return { rows, reaction, setupMs, idealMs, peakWindow: window, peakRss, peakHeap };
}

function fmt(s: ReturnType<typeof summary>): string {
  return s.n === 0 ? 'n/a' : `${secs(s.p50)} / ${secs(s.p95)} / ${secs(s.max)} (n=${s.n})`;
}

export function markdownTable(rows: [string, string][]): string {
  return ['| figure | value |', '|---|---|', ...rows.map(([k, v]) => `| ${k} | ${v} |`)].join('\n');
}

function sentPeakRow(peak: number, budget: number, requests: number): string {
  return `${peak} vs budget ${budget} → ${peak <= budget ? 'within' : 'OVER'} (${requests} requests sent)`;
}
