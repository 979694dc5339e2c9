// The canary against real redis-servers: its lag shows in GET /v1/syncs/:id and the worker's metrics, follows
// a delay injected into the emulator's mover within one interval, and its keys are its own.
import { randomUUID } from 'node:crypto';
import type { WorkflowHandle } from '@temporalio/client';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectRedis } from '../../common/redis';
import { setupStatusQuery } from '../../core/messages';
import type { SetupRequest } from '../../core/types';
import { redisSync } from '../../workflows/redis-sync';
import { DEFAULT_CANARY_KEY_PREFIX } from '../../activities/canary';
import { AUTH, buildTestApp } from '../support/api';
import { FAST, syncRequest } from '../support/requests';
import { eventually, startStack, type Stack } from '../support/stack';
import { registerPair } from '../support/instances';
import { redisAvailable } from './helpers';

let stack: Stack;
let app: Awaited<ReturnType<typeof buildTestApp>>;
const clients: Redis[] = [];

beforeAll(async () => {
  if (!redisAvailable) return;
  stack = await startStack({ emulator: { redis: true } });
  // Hot at one GET a second: the view cache runs, and a canary setup must still be described for its lag.
  app = await buildTestApp(stack, {
    temporal: {
      client: stack.client,
      namespace: stack.namespace,
      taskQueue: stack.taskQueue,
      dtsApi: stack.workerConfig.dtsApi,
      viewCacheHotRate: 1,
    },
  });
  await app.ready();
}, 60_000);
afterAll(async () => {
  for (const c of clients) c.disconnect();
  await app?.close();
  await stack?.stop();
});

async function open(e: SetupRequest['source']): Promise<Redis> {
  const { servers } = await stack.admin<{ servers: { instanceId: string; host: string; port: number }[] }>('redis');
  const server = servers.find((s) => s.instanceId === e.instanceId)!;
  const client = await connectRedis({ host: server.host, port: server.port, password: e.password });
  clients.push(client);
  return client;
}

interface CanaryReply {
  canary?: { lagSeconds: { forward?: number; reverse?: number }; at: string; error?: string };
}

async function lag(id: string): Promise<CanaryReply['canary']> {
  const res = await app.inject({ method: 'GET', url: `/v1/syncs/${id}`, headers: AUTH });
  return res.json<CanaryReply>().canary;
}

describe.skipIf(!redisAvailable)('the canary', () => {
  it('measures both directions of a two-way sync, follows an injected delay within one interval, and writes only its own keys', async () => {
    const tag = randomUUID().slice(0, 8);
    const base = syncRequest({ topology: 'bidirectional' });
    const request: SetupRequest = {
      ...base,
      name: `canary-${tag}`,
      source: { ...base.source, instanceId: `r-cn-src-${tag}`, password: `cn-src-${tag}-Pa55` },
      destination: { ...base.destination, instanceId: `r-cn-dst-${tag}`, password: `cn-dst-${tag}-Pa55` },
      canary: { intervalSeconds: 1 },
    };
    await registerPair(stack, request);
    const handle: WorkflowHandle<typeof redisSync> = await stack.client.workflow.start(redisSync, {
      workflowId: `redis-sync.canary-${tag}`,
      taskQueue: stack.taskQueue,
      args: [{ request, tuning: FAST }],
    });
    const id = handle.workflowId;
    const both = await eventually(
      async () => {
        const c = await lag(id);
        return c?.lagSeconds.forward !== undefined && c.lagSeconds.reverse !== undefined ? c : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 300, what: 'a canary lag in both directions' },
    );
    expect(both.lagSeconds.forward).toBeLessThan(1);
    expect(both.lagSeconds.reverse).toBeLessThan(1);

    // 3 s more on Forward in the emulator's mover: the canary shows it within an interval of it arriving.
    const jobId = (await handle.query(setupStatusQuery)).dtsJobId!;
    await stack.admin(`jobs/${jobId}/delay`, { direction: 'Forward', seconds: 3 });
    const slow = await eventually(
      async () => {
        const c = await lag(id);
        return (c?.lagSeconds.forward ?? 0) >= 2.5 ? c : undefined;
      },
      { timeoutMs: 15_000, intervalMs: 200, what: 'the injected delay in the canary' },
    );
    expect(slow.lagSeconds.forward).toBeLessThan(3 + 1 + 0.5);
    expect(slow.lagSeconds.reverse).toBeLessThan(1);
    const metrics = await (await fetch(stack.workerMetricsUrl)).text();
    expect(metrics).toMatch(new RegExp(`sync_e2e_lag_seconds\\{[^}]*setup="${id}"`));
    await stack.admin(`jobs/${jobId}/delay`, { direction: 'Forward', seconds: 0 });
    await eventually(async () => ((await lag(id))?.lagSeconds.forward ?? 9) < 1 || undefined, {
      timeoutMs: 15_000,
      what: 'the lag back down',
    });

    // Its keys only, each expiring by itself; the verification does not count them.
    const source = await open(request.source);
    const keys = await source.keys(`${DEFAULT_CANARY_KEY_PREFIX}*`);
    expect(keys.sort()).toEqual([
      `${DEFAULT_CANARY_KEY_PREFIX}${id}:forward`,
      `${DEFAULT_CANARY_KEY_PREFIX}${id}:reverse`,
    ]);
    for (const key of keys) expect(await source.pttl(key)).toBeGreaterThan(0);
    expect(await source.dbsize()).toBe(2);
    const verification = await eventually(
      async () => {
        const v = (await handle.query(setupStatusQuery)).verification;
        return v?.state === 'done' ? v : undefined;
      },
      { timeoutMs: 30_000, what: 'the verification' },
    );
    expect(verification).toMatchObject({ outcome: 'consistent', keysCompared: 0 });
  }, 120_000);
});
