import { describe, expect, it } from 'vitest';
import {
  DEFAULT_LIMITS,
  growSummary,
  isErrorLine,
  logProblem,
  planSteps,
  readingProblem,
  startsPerSecond,
  stepMinutes,
  stepProblem,
  timeProblem,
  type StepRecord,
} from '../../bench/grow-rules';
import { keptFigures } from '../../bench/kept-figures';

const healthy = { rssMb: [400, 380], watcherAgeS: 12, logProblems: [] };
const held = { target: 1000, synchronizing: 1000, syncWaitMin: 6.2, visibilityLagS: 2 };

describe('bench:grow steps and pace', () => {
  it('takes sizes as given or every --step up to --grow-to', () => {
    expect(planSteps('1000,2000,3000')).toEqual([1000, 2000, 3000]);
    expect(planSteps(undefined, 60, 30)).toEqual([30, 60]);
    expect(planSteps(undefined, 1000, 300)).toEqual([300, 600, 900, 1000]);
    expect(planSteps(undefined, 500)).toEqual([500]);
  });

  it('refuses sizes that are not increasing positive integers, naming the flag', () => {
    expect(() => planSteps('1000,500')).toThrow(/--grow sizes must increase/);
    expect(() => planSteps('10,x')).toThrow(/--grow takes fleet sizes/);
    expect(() => planSteps(undefined, 100, 0)).toThrow(/--step/);
    expect(() => planSteps(undefined)).toThrow(/--grow-to/);
  });

  it('starts as many setups a second as the budget pays for', () => {
    expect(startsPerSecond(40)).toBe(5);
    expect(startsPerSecond(20, 4)).toBe(5);
  });
});

describe('bench:grow within a time window', () => {
  it('estimates a step as its starts at the pace, the settling and the kept window', () => {
    expect(stepMinutes(1000, 5, 3)).toBeCloseTo(1000 / 5 / 60 + 2 + 3);
  });

  it('begins a step only when it should end within --max-min', () => {
    expect(timeProblem(10, 2000, 8.3, 20)).toBeUndefined();
    expect(timeProblem(12, 2000, 8.3, 20)).toBe('time: the step to 2000 would end after 21 min (limit 20 min)');
  });
});

describe('bench:grow stop conditions', () => {
  it('goes on while every reading is within the limits', () => {
    expect(readingProblem(healthy, DEFAULT_LIMITS)).toBeUndefined();
    expect(readingProblem({ ...healthy, watcherAgeS: undefined }, DEFAULT_LIMITS)).toBeUndefined();
    expect(stepProblem(held, DEFAULT_LIMITS)).toBeUndefined();
    expect(stepProblem({ ...held, cpuPercent: 80, machineCpuPercent: 100 }, DEFAULT_LIMITS)).toBeUndefined();
  });

  it('stops on a worker over the RSS limit, naming the size', () => {
    expect(readingProblem({ ...healthy, rssMb: [400, 2100] }, DEFAULT_LIMITS)).toBe('worker RSS 2100 MB over 2048 MB');
  });

  it('stops when the status watcher falls behind', () => {
    expect(readingProblem({ ...healthy, watcherAgeS: 121 }, DEFAULT_LIMITS)).toMatch(/status watcher behind: .*121 s/);
  });

  it('stops on RESOURCE_EXHAUSTED, an out-of-memory or an ended process in the logs, and only on those', () => {
    expect(logProblem('error: 8 RESOURCE_EXHAUSTED: grpc: received message larger than max')).toBe(
      'RESOURCE_EXHAUSTED',
    );
    expect(logProblem('FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory')).toBe(
      'out of memory',
    );
    expect(logProblem('=== worker-2 exited (SIGKILL) at 2026-12-06T16:55:37.541Z')).toBe('worker-2 exited');
    expect(logProblem('  error: ApplicationFailure: DescribeDtsJobs timed out')).toBeUndefined();
    expect(logProblem('=== worker-2 started at 2026-12-06T16:51:35.829Z')).toBeUndefined();
    const problem = readingProblem(
      { ...healthy, logProblems: ['RESOURCE_EXHAUSTED', 'RESOURCE_EXHAUSTED'] },
      DEFAULT_LIMITS,
    );
    expect(problem).toBe('logs: RESOURCE_EXHAUSTED');
  });

  it('counts error lines of the workers and the server apart from stop problems', () => {
    expect(isErrorLine('  error: ApplicationFailure: DescribeDtsJobs timed out')).toBe(true);
    expect(isErrorLine('{"level":"error","ts":"2026-12-06T16:55:38.577Z","msg":"x"}')).toBe(true);
    expect(isErrorLine('{"level":"warn","msg":"Failed to poll for task."}')).toBe(false);
    expect(isErrorLine('      at classifyDtsError (activities/dts/errors.ts:112:12)')).toBe(false);
  });

  it('stops when a step is not all synchronizing in time, names the count', () => {
    expect(stepProblem({ ...held, synchronizing: 870, syncWaitMin: 15.2 }, DEFAULT_LIMITS)).toBe(
      '870 of 1000 setups synchronizing after 15.2 min (limit 15)',
    );
  });

  it('stops when visibility lags or never counts every started setup', () => {
    expect(stepProblem({ ...held, visibilityLagS: 75 }, DEFAULT_LIMITS)).toBe('visibility lag 75 s (limit 60 s)');
    expect(stepProblem({ ...held, visibilityLagS: undefined }, DEFAULT_LIMITS)).toMatch(/visibility lag unbounded/);
  });

  it("stops when prod-local's processes saturate the cores over the kept window", () => {
    expect(stepProblem({ ...held, cpuPercent: 92 }, DEFAULT_LIMITS)).toMatch(/CPU saturated: prod-local used 92 %/);
  });
});

