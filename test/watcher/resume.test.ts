import { describe, expect, it } from 'vitest';
import { MockActivityEnvironment } from '@temporalio/testing';
import type { Client } from '@temporalio/client';
import { defaultPayloadConverter, toPayloads, TypedSearchAttributes } from '@temporalio/common';
import type { DtsClient } from '../../activities/dts/client';
import type { InstanceClaims } from '../../activities/instance-claims';
import { roundPauseMs, watchDtsStatuses, type WatchProgress } from '../../activities/watch-statuses';
import { DtsJobIdKey, SyncPhaseKey, SyncRegionKey } from '../../core/search-attributes';
import type { WatchInput } from '../../core/watcher';
import { watcherProblem } from '../../worker/health';

// The watch loop against a scripted DTS status board and visibility listing: which setups it signals
// when it starts fresh and when a retry resumes from the last heartbeat's details.
const converter = { payloadConverter: defaultPayloadConverter, payloadCodecs: [] };
const SETUPS = ['a', 'b', 'c'].map((id) => ({ workflowId: `sync-${id}`, jobId: `dts-${id}` }));

/** Listings made, by the phases asked for (the query's `SyncPhase IN (...)`). */
type Listings = Record<string, number>;

/** `phases[k]`: every setup's phase from the k-th listing of the waiting phases on (the last one stays). */
function fakes(
  signals: string[],
  listings: Listings = {},
  phases = ['waiting-forward'],
  settledListingMs = 0,
  dtsCalls: { action: string; atMs: number }[] = [],
  setups: { workflowId: string; jobId: string; region?: string; api?: string }[] = SETUPS,
  historyReads = { count: 0 },
) {
  const client = {
    workflowService: {
      getWorkflowExecutionHistory: async () => {
        historyReads.count += 1;
        return {
          history: {
            events: [
              {
                workflowExecutionStartedEventAttributes: {
                  input: { payloads: toPayloads(defaultPayloadConverter, { request: { region: 'cn-hangzhou' } }) },
                },
              },
            ],
          },
        };
      },
    },
    workflow: {
      options: { loadedDataConverter: converter },
      list: async function* ({ query }: { query: string }) {
        const asked = /SyncPhase IN \(([^)]*)\)/.exec(query)?.[1] ?? '';
        listings[asked] = (listings[asked] ?? 0) + 1;
        const phase = phases[Math.min((listings[WAITING] ?? 1) - 1, phases.length - 1)] ?? 'waiting-forward';
        if (asked === SETTLED) await new Promise((resolve) => setTimeout(resolve, settledListingMs));
        if (!asked.includes(`'${phase}'`)) return;
        for (const s of setups) {
          yield {
            workflowId: s.workflowId,
            runId: `run-${s.workflowId}`,
            typedSearchAttributes: new TypedSearchAttributes([
              { key: DtsJobIdKey, value: s.jobId },
              { key: SyncPhaseKey, value: phase },
              ...(s.region ? [{ key: SyncRegionKey, value: s.region }] : []),
            ]),
            ...(s.api ? { memo: { status: { dtsApi: s.api } } } : {}),
          };
        }
      },
      getHandle: (workflowId: string) => ({
        signal: async (_def: unknown, news: { direction: string; status: string }) => {
          signals.push(`${workflowId} ${news.direction} ${news.status}`);
        },
      }),
    },
  } as unknown as Client;
  const dts = {
    budget: () => ({ perSecond: 20, waiting: 0 }),
    call: async (action: string) => {
      dtsCalls.push({ action, atMs: Date.now() });
      // The sweep finds no instance beyond the setups' own.
      if (action === 'DescribeSynchronizationJobs') return { TotalRecordCount: 0, SynchronizationInstances: [] };
      return statusList(setups);
    },
  } as unknown as DtsClient;
  return { client, dts };
}

function statusList(setups = SETUPS) {
  return {
    TotalRecordCount: setups.length,
    SynchronizationJobListStatusList: setups.map((s) => ({
      SynchronizationJobId: s.jobId,
      SynchronizationDirectionInfoList: [{ SynchronizationDirection: 'Forward', Status: 'Synchronizing' }],
    })),
  };
}

