// What `npm run bench:grow` decides: the steps, the pace of starts, when to stop growing and why, and the
// summary of the steps it held. Pure: the unit tests drive it with made-up readings.
import type { KeptFigures } from './kept-figures';
import type { Percentiles } from './summary';

export interface GrowLimits {
  /** Minutes a step may take, from its first start, until every setup of the step is synchronizing. */
  syncTimeoutMin: number;
  /** RSS of one worker. */
  maxRssMb: number;
  /** Seconds from a step's last start until visibility counts every started setup running. */
  maxVisibilityLagS: number;
  /** Seconds since the status watcher's last completed round (its settled rounds are 30 s apart). */
  maxWatcherAgeS: number;
  /** CPU of prod-local's processes over a kept window, in % of all the machine's cores. */
  maxCpuPercent: number;
}

export const DEFAULT_LIMITS: GrowLimits = {
  syncTimeoutMin: 15,
  maxRssMb: 2048,
  maxVisibilityLagS: 60,
  // The worker's own health check allows as much (worker/health.ts, WORKER_WATCHER_STALE_AFTER_S).
  maxWatcherAgeS: 120,
  maxCpuPercent: 90,
};

/** DTS calls a two-way setup makes until both directions synchronize (about 7.6 measured at N=1000). */
export const SETUP_CALLS = 8;

/** Starts a second that keep the setting-up within the DTS budget (the workers' limiter holds it anyway). */
export function startsPerSecond(budget: number, callsPerSetup = SETUP_CALLS): number {
  return Math.max(0.1, budget / callsPerSetup);
}

/** Minutes from a step's first start until its setups synchronize, beyond the starts (measured: 1-2 min). */
export const SETTLE_MIN = 2;

/** The minutes a step should take: its starts at the pace, the settling, the kept window. */
export function stepMinutes(newSetups: number, startsPerSecond: number, keepMin: number): number {
  return newSetups / startsPerSecond / 60 + SETTLE_MIN + keepMin;
}

/** Why the next step is not begun within --max-min, or undefined when it should end in time. */
export function timeProblem(elapsedMin: number, next: number, stepMin: number, maxMin: number): string | undefined {
  if (elapsedMin + stepMin <= maxMin) return undefined;
  return `time: the step to ${next} would end after ${Math.ceil(elapsedMin + stepMin)} min (limit ${maxMin} min)`;
}

/** `--grow 1000,2000,3000`, or `--grow-to N --step S` (S, 2S, ... N). */
export function planSteps(grow: string | undefined, growTo?: number, step?: number): number[] {
  if (grow !== undefined) {
    const steps = grow.split(',').map((s) => Number(s.trim()));
    if (steps.some((s) => !Number.isInteger(s) || s <= 0))
      throw new Error(`--grow takes fleet sizes, positive integers separated by commas (got "${grow}")`);
    if (steps.some((s, i) => i > 0 && s <= steps[i - 1]!))
      throw new Error(`--grow sizes must increase (got "${grow}")`);
    return steps;
  }
  if (!Number.isInteger(growTo) || growTo! <= 0) throw new Error('needs --grow A,B,... or --grow-to N [--step S]');
  const by = step ?? growTo!;
  if (!Number.isInteger(by) || by <= 0) throw new Error(`--step must be a positive integer (got ${step})`);
  const steps: number[] = [];
  for (let n = by; n < growTo!; n += by) steps.push(n);
  return [...steps, growTo!];
}

/** A log line that means the fleet no longer fits, or undefined. */
export function logProblem(line: string): string | undefined {
  if (line.includes('RESOURCE_EXHAUSTED')) return 'RESOURCE_EXHAUSTED';
  if (/heap out of memory/i.test(line)) return 'out of memory';
  // prod-local's own line when one of its processes ends (scripts/prod-local/processes.ts)
  const exited = /^=== (\S+) exited/.exec(line);
  if (exited) return `${exited[1]} exited`;
  return undefined;
}

/** A log line counted as an error (recorded, not a reason to stop: activity failures are retried). */
export function isErrorLine(line: string): boolean {
  return /^\s*error:|"level":"error"|\bERROR\b/.test(line);
}

/** What one reading (every few seconds) saw. */
export interface Reading {
  rssMb: number[];
  /** Undefined while no worker reports a completed round yet. */
  watcherAgeS?: number;
  /** Stop problems found in the logs since the start (logProblem). */
  logProblems: string[];
}

/** Why growing must stop now, or undefined. */
export function readingProblem(r: Reading, limits: GrowLimits): string | undefined {
  if (r.logProblems.length > 0) return `logs: ${[...new Set(r.logProblems)].join(', ')}`;
  const worst = Math.max(0, ...r.rssMb);
  if (worst > limits.maxRssMb) return `worker RSS ${worst} MB over ${limits.maxRssMb} MB`;
  if (r.watcherAgeS !== undefined && r.watcherAgeS > limits.maxWatcherAgeS)
    return `status watcher behind: last round ${Math.round(r.watcherAgeS)} s ago (limit ${limits.maxWatcherAgeS} s)`;
  return undefined;
}

/** How a step went, once its setups were started and waited for. */
export interface StepOutcome {
  target: number;
  synchronizing: number;
  /** From the step's first start until all synchronizing, or until given up. */
  syncWaitMin: number;
  /** Undefined: visibility never counted every started setup. */
  visibilityLagS?: number;
  /**
   * CPU of prod-local's processes over the kept window, % of all cores; undefined before it. Not the machine's
   * busy share (also recorded): on a shared machine other work would stop the run.
   */
  cpuPercent?: number;
  machineCpuPercent?: number;
}

export function stepProblem(o: StepOutcome, limits: GrowLimits): string | undefined {
  if (o.synchronizing < o.target)
    return `${o.synchronizing} of ${o.target} setups synchronizing after ${o.syncWaitMin.toFixed(1)} min (limit ${limits.syncTimeoutMin})`;
  if (o.visibilityLagS === undefined || o.visibilityLagS > limits.maxVisibilityLagS)
    return `visibility lag ${o.visibilityLagS === undefined ? 'unbounded' : `${Math.round(o.visibilityLagS)} s`} (limit ${limits.maxVisibilityLagS} s)`;
  if (o.cpuPercent !== undefined && o.cpuPercent >= limits.maxCpuPercent)
    return `CPU saturated: prod-local used ${o.cpuPercent} % of all cores over the kept window (limit ${limits.maxCpuPercent} %)`;
  return undefined;
}

export interface StepRecord extends StepOutcome {
  started: number;
  startSeconds: number;
  startsPerSecond: number;
  phases: Record<string, number>;
  /** Busiest sliding second of DTS calls (both workers) while the step grew, and all its DTS calls. */
  growPeakSlidingSecond: number;
  growDtsCalls: number;
  logErrors: Record<string, number>;
  kept?: KeptFigures;
  /** With --api: GET one and GET list after the kept window, and their failed answers. */
  apiMs?: Record<string, Percentiles>;
  apiErrors?: Record<string, number>;
  stop?: string;
}

/** The run in summary-<N>.json: every step, the largest held and what broke first. */
export function growSummary(steps: StepRecord[], budget: number, stop?: string) {
  const held = steps.filter((s) => !s.stop && s.kept);
  const last = held.at(-1);
  return {
    budgetPerSecond: budget,
    largestHeld: last?.target ?? 0,
    stopReason: stop ?? null,
    busiestSlidingSecond: Math.max(
      0,
      ...steps.map((s) => Math.max(s.growPeakSlidingSecond, s.kept?.peakSlidingSecond ?? 0)),
    ),
    steps,
  };
}
