// The figures of a kept window (bench:kept, each step of bench:grow) and how they join summary-<N>.json.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { countBy, peakInWindow, type SeenCall } from './calls';

export interface CpuSeconds {
  workers: number[];
  server: number;
  postgres: number;
}

export interface KeptWindow {
  startMs: number;
  endMs: number;
  /** DTS calls only (never R-KVStore's: bench/calls.ts), those of the window. */
  calls: SeenCall[];
  /** Running setups and the sum of their history lengths at both ends. */
  before: { setups: number; events: number };
  after: { setups: number; events: number };
  /** Per worker, bytes. */
  rss: { peak: number; end: number }[];
  cpuBefore: CpuSeconds;
  cpuAfter: CpuSeconds;
  budget: number;
  callLogGap: boolean;
}

export function keptFigures(w: KeptWindow) {
  const hours = (w.endMs - w.startMs) / 3_600_000;
  const seconds = (w.endMs - w.startMs) / 1000;
  const pct = (cpuSeconds: number) => Math.round((100 * cpuSeconds) / seconds);
  const setups = Math.max(1, w.after.setups);
  return {
    setups: w.after.setups,
    minutes: Math.round((seconds / 60) * 10) / 10,
    dtsCalls: w.calls.length,
    byAction: countBy(w.calls, (c) => c.action),
    keptCallsPerHour: Math.round(w.calls.length / hours),
    callsPerSetupPerHour: Math.round((w.calls.length / hours / setups) * 100) / 100,
    peakSlidingSecond: peakInWindow(w.calls.map((c) => c.atMs)).count,
    budgetPerSecond: w.budget,
    callLogGap: w.callLogGap,
    historyEventsPerSetupPerHour: Math.round(((w.after.events - w.before.events) / setups / hours) * 10) / 10,
    workerRssMb: w.rss.map((r) => ({ peak: Math.round(r.peak / 1048576), end: Math.round(r.end / 1048576) })),
    cpuPercentOfOneCore: {
      workers: w.cpuAfter.workers.map((c, i) => pct(c - (w.cpuBefore.workers[i] ?? 0))),
      temporalServer: pct(w.cpuAfter.server - w.cpuBefore.server),
      postgres: pct(w.cpuAfter.postgres - w.cpuBefore.postgres),
    },
  };
}

export type KeptFigures = ReturnType<typeof keptFigures>;

/** Adds `fields` to summary-<N>.json, keeping what other benches wrote there (apiMs, the run's figures). */
export function mergeSummary(file: string, setups: number, fields: Record<string, unknown>): Record<string, unknown> {
  const earlier = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>) : { setups };
  const merged = { ...earlier, ...fields };
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(merged, null, 2)}\n`);
  return merged;
}
