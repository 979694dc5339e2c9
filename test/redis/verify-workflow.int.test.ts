// The verification as the product runs it: the redisSync workflow verifies once after its first
// Synchronizing and on request (the API's POST /v1/syncs/:id/verify), a heartbeating activity on a real
// worker reads the emulator's real redis-servers (loopback), and the result shows in the status and memo.
import { randomUUID } from 'node:crypto';
import type { WorkflowHandle } from '@temporalio/client';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectRedis } from '../../common/redis';
import { setupStatusQuery, verifyUpdate } from '../../core/messages';
import type { SetupStatus, SetupRequest, VerificationStatus } from '../../core/types';
import { redisSync } from '../../workflows/redis-sync';
import { DEFAULT_VERIFY_TUNING } from '../../activities/verify/activity';
import { AUTH, buildTestApp } from '../support/api';
import { FAST, syncRequest } from '../support/requests';
import { eventually, startStack, type Stack } from '../support/stack';
import { registerPair } from '../support/instances';
import { redisAvailable } from './helpers';

let stack: Stack;
let app: Awaited<ReturnType<typeof buildTestApp>>;
const clients: Redis[] = [];
const FAST_VERIFY = { ...DEFAULT_VERIFY_TUNING, maxKeysPerSecond: 100_000, recheckPauseMs: 300, maxConcurrent: 4 };

beforeAll(async () => {
  if (!redisAvailable) return;
  stack = await startStack({ emulator: { redis: true }, worker: { verify: FAST_VERIFY } });
  app = await buildTestApp(stack);
  await app.ready();
}, 60_000);
afterAll(async () => {
  for (const c of clients) c.disconnect();
  await app?.close();
  await stack?.stop();
});

interface Pair {
  request: SetupRequest;
  source: Redis;
  destination: Redis;
}

async function pair(topology: SetupRequest['topology']): Promise<Pair> {
  const tag = randomUUID().slice(0, 8);
  const base = syncRequest({ topology });
  const request: SetupRequest = {
    ...base,
    name: `verify-${tag}`,
    source: { ...base.source, instanceId: `r-vf-src-${tag}`, password: `vf-src-${tag}-Pa55` },
    destination: { ...base.destination, instanceId: `r-vf-dst-${tag}`, password: `vf-dst-${tag}-Pa55` },
  };
  await registerPair(stack, request);
  return { request, source: await open(request.source), destination: await open(request.destination) };
}

/** A client of the emulator's real server behind an endpoint (loopback). */
async function open(e: SetupRequest['source']): Promise<Redis> {
  const { servers } = await stack.admin<{ servers: { instanceId: string; host: string; port: number }[] }>('redis');
  const server = servers.find((s) => s.instanceId === e.instanceId)!;
  const client = await connectRedis({ host: server.host, port: server.port, password: e.password });
  clients.push(client);
  return client;
}

async function writeMixed(client: Redis, prefix: string, count: number): Promise<void> {
  for (let from = 0; from < count; from += 1000) {
    const batch = client.pipeline();
    for (let i = from; i < Math.min(count, from + 1000); i++) {
      const key = `${prefix}:${i}`;
      const kind = i % 5;
      if (kind === 0) batch.set(key, `v${i}`);
      else if (kind === 1) batch.hset(key, 'a', String(i));
      else if (kind === 2) batch.rpush(key, 'x', String(i));
      else if (kind === 3) batch.sadd(key, 'm', String(i));
      else batch.zadd(key, i, 'z');
    }
    await batch.exec();
  }
}

async function start(request: SetupRequest): Promise<WorkflowHandle<typeof redisSync>> {
  return stack.client.workflow.start(redisSync, {
    workflowId: `redis-sync.verify-${randomUUID()}`,
    taskQueue: stack.taskQueue,
    args: [{ request, tuning: FAST }],
  });
}

/** The verification `id` once done (any, when no id is given). */
async function verificationDone(
  handle: WorkflowHandle<typeof redisSync>,
  id?: string,
  timeoutMs = 60_000,
): Promise<VerificationStatus> {
  return eventually(
    async () => {
      const v = (await handle.query(setupStatusQuery)).verification;
      return v && v.state === 'done' && (!id || v.id === id) ? v : undefined;
    },
    { timeoutMs, intervalMs: 200, what: `verification ${id ?? ''} done` },
  );
}

async function status(handle: WorkflowHandle<typeof redisSync>): Promise<SetupStatus> {
  return handle.query(setupStatusQuery);
}