async function rounds(
  count: number,
  heartbeatDetails?: WatchProgress,
  minIntervalMs = 1_000,
  { intervalMs = 5_000, phases = ['waiting-forward'], settledListingMs = 0 } = {},
) {
  const signals: string[] = [];
  const beats: WatchProgress[] = [];
  const listings: Listings = {};
  const env = new MockActivityEnvironment({ heartbeatDetails, heartbeatTimeoutMs: 30_000 });
  env.on('heartbeat', (d: WatchProgress) => {
    beats.push(d);
    if (d.step === 'sleeping' && beats.filter((b) => b.step === 'sleeping').length === count) env.cancel();
  });
  const input = { taskQueue: 'q', namespace: 'default', intervalMs, minIntervalMs, batchSize: 50 };
  await env
    .run(watchDtsStatuses, { ...fakes(signals, listings, phases, settledListingMs) }, input)
    .catch(() => undefined);
  return { signals, beats, listings };
}

const WAITING = "'waiting-forward', 'waiting-reverse'";
const SETTLED = "'synchronizing', 'needs-attention'";
const oneRound = (heartbeatDetails?: WatchProgress) => rounds(1, heartbeatDetails);

describe('status watcher heartbeats and resume', () => {
  it('signals each change once and heartbeats every step with the statuses seen', async () => {
    const { signals, beats } = await oneRound();
    expect(signals.sort()).toEqual(SETUPS.map((s) => `${s.workflowId} Forward synchronizing`));
    expect(beats.map((b) => b.step)).toEqual(['listing', 'reading', 'sleeping']);
    expect(beats.at(-1)!.seen).toEqual(Object.fromEntries(SETUPS.map((s) => [`${s.jobId}/Forward`, 'synchronizing'])));
  });

  it('heartbeats while it reads the region of many new setups, not only once they are all read', async () => {
    const many = Array.from({ length: 45 }, (_, i) => ({ workflowId: `sync-${i}`, jobId: `dts-${i}` }));
    const beats: WatchProgress[] = [];
    const env = new MockActivityEnvironment({ heartbeatTimeoutMs: 30_000 });
    env.on('heartbeat', (d: WatchProgress) => {
      beats.push(d);
      if (d.step === 'sleeping') env.cancel();
    });
    const input = { taskQueue: 'q', namespace: 'default', intervalMs: 5_000, minIntervalMs: 1_000, batchSize: 50 };
    await env.run(watchDtsStatuses, fakes([], {}, undefined, 0, [], many), input).catch(() => undefined);
    const listing = beats.filter((b) => b.step === 'listing').map((b) => [b.done, b.of]);
    expect(listing).toEqual([
      [0, 0],
      [20, 45],
      [40, 45],
    ]);
  });

  it('reads no history for setups whose region and family the listing names', async () => {
    const named = SETUPS.map((s) => ({ ...s, region: 'cn-hangzhou', api: 'synchronizationjob' }));
    const historyReads = { count: 0 };
    const signals: string[] = [];
    const env = new MockActivityEnvironment({ heartbeatTimeoutMs: 30_000 });
    env.on('heartbeat', (d: WatchProgress) => d.step === 'sleeping' && env.cancel());
    const input = { taskQueue: 'q', namespace: 'default', intervalMs: 5_000, minIntervalMs: 1_000, batchSize: 50 };
    const deps = fakes(signals, {}, undefined, 0, [], named, historyReads);
    await env.run(watchDtsStatuses, deps, input).catch(() => undefined);
    expect(historyReads.count).toBe(0);
    // Read and signalled as those whose region comes from their history.
    expect(signals.sort()).toEqual(SETUPS.map((s) => `${s.workflowId} Forward synchronizing`));

    // Without them, each run's history is read once.
    const fallback = { count: 0 };
    const env2 = new MockActivityEnvironment({ heartbeatTimeoutMs: 30_000 });
    env2.on('heartbeat', (d: WatchProgress) => d.step === 'sleeping' && env2.cancel());
    await env2.run(watchDtsStatuses, fakes([], {}, undefined, 0, [], SETUPS, fallback), input).catch(() => undefined);
    expect(fallback.count).toBe(SETUPS.length);
  });

  it('a retry resumes from the heartbeat details: only what the first copy had not signalled goes out', async () => {
    const seen = { 'dts-a/Forward': 'synchronizing', 'dts-b/Forward': 'synchronizing' };
    const { signals, beats } = await oneRound({ round: 7, step: 'signalling', done: 2, of: 3, seen });
    expect(signals).toEqual(['sync-c Forward synchronizing']);
    expect(beats[0]!.round).toBe(8);
  });

  it('lists the watched setups again only after the longest pause, not every round', async () => {
    const { beats, listings, signals } = await rounds(3, undefined, 200);
    expect(beats.filter((b) => b.step === 'sleeping').map((b) => b.round)).toEqual([1, 2, 3]);
    expect(listings).toEqual({ [WAITING]: 1, [SETTLED]: 1 });
    expect(signals).toHaveLength(SETUPS.length);
  });

  it('a kept fleet costly to list is listed at 5 % of the store time; the waiting phases every interval', async () => {
    // 50 ms a settled listing: listed again after 1 s, so once in 4 rounds of 100 ms.
    const options = { intervalMs: 100, phases: ['synchronizing'], settledListingMs: 50 };
    const { beats, listings, signals } = await rounds(4, undefined, 100, options);
    expect(beats.filter((b) => b.step === 'listing')).toHaveLength(4);
    expect(listings).toEqual({ [WAITING]: 4, [SETTLED]: 1 });
    // Synchronizing is no news for a synchronizing setup.
    expect(signals).toEqual([]);
  });

  it('a kept fleet cheap to list is listed every interval', async () => {
    // 1 s apart: "cheap" is a listing under 50 ms, which a busy machine's event loop alone can exceed at 300 ms.
    const { listings } = await rounds(3, undefined, 1_000, { intervalMs: 1_000, phases: ['synchronizing'] });
    expect(listings).toEqual({ [WAITING]: 3, [SETTLED]: 3 });
  });

  it('lists the kept fleet again as soon as a waiting setup has moved on', async () => {
    const phases = ['waiting-reverse', 'waiting-reverse', 'synchronizing'];
    const { listings } = await rounds(4, undefined, 100, { intervalMs: 100, phases, settledListingMs: 50 });
    // Once at the start, once when the setups left waiting-reverse (third listing), not in the fourth.
    expect(listings).toEqual({ [WAITING]: 4, [SETTLED]: 2 });
  });
});