describe('bench:grow summary', () => {
  const kept = keptFigures({
    startMs: 0,
    endMs: 180_000,
    calls: Array.from({ length: 90 }, (_, i) => ({ seq: i, atMs: i * 2000, action: 'DescribeDtsJobs', outcome: 'ok' })),
    before: { setups: 1000, events: 50_000 },
    after: { setups: 1000, events: 51_500 },
    rss: [
      { peak: 500 * 1048576, end: 450 * 1048576 },
      { peak: 300 * 1048576, end: 290 * 1048576 },
    ],
    cpuBefore: { workers: [10, 20], server: 100, postgres: 50 },
    cpuAfter: { workers: [28, 29], server: 136, postgres: 59 },
    budget: 40,
    callLogGap: false,
  });

  it('turns a kept window into per-hour and per-setup figures', () => {
    expect(kept).toMatchObject({
      setups: 1000,
      minutes: 3,
      dtsCalls: 90,
      byAction: { DescribeDtsJobs: 90 },
      keptCallsPerHour: 1800,
      callsPerSetupPerHour: 1.8,
      peakSlidingSecond: 1,
      historyEventsPerSetupPerHour: 30,
      workerRssMb: [
        { peak: 500, end: 450 },
        { peak: 300, end: 290 },
      ],
      cpuPercentOfOneCore: { workers: [10, 5], temporalServer: 20, postgres: 5 },
    });
  });

  const step = (target: number, extra: Partial<StepRecord> = {}): StepRecord => ({
    ...held,
    target,
    synchronizing: target,
    started: target / 2,
    startSeconds: 100,
    startsPerSecond: 5,
    phases: { synchronizing: target },
    growPeakSlidingSecond: 38,
    growDtsCalls: 4000,
    logErrors: {},
    kept,
    ...extra,
  });

  it('names the largest step held and what broke first', () => {
    const stop = 'worker RSS 2100 MB over 2048 MB';
    const summary = growSummary([step(500), step(1000), step(1500, { stop, kept: undefined })], 40, stop);
    expect(summary).toMatchObject({
      budgetPerSecond: 40,
      largestHeld: 1000,
      stopReason: stop,
      busiestSlidingSecond: 38,
    });
    expect(summary.steps).toHaveLength(3);
  });

  it('holds nothing when the first step broke, and every step when none did', () => {
    expect(growSummary([step(500, { stop: 'x', kept: undefined })], 40, 'x').largestHeld).toBe(0);
    expect(growSummary([step(500), step(1000)], 40)).toMatchObject({ largestHeld: 1000, stopReason: null });
  });

  it('a step that broke in its kept window is not held', () => {
    expect(growSummary([step(500), step(1000, { stop: 'CPU saturated' })], 40, 'CPU saturated').largestHeld).toBe(500);
  });
});
