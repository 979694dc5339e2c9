import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setupStatusQuery } from '../../core/messages';
import { redisSync } from '../../workflows/redis-sync';
import type { DtsApi, SetupStatus, SetupRequest } from '../../core/types';
import type { CallRecord } from '../../emulator/calls';
import { FAST, syncRequest } from '../support/requests';
import { eventually, startStack, type Stack } from '../support/stack';
import { registerPair } from '../support/instances';

// A kept two-way setup and nothing else, on the real worker, dev server and emulator: the status watcher reads
// at its settled pace (not every half second), and still reports a job that turns Failed within that pace.
// The setup's own health check is an hour away, so whatever DTS sees comes from the watcher. Both DTS API
// families: the DtsJob one (the default) reads statuses and sweeps with the same action, told apart by the filter.
const SETTLED_MS = 3_000;
const FAMILIES: { api: DtsApi; isRead: (c: CallRecord) => boolean; isSweep: (c: CallRecord) => boolean }[] = [
  {
    api: 'synchronizationjob',
    isRead: (c) => c.action === 'DescribeSynchronizationJobStatusList',
    isSweep: (c) => c.action === 'DescribeSynchronizationJobs',
  },
  {
    api: 'dtsjob',
    isRead: (c) => c.action === 'DescribeDtsJobs' && !!c.params.DtsInstanceId,
    isSweep: (c) => c.action === 'DescribeDtsJobs' && !c.params.DtsInstanceId,
  },
];
let stack: Stack;

const calls = async () => (await stack.admin<{ calls: CallRecord[] }>('calls')).calls;

async function startSetup(api: DtsApi, instance: Record<string, unknown> = {}) {
  const base = syncRequest();
  const tag = randomUUID().slice(0, 8);
  const request: SetupRequest = {
    ...base,
    source: { ...base.source, instanceId: `r-quiet-src-${tag}` },
    destination: { ...base.destination, instanceId: `r-quiet-dst-${tag}` },
  };
  await registerPair(stack, request, instance);
  const handle = await stack.client.workflow.start(redisSync, {
    workflowId: `quiet-${tag}`,
    taskQueue: stack.taskQueue,
    // As the API starts it: in the family DTS_API names.
    args: [{ request, tuning: { ...FAST, monitorInterval: '1h' }, api }],
  });
  return { request, query: () => handle.query(setupStatusQuery) };
}

async function keptSetup(
  api: DtsApi,
): Promise<{ request: SetupRequest; status: SetupStatus; query: () => Promise<SetupStatus> }> {
  const { request, query } = await startSetup(api);
  const status = await eventually(async () => ((await query()).phase === 'synchronizing' ? query() : undefined), {
    timeoutMs: 60_000,
    what: 'the two-way setup synchronizing',
  });
  return { request, status, query };
}

describe.each(FAMILIES)('the status watcher with only a settled setup to watch ($api)', ({ api, isRead, isSweep }) => {
  beforeAll(async () => {
    stack = await startStack({
      worker: {
        statusWatchIntervalMs: 300,
        statusWatchMinIntervalMs: 200,
        statusWatchSettledIntervalMs: SETTLED_MS,
        unclaimedSweepIntervalMs: 1_000,
        unclaimedSweepMaxIntervalMs: 60_000,
        dtsApi: api,
      },
    });
  });
  afterAll(() => stack?.stop());

  it('reads once per settled interval, and a job that turns Failed is reported within it', async () => {
    const { request, status, query } = await keptSetup(api);
    expect(status.reverse?.status).toBe('synchronizing');
    // Three reads from now on: at the waiting pace (0.2 s) they would take well under a second.
    const mark = Math.max(0, ...(await calls()).map((c) => c.seq));
    const window = await eventually(
      async () => {
        const after = (await calls()).filter((c) => c.seq > mark);
        const reads = after.filter(isRead);
        return reads.length >= 4 ? after.filter((c) => c.seq >= reads[1]!.seq && c.seq <= reads[3]!.seq) : undefined;
      },
      { timeoutMs: 8 * SETTLED_MS, intervalMs: 200, what: 'four status reads' },
    );
    const spanMs = Date.parse(window.at(-1)!.time) - Date.parse(window[0]!.time);
    // A round's start (which the pace counts from) may come a little before its read.
    expect(spanMs).toBeGreaterThanOrEqual(2 * SETTLED_MS - 500);
    // Besides the reads, at most the unclaimed-instance sweep, slowing down: nothing per setup.
    const others = window.filter((c) => !isRead(c));
    expect(others.filter((c) => !isSweep(c)).map((c) => c.action)).toEqual([]);
    expect(others.length).toBeLessThanOrEqual(2);

    const failedAt = Date.now();
    await stack.admin('faults', {
      action: '*',
      instanceId: request.source.instanceId,
      direction: 'Forward',
      kind: 'fail-later',
      afterMs: 0,
      count: 1,
    });
    // The keeper restarts a Failed direction as soon as it hears of it: the restart shows in its status.
    await eventually(async () => ((await query()).forward.restarts >= 1 ? true : undefined), {
      timeoutMs: SETTLED_MS + 10_000,
      intervalMs: 100,
      what: 'the Failed Forward reflected in the setup',
    });
    expect(Date.now() - failedAt).toBeLessThan(SETTLED_MS + 3_000);
  });

  it.runIf(api === 'dtsjob')('while another setup waits, reads the settled one only at the settled pace', async () => {
    const kept = await keptSetup(api);
    // A source of 100 GB: its initialization outlasts the test, so this setup waits for DTS throughout.
    const slow = await startSetup(api, { dataSizeMb: 100_000 });
    const slowJob = await eventually(
      async () => ((await slow.query()).phase === 'waiting-forward' ? (await slow.query()).dtsJobId : undefined),
      { timeoutMs: 30_000, what: 'the slow setup waiting for DTS' },
    );
    const asks = (c: CallRecord, id: string | undefined) => isRead(c) && String(c.params.DtsInstanceId).includes(id!);
    const mark = Math.max(0, ...(await calls()).map((c) => c.seq));
    const after = await eventually(
      async () => {
        const read = (await calls()).filter((c) => c.seq > mark);
        return read.filter((c) => asks(c, kept.status.dtsJobId)).length >= 3 ? read : undefined;
      },
      { timeoutMs: 6 * SETTLED_MS, intervalMs: 200, what: 'three reads of the settled setup' },
    );
    const times = (id: string | undefined) => after.filter((c) => asks(c, id)).map((c) => Date.parse(c.time));
    const settled = times(kept.status.dtsJobId);
    const span = (t: number[]) => t.at(-1)! - t[0]!;
    // The waiting one at the waiting pace (0.2-0.3 s), the settled one once per settled interval.
    expect(times(slowJob).length).toBeGreaterThan(settled.length * 3);
    expect(span(settled.slice(0, 3))).toBeGreaterThanOrEqual(2 * SETTLED_MS - 500);
  });
});
