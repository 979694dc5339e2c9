// The machine-readable result of a run: bench/out/summary-<N>.json.
import type { Direction } from '../core/types';
import { peakPerSecond, type SeenCall } from './calls';
import type { NaiveSetup } from './naive';
import type { EmulatorJob } from './report';
import { percentile } from './stats';

export interface Percentiles {
  p50: number;
  p95: number;
  p99: number;
}

export interface RunSummary {
  setups: number;
  synchronizing: number;
  /** DTS instances bought beyond one per setup. */
  duplicates: number;
  workerRssPeakMb?: number;
  reactionMs: { forward: Percentiles; reverse: Percentiles };
  dtsCallsPerSetup: number;
  peakCallsPerSecond: number;
  budgetPerSecond?: number;
  setupMs: { p50: number; p95: number };
  /** The least time the last setup can take: the lifecycle of the slowest job, or the calls needed ÷ budget. */
  minimumSetupMs?: number;
}

/** Fewest DTS calls a two-way setup needs: buy, configure ×2, a read per direction, release. */
export const MIN_CALLS_PER_SETUP = 6;

export function pcts(values: number[]): Percentiles {
  const round = (v: number) => (Number.isFinite(v) ? Math.round(v) : NaN);
  return { p50: round(percentile(values, 50)), p95: round(percentile(values, 95)), p99: round(percentile(values, 99)) };
}

export function firstSynchronizingMs(job: EmulatorJob | undefined, direction: string): number | undefined {
  const at = job?.directions[direction]?.history.find((h) => h.status === 'Synchronizing')?.at;
  return at ? Date.parse(at) : undefined;
}

export function minimumSetupMs(setups: number, budget: number, slowestLifecycleMs: number): number {
  return Math.round(Math.max(slowestLifecycleMs, (1000 * setups * MIN_CALLS_PER_SETUP) / budget));
}

/** The naive script's run, from its own records, the emulator's job histories and the calls of its window. */
export function naiveSummary(setups: NaiveSetup[], jobs: EmulatorJob[], calls: SeenCall[]): RunSummary {
  const byId = new Map(jobs.map((j) => [j.jobId, j]));
  const reaction: Record<Direction, number[]> = { Forward: [], Reverse: [] };
  const setupMs: number[] = [];
  for (const s of setups) {
    const job = byId.get(s.dtsJobId ?? '');
    for (const dir of ['Forward', 'Reverse'] as const) {
      const happened = firstSynchronizingMs(job, dir);
      if (s.seenMs[dir] !== undefined && happened !== undefined) reaction[dir].push(s.seenMs[dir] - happened);
    }
    if (s.seenMs.Reverse !== undefined) setupMs.push(s.seenMs.Reverse - s.startedAtMs);
  }
  const bought = calls.filter((c) => c.action === 'CreateSynchronizationJob' && c.outcome === 'ok').length;
  const setupP = pcts(setupMs);
  return {
    setups: setups.length,
    synchronizing: setups.filter((s) => s.seenMs.Reverse !== undefined).length,
    duplicates: Math.max(0, bought - setups.length),
    reactionMs: { forward: pcts(reaction.Forward), reverse: pcts(reaction.Reverse) },
    dtsCallsPerSetup: round1(calls.length / Math.max(1, setups.length)),
    peakCallsPerSecond: peakPerSecond(calls.map((c) => c.atMs)),
    setupMs: { p50: setupP.p50, p95: setupP.p95 },
  };
}

export function round1(v: number): number {
  return Math.round(v * 10) / 10;
}

/** ours ÷ naive for the figures the side-by-side compares. */
export function ratios(ours: RunSummary, naive: RunSummary) {
  const r = (a: number, b: number) => (b > 0 ? Math.round((100 * a) / b) / 100 : NaN);
  return {
    dtsCallsPerSetup: r(ours.dtsCallsPerSetup, naive.dtsCallsPerSetup),
    peakCallsPerSecond: r(ours.peakCallsPerSecond, naive.peakCallsPerSecond),
    reactionP99Forward: r(ours.reactionMs.forward.p99, naive.reactionMs.forward.p99),
    reactionP99Reverse: r(ours.reactionMs.reverse.p99, naive.reactionMs.reverse.p99),
    setupP50: r(ours.setupMs.p50, naive.setupMs.p50),
    setupP95: r(ours.setupMs.p95, naive.setupMs.p95),
  };
}