describe.skipIf(!redisAvailable)('data verification in the workflow, against real redis-server pairs', () => {
  let oneway: Pair;
  let handle: WorkflowHandle<typeof redisSync>;

  it('verifies once after the first Synchronizing: consistent, in the status and the memo', async () => {
    oneway = await pair('oneway');
    await writeMixed(oneway.source, 'before', 3000);
    handle = await start(oneway.request);
    const v = await verificationDone(handle);
    expect(v).toMatchObject({
      trigger: 'synchronizing',
      depth: 'value',
      directions: 'forward',
      outcome: 'consistent',
      keysDiffering: 0,
    });
    expect(v.keysCompared).toBeGreaterThanOrEqual(3000);
    const memo = (await handle.describe()).memo?.verification as VerificationStatus;
    expect(memo).toMatchObject({ id: v.id, outcome: 'consistent', state: 'done' });
  }, 90_000);

  it('on request through the API: a key changed at the destination is inconsistent, named, without values or passwords', async () => {
    // The same length: only the value tells.
    await oneway.destination.set('before:0', 'w0');
    const accepted = await app.inject({
      method: 'POST',
      url: `/v1/syncs/${handle.workflowId}/verify`,
      headers: AUTH,
      payload: { depth: 'value' },
    });
    expect(accepted.statusCode, accepted.body).toBe(202);
    const { id } = accepted.json<{ id: string }>();
    // A second request while it runs is refused with the reason.
    const again = await app.inject({ method: 'POST', url: `/v1/syncs/${handle.workflowId}/verify`, headers: AUTH });
    expect([202, 409]).toContain(again.statusCode);
    const v = await verificationDone(handle, id);
    expect(v).toMatchObject({ outcome: 'inconsistent', keysDiffering: 1, trigger: 'request' });
    expect(v.examples).toEqual([{ key: 'before:0', reason: 'value differs' }]);
    const view = await app.inject({ method: 'GET', url: `/v1/syncs/${handle.workflowId}`, headers: AUTH });
    expect(view.json<SetupStatus>().verification).toMatchObject({ id, outcome: 'inconsistent' });
    expect(view.body).not.toContain('"w0"');
    expect(view.body).not.toContain(oneway.request.source.password);
    expect((await status(handle)).phase).toBe('synchronizing');
    await oneway.destination.set('before:0', 'v0');
  }, 90_000);

  it('a worker killed during a verification: the next attempt resumes from the SCAN cursor and finishes', async () => {
    // Slow enough to be stopped halfway: 13,000 keys at 1,000 keys/s (a SCAN call reads about 200).
    await writeMixed(oneway.source, 'bulk', 10_000);
    await eventually(async () => ((await oneway.destination.dbsize()) >= 13_000 ? true : undefined), {
      what: 'the bulk keys at the destination',
    });
    const scans = async () =>
      Number(/cmdstat_scan:calls=(\d+)/.exec(await oneway.source.info('commandstats'))?.[1] ?? 0);
    await stack.stopWorker();
    stack.workerConfig.verify = { ...FAST_VERIFY, maxKeysPerSecond: 1000 };
    await stack.startWorker();
    await oneway.source.config('RESETSTAT');
    const v = await handle.executeUpdate(verifyUpdate, { args: [{ depth: 'type' }] });
    await eventually(async () => ((await scans()) >= 40 ? true : undefined), {
      what: 'a good part of the scan',
      timeoutMs: 60_000,
    });
    await stack.stopWorker();
    const before = await scans();
    stack.workerConfig.verify = FAST_VERIFY;
    await stack.startWorker();
    const done = await verificationDone(handle, v.id, 120_000);
    expect(done.outcome).toBe('consistent');
    expect(done.keysCompared).toBeGreaterThanOrEqual(13_000);
    const interrupted = await scans();
    // The same pass uninterrupted, for the number of SCAN calls a whole pass takes.
    await oneway.source.config('RESETSTAT');
    const whole = await handle.executeUpdate(verifyUpdate, { args: [{ depth: 'type' }] });
    await verificationDone(handle, whole.id);
    const full = await scans();
    // Resumed, not restarted: the interrupted run scanned one pass plus what it redid since its last heartbeat
    // (at most 2 s, about 10 calls at this pace), not one pass plus all it had done before the stop.
    expect(before).toBeGreaterThanOrEqual(40);
    expect(interrupted).toBeLessThan(full + before / 2);
  }, 180_000);

  it('an unreachable destination: unverifiable with the reason, and the sync untouched', async () => {
    await stack.admin(`redis/${oneway.request.destination.instanceId}/stop`, {});
    try {
      const v = await handle.executeUpdate(verifyUpdate, { args: [{ depth: 'type' }] });
      const done = await verificationDone(handle, v.id);
      expect(done.outcome).toBe('unverifiable');
      expect(done.reason).toMatch(/cannot reach Redis at 127\.0\.0\.1:\d+/);
      const s = await status(handle);
      expect(s.phase).toBe('synchronizing');
      expect(s.forward.status).toBe('synchronizing');
    } finally {
      await stack.admin(`redis/${oneway.request.destination.instanceId}/start`, {});
    }
  }, 60_000);

  it('a two-way sync with writes at both ends: consistent, checked from each end', async () => {
    const twoway = await pair('bidirectional');
    await writeMixed(twoway.source, 'src', 1000);
    const h = await start(twoway.request);
    await verificationDone(h);
    await writeMixed(twoway.destination, 'dst', 500);
    await eventually(async () => ((await twoway.source.exists('dst:499')) ? true : undefined), {
      what: 'a destination write at the source',
    });
    const v = await h.executeUpdate(verifyUpdate, { args: [{}] });
    const done = await verificationDone(h, v.id);
    expect(done).toMatchObject({ directions: 'both', outcome: 'consistent', keysDiffering: 0 });
    expect(done.keysCompared).toBeGreaterThanOrEqual(1500);
  }, 120_000);
});