type DtsCall = { action: string; atMs: number };
const STATUS_LIST = 'DescribeSynchronizationJobStatusList';

/** The watch until `done(calls)` holds at a heartbeat, on a roomy budget: the DTS calls it made, in order. */
async function watchUntil(
  input: Partial<WatchInput>,
  phases: string[],
  done: (calls: DtsCall[]) => boolean,
  claims?: InstanceClaims,
): Promise<DtsCall[]> {
  const calls: DtsCall[] = [];
  const env = new MockActivityEnvironment({ heartbeatTimeoutMs: 30_000 });
  env.on('heartbeat', () => {
    if (done(calls)) env.cancel();
  });
  const deps = fakes([], {}, phases, 0, calls);
  deps.dts.budget = () => ({ perSecond: 1000, waiting: 0 });
  const base = { taskQueue: 'q', namespace: 'default', intervalMs: 50, minIntervalMs: 20, batchSize: 50 };
  await env.run(watchDtsStatuses, { ...deps, claims }, { ...base, ...input }).catch(() => undefined);
  return calls;
}

const gaps = (calls: DtsCall[], action: string) =>
  calls
    .filter((c) => c.action === action)
    .map((c, i, all) => c.atMs - (all[i - 1]?.atMs ?? c.atMs))
    .slice(1);

