import { randomUUID } from 'node:crypto';
import { WorkflowFailedError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { releaseSignal, retrySignal, setupStatusQuery } from '../../core/messages';
import { redisSync } from '../../workflows/redis-sync';
import type { Direction, SetupRequest } from '../../core/types';
import { FAST, syncRequest, type EmulatorCall, type EmulatorJob } from '../support/requests';
import { eventually, startStack, tairInstance, type Stack } from '../support/stack';
import { untilPhase } from '../support/setup-status';
import { registerPair } from '../support/instances';
import { STRICTEST_DIALECT } from '../../emulator/dialect';

let stack: Stack;

// The same scenarios against the default emulator and the strictest reading of DTS's documents
// (emulator/dialect.ts): the workflow must not rely on one reading.
const DIALECTS: [string, string | undefined][] = [
  ['default', undefined],
  ['strictest', STRICTEST_DIALECT],
];

// Each test uses its own instance pair, so tests never share emulator state.
let pair = 0;
function freshRequest(overrides: Partial<SetupRequest> = {}): SetupRequest {
  pair += 1;
  const base = syncRequest();
  const src = `r-wf-src-${pair}-${randomUUID().slice(0, 8)}`;
  const dst = `r-wf-dst-${pair}-${randomUUID().slice(0, 8)}`;
  return {
    ...base,
    ...overrides,
    source: { ...base.source, instanceId: src, ...overrides.source },
    destination: { ...base.destination, instanceId: dst, ...overrides.destination },
  };
}

async function start(request: SetupRequest, tuning: Record<string, unknown> = {}) {
  return stack.client.workflow.start(redisSync, {
    workflowId: `wf-test-${randomUUID()}`,
    taskQueue: stack.taskQueue,
    args: [{ request, tuning: { ...FAST, ...tuning } }],
  });
}

async function jobOf(id: string): Promise<EmulatorJob> {
  const { jobs } = await stack.admin<{ jobs: EmulatorJob[] }>('jobs');
  const job = jobs.find((j) => j.jobId === id);
  if (!job) throw new Error(`emulator has no job ${id}`);
  return job;
}

async function calls(): Promise<EmulatorCall[]> {
  return (await stack.admin<{ calls: EmulatorCall[] }>('calls')).calls;
}

function statusReachedAt(job: EmulatorJob, direction: Direction, status: string): number {
  const entry = job.directions[direction]?.history.find((h) => h.status.toLowerCase() === status.toLowerCase());
  if (!entry) throw new Error(`${direction} never reached ${status}`);
  return Date.parse(entry.at);
}

describe.each(DIALECTS)('redisSync workflow against the DTS emulator (%s dialect)', (dialectName, dialect) => {
  beforeAll(async () => {
    stack = await startStack({ emulator: { dialect } });
  });
  afterAll(() => stack?.stop());

  it('sets up one-way sync: one purchase, Forward configured once, ends Synchronizing', async () => {
    const request = freshRequest({ topology: 'oneway' });
    await registerPair(stack, request);
    const handle = await start(request);
    const status = await untilPhase(handle, 'synchronizing');
    expect(status.forward.status).toBe('synchronizing');
    expect(status.reverse).toBeUndefined();
    const job = await jobOf(status.dtsJobId!);
    expect(job.topology).toBe('oneway');
    expect(job.directions.Forward?.configureCount).toBe(1);
    expect(
      (await calls()).filter(
        (c) => c.action === 'CreateSynchronizationJob' && c.outcome === 'OK' && c.jobId === status.dtsJobId,
      ),
    ).toHaveLength(1);
    await handle.signal(releaseSignal);
    const final = await handle.result();
    expect(final.phase).toBe('released');
    expect((await jobOf(status.dtsJobId!)).released).toBe(true);
  });

  it('reacts to DTS through the batched status watcher, not its own slow polls', async () => {
    const request = freshRequest();
    await registerPair(stack, request);
    // Own polls every minute or more: only the watcher's signal can make this quick.
    const handle = await start(request, { firstPoll: '60s', maxPoll: '10m', monitorInterval: '10m' });
    const began = Date.now();
    const status = await untilPhase(handle, 'synchronizing', 30_000);
    expect(Date.now() - began).toBeLessThan(25_000);
    const reads = (await calls()).filter(
      (c) => c.action === 'DescribeSynchronizationJobStatus' && c.jobId === status.dtsJobId,
    );
    expect(reads.length).toBeLessThanOrEqual(8);
    expect((await calls()).some((c) => c.action === 'DescribeSynchronizationJobStatusList' && c.outcome === 'OK')).toBe(
      true,
    );
    await handle.cancel();
  });

  it('sets up two-way sync and configures Reverse only after Forward is Synchronizing', async () => {
    const request = freshRequest();
    await registerPair(stack, request);
    const handle = await start(request);
    const status = await untilPhase(handle, 'synchronizing');
    expect(status.reverse?.status).toBe('synchronizing');
    const job = await jobOf(status.dtsJobId!);
    expect(job.directions.Forward?.configureCount).toBe(1);
    expect(job.directions.Reverse?.configureCount).toBe(1);
    const forwardSynchronizing = statusReachedAt(job, 'Forward', 'Synchronizing');
    const reverseConfigured = Math.min(
      ...job.directions.Reverse!.history.filter((h) => h.status !== 'NotConfigured').map((h) => Date.parse(h.at)),
    );
    expect(reverseConfigured).toBeGreaterThanOrEqual(forwardSynchronizing);
    await handle.cancel();
  });

  it('stops at a failed precheck with DTS reasons, and resumes when the operator retries', async () => {
    const request = freshRequest({ topology: 'oneway' });
    await registerPair(stack, request);
    await stack.admin('instances', tairInstance(request.destination.instanceId!, 'not-what-the-request-says'));
    const handle = await start(request);
    const attention = await untilPhase(handle, 'needs-attention');
    expect(attention.attention?.failures.map((f) => f.item)).toContain('CHECK_AUTH_DEST');
    expect(attention.attention?.failures[0]?.repairMethod).toBeTruthy();
    expect(attention.dtsJobId).toBeTruthy();
    await registerPair(stack, request); // the operator fixes the password
    await handle.signal(retrySignal);
    const status = await untilPhase(handle, 'synchronizing');
    // Where DTS refuses Start after a failed precheck, Reset + Configure runs it again.
    expect((await jobOf(status.dtsJobId!)).directions.Forward?.configureCount).toBe(
      dialectName === 'strictest' ? 2 : 1,
    );
    await handle.cancel();
  });

  it('recovers a direction whose initialization failed by resetting and configuring it again', async () => {
    const request = freshRequest({ topology: 'oneway' });
    await registerPair(stack, request);
    await stack.admin('faults', { action: '*', instanceId: request.source.instanceId, kind: 'init-fail', count: 1 });
    const handle = await start(request);
    const status = await untilPhase(handle, 'synchronizing');
    expect(status.forward.restarts).toBeGreaterThanOrEqual(1);
    const job = await jobOf(status.dtsJobId!);
    expect(job.directions.Forward?.history.map((h) => h.status)).toContain('InitializeFailed');
    // DTS refuses Start on InitializeFailed: the direction is reset and configured again.
    expect(job.directions.Forward?.configureCount).toBe(2);
    await handle.cancel();
  });

  it('mends a Forward that failed while Reverse was being configured, then configures Reverse once', async () => {
    const request = freshRequest();
    await registerPair(stack, request);
    // Reverse configures are throttled while Forward turns Failed right after Synchronizing.
    await stack.admin('faults', {
      action: 'ConfigureSynchronizationJob',
      direction: 'Reverse',
      kind: 'throttling',
      count: 3,
    });
    await stack.admin('faults', {
      action: '*',
      instanceId: request.source.instanceId,
      direction: 'Forward',
      kind: 'fail-later',
      afterMs: 1_500,
      count: 1,
    });
    const handle = await start(request);
    const status = await untilPhase(handle, 'synchronizing', 60_000);
    const job = await jobOf(status.dtsJobId!);
    expect(job.directions.Forward?.history.map((h) => h.status)).toContain('Failed');
    expect(job.directions.Forward?.startCount).toBeGreaterThanOrEqual(1);
    expect(job.directions.Reverse?.configureCount).toBe(1);
    expect(status.reverse?.status).toBe('synchronizing');
    await handle.cancel();
  });

  it('retries throttling and 5xx answers without buying twice', async () => {
    const request = freshRequest({ topology: 'oneway' });
    await registerPair(stack, request);
    await stack.admin('faults', { action: 'CreateSynchronizationJob', kind: 'throttling', count: 2 });
    await stack.admin('faults', { action: 'ConfigureSynchronizationJob', kind: 'unavailable', count: 1 });
    await stack.admin('faults', { action: 'ConfigureSynchronizationJob', kind: 'bad-gateway-html', count: 1 });
    const handle = await start(request);
    const status = await untilPhase(handle, 'synchronizing');
    const purchases = (await calls()).filter(
      (c) => c.action === 'CreateSynchronizationJob' && c.outcome === 'OK' && c.jobId === status.dtsJobId,
    );
    expect(purchases).toHaveLength(1);
    expect((await jobOf(status.dtsJobId!)).directions.Forward?.configureCount).toBe(1);
    await handle.cancel();
  });

  // Under clientToken=ignored a lost purchase answer buys a second instance: finding and adopting
  // it (issue 10, "No orphan, even without ClientToken") is not built yet.
  it.skipIf(dialectName === 'strictest')(
    'buys once when the purchase answer is lost after DTS bought the instance',
    async () => {
      const request = freshRequest({ topology: 'oneway' });
      await registerPair(stack, request);
      await stack.admin('faults', { action: 'CreateSynchronizationJob', kind: 'drop-after', count: 1 });
      await stack.admin('faults', {
        action: 'ConfigureSynchronizationJob',
        kind: 'delay-after',
        delayMs: 3_000,
        count: 1,
      });
      const handle = await start(request);
      const status = await untilPhase(handle, 'synchronizing');
      const tokenCalls = (await calls()).filter(
        (c) => c.action === 'CreateSynchronizationJob' && c.jobId === status.dtsJobId,
      );
      expect(tokenCalls.length).toBeGreaterThanOrEqual(1); // the lost answer; the retry adopts it (or repeats the token)
      const { jobs } = await stack.admin<{ jobs: (EmulatorJob & { clientToken?: string })[] }>('jobs');
      const token = jobs.find((j) => j.jobId === status.dtsJobId)?.clientToken;
      expect(jobs.filter((j) => j.clientToken === token)).toHaveLength(1);
      expect((await jobOf(status.dtsJobId!)).directions.Forward?.configureCount).toBe(1);
      await handle.cancel();
    },
  );

  // The chaos run found it: a reset connection after DTS bought, then a cancel during the backoff.
  it('releases the instance of a purchase whose connection was reset, when cancelled before the retry', async () => {
    const request = freshRequest({ topology: 'oneway' });
    await registerPair(stack, request);
    const before = new Set((await stack.admin<{ jobs: EmulatorJob[] }>('jobs')).jobs.map((j) => j.jobId));
    await stack.admin('faults', { action: 'CreateSynchronizationJob', kind: 'drop-after', count: 1 });
    const handle = await start(request);
    await eventually(async () => ((await handle.query(setupStatusQuery)).error ? true : undefined), {
      what: 'the lost purchase answer',
    });
    await handle.cancel();
    await expect(handle.result()).rejects.toBeInstanceOf(WorkflowFailedError);
    const final = await handle.query(setupStatusQuery);
    // Tests in a file run one at a time: every job bought since `before` is this setup's.
    const mine = (await stack.admin<{ jobs: EmulatorJob[] }>('jobs')).jobs.filter((j) => !before.has(j.jobId));
    expect(mine.length).toBeGreaterThanOrEqual(1);
    expect(mine.filter((j) => !j.released)).toEqual([]);
    expect(final.released?.outcome).toBe('released');
  });

  it('releases the pay-as-you-go instance when the setup is cancelled mid-wait', async () => {
    const request = freshRequest({ topology: 'oneway' });
    await registerPair(stack, request, { dataSizeMb: 100_000 });
    const handle = await start(request);
    const waiting = await untilPhase(handle, 'waiting-forward');
    await handle.cancel();
    await expect(handle.result()).rejects.toBeInstanceOf(WorkflowFailedError);
    const final = await handle.query(setupStatusQuery);
    expect(final.phase).toBe('cancelled');
    expect(final.released?.outcome).toBe('released');
    expect((await jobOf(waiting.dtsJobId!)).released).toBe(true);
  });

  it('syncs one way from a self-managed Redis reached by IP into Tair', async () => {
    const request = freshRequest({ topology: 'oneway' });
    const ip = `192.0.2.${1 + (pair % 250)}`;
    const selfManaged = {
      kind: 'express' as const,
      ip,
      port: 6379,
      region: 'cn-hangzhou',
      password: 'self-managed-Pa55',
    };
    await registerPair(stack, request);
    await stack.admin(
      'instances',
      tairInstance(`self-${ip}`, selfManaged.password, { ip, port: 6379, edition: 'self-managed' }),
    );
    const handle = await start({ ...request, source: selfManaged });
    const status = await untilPhase(handle, 'synchronizing');
    expect(status.source).toEqual({ kind: 'express', ip, port: 6379, region: 'cn-hangzhou' });
    const { calls: all } = await stack.admin<{ calls: (EmulatorCall & { params: Record<string, string> })[] }>('calls');
    const configure = all.find((c) => c.action === 'ConfigureSynchronizationJob' && c.jobId === status.dtsJobId)!;
    expect(configure.params).toMatchObject({
      'SourceEndpoint.InstanceType': 'Express',
      'SourceEndpoint.IP': ip,
      'SourceEndpoint.Port': '6379',
    });
    // srcRedisType/destRedisType=enterprise is for Tair-to-Tair only.
    expect(configure.params.MigrationReserved).toBeUndefined();
    await handle.cancel();
  });

  it('keeps history bounded with continue-as-new and still buys once', async () => {
    const request = freshRequest();
    await registerPair(stack, request, { dataSizeMb: 8_000 });
    const handle = await start(request, { maxHistoryEvents: 60, maxPoll: '200ms' });
    const status = await untilPhase(handle, 'synchronizing', 60_000);
    const description = await handle.describe();
    expect(description.runId).not.toBe(handle.firstExecutionRunId);
    expect(description.historyLength).toBeLessThan(200);
    // One purchase answered OK for this setup's ClientToken (the job view has no token when DTS ignores it).
    const { calls: all } = await stack.admin<{ calls: (EmulatorCall & { params: Record<string, string> })[] }>('calls');
    const purchases = all.filter((c) => c.action === 'CreateSynchronizationJob' && c.outcome === 'OK');
    const token = purchases.find((c) => c.jobId === status.dtsJobId)?.params.ClientToken;
    expect(new Set(purchases.filter((c) => c.params.ClientToken === token).map((c) => c.jobId)).size).toBe(1);
    const mine = await jobOf(status.dtsJobId!);
    expect(mine.directions.Forward?.configureCount).toBe(1);
    expect(mine.directions.Reverse?.configureCount).toBe(1);
    await handle.signal(releaseSignal);
    expect((await stack.client.workflow.getHandle(handle.workflowId).result()).phase).toBe('released');
  });

  it('fails at once on a permanent DTS error, naming the code, and buys nothing', async () => {
    const request = freshRequest({ topology: 'oneway', jobClass: 'small' });
    await registerPair(stack, request);
    // The emulator refuses an unknown class exactly as DTS does; the workflow must not retry it.
    const handle = await start({ ...request, jobClass: 'gigantic' as never });
    await expect(handle.result()).rejects.toBeInstanceOf(WorkflowFailedError);
    const final = await handle.query(setupStatusQuery);
    expect(final.phase).toBe('failed');
    expect(final.error?.code).toBe('InvalidParameter');
    expect(final.error?.message).toMatch(/SynchronizationJobClass/);
    expect(final.dtsJobId).toBeUndefined();
  });
});