describe('status watcher cost follows need', () => {
  it('reads a settled fleet once per settled interval, though it lists it at the waiting pace', async () => {
    const calls = await watchUntil({ settledIntervalMs: 300 }, ['synchronizing'], (c) => reads(c) >= 4);
    // At the waiting pace these would be 20 ms apart (a round's listing may come between its start and its read).
    for (const gap of gaps(calls, STATUS_LIST)) expect(gap).toBeGreaterThanOrEqual(250);
  });

  it('reads at the waiting pace as soon as a setup starts waiting, without waiting out the settled pause', async () => {
    // The setups wait from the fourth listing on (about 150 ms in); the settled pause is 20 s.
    const phases = ['synchronizing', 'synchronizing', 'synchronizing', 'waiting-forward'];
    const started = Date.now();
    const calls = await watchUntil({ settledIntervalMs: 20_000 }, phases, (c) => reads(c) >= 3);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(gaps(calls, STATUS_LIST).at(-1)).toBeLessThan(1_000);
  });

  it('a watcher started without a settled interval keeps the waiting pace throughout', async () => {
    const calls = await watchUntil({}, ['synchronizing'], (c) => reads(c) >= 4);
    for (const gap of gaps(calls, STATUS_LIST)) expect(gap).toBeLessThan(250);
  });

  const claims = { owner: async () => undefined } as unknown as InstanceClaims;
  const sweepPace = { settledIntervalMs: 20, unclaimedSettleMs: 10_000, sweepIntervalMs: 100, sweepMaxIntervalMs: 400 };
  const sweeps = (c: DtsCall[]) => c.filter((call) => call.action === 'DescribeSynchronizationJobs').length;

  it('the unclaimed-instance sweep doubles its pause while nothing changes, up to its maximum', async () => {
    const calls = await watchUntil(sweepPace, ['synchronizing'], (c) => sweeps(c) >= 5, claims);
    const between = gaps(calls, 'DescribeSynchronizationJobs');
    expect(between[0]).toBeLessThan(300);
    expect(between.at(-1)).toBeGreaterThanOrEqual(400);
  });

  it('the sweep keeps its first pause while a setup waits', async () => {
    const calls = await watchUntil(sweepPace, ['waiting-forward'], (c) => sweeps(c) >= 4, claims);
    for (const gap of gaps(calls, 'DescribeSynchronizationJobs')) expect(gap).toBeLessThan(300);
  });
});

const reads = (calls: DtsCall[]) => calls.filter((c) => c.action === STATUS_LIST).length;

describe('status watcher pace', () => {
  const input = { intervalMs: 5_000, minIntervalMs: 1_000 };
  it('rounds every second while the budget has room, slower when a round is a large share of it', () => {
    expect(roundPauseMs(input, 4, { perSecond: 20, waiting: 0 })).toBe(1_000);
    // A round of waiting setups may take half the budget.
    expect(roundPauseMs(input, 20, { perSecond: 20, waiting: 0 })).toBe(2_000);
    // 5,000 waiting setups: 100 pages a round stay within half of the budget.
    expect(roundPauseMs(input, 100, { perSecond: 20, waiting: 3 })).toBe(10_000);
    // 200 waiting setups at budget 40 (7 pages): every half second, not every 0.7 s.
    expect(roundPauseMs({ intervalMs: 5_000, minIntervalMs: 500 }, 7, { perSecond: 40, waiting: 5 })).toBe(500);
  });
  it('reads a settled fleet at the settled interval, or slower when a round is a large share of the budget', () => {
    const settled = { ...input, settledIntervalMs: 30_000 };
    expect(roundPauseMs(settled, 1, { perSecond: 20, waiting: 0 }, false)).toBe(30_000);
    expect(roundPauseMs(settled, 200, { perSecond: 20, waiting: 0 }, false)).toBe(40_000);
    // A waiting setup brings back the fast pace.
    expect(roundPauseMs(settled, 1, { perSecond: 20, waiting: 0 }, true)).toBe(1_000);
  });
  it('falls back to the longest pause while more than a second of calls wait for a slot', () => {
    expect(roundPauseMs(input, 1, { perSecond: 20, waiting: 3 })).toBe(1_000);
    expect(roundPauseMs(input, 1, { perSecond: 20, waiting: 25 })).toBe(5_000);
  });
});

describe('worker health check', () => {
  const line = (at: number) =>
    `dts_status_watcher_last_round_timestamp_seconds{namespace="default",task_queue="q"} ${at}`;
  it('fails when this worker runs the watcher and its last round is too old', () => {
    expect(watcherProblem(`# HELP x\n${line(1000)}\n`, 1100, 120)).toBeUndefined();
    expect(watcherProblem(`${line(1000)}\n`, 1200, 120)).toMatch(/last round ended 200 s ago/);
  });
  it('passes when the watcher runs elsewhere (no gauge, or 0 after it moved)', () => {
    expect(watcherProblem('dts_calls{action="x"} 3\n', 5000, 120)).toBeUndefined();
    expect(watcherProblem(`${line(0)}\n`, 5000, 120)).toBeUndefined();
  });
});
