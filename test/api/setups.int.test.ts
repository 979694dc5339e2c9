import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DtsClient } from '../../activities/dts/client';
import type { App } from '../../api/app';
import { dtsJobLookup } from '../../api/dts-jobs';
import { setupStartOptions } from '../../api/setup-start';
import { toSetupRequest } from '../../api/setup-request';
import { DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET } from '../../emulator/options';
import { setupWorkflowId } from '../../core/ids';
import { redisSync } from '../../workflows/redis-sync';
import { AUTH, buildTestApp, untilViewPhase } from '../support/api';
import { FAST } from '../support/requests';
import { eventually, startStack, tairInstance, type Stack } from '../support/stack';
import { registerPair } from '../support/instances';

// API fixes of issue 9: one list entry per setup, conflicts named field by field, closed setups
// read without a worker, IP endpoints keyed by their network, no second job beside a kept one.
let stack: Stack;
let app: App;
/** The same API on a task queue no worker polls: setups it starts stay where they are. */
let idle: App;
const idleQueue = `idle-${randomUUID()}`;
const dtsAccess = () => ({
  endpoint: stack.emulatorUrl,
  apiVersion: '2020-01-01',
  accessKeyId: DEFAULT_ACCESS_KEY_ID,
  accessKeySecret: DEFAULT_ACCESS_KEY_SECRET,
  timeoutMs: 2_000,
});

beforeAll(async () => {
  stack = await startStack();
  app = await buildTestApp(stack);
  idle = await buildTestApp(stack, {
    temporal: {
      client: stack.client,
      namespace: stack.namespace,
      taskQueue: idleQueue,
      preflightTaskQueue: stack.taskQueue,
    },
  });
});
afterAll(async () => {
  for await (const w of stack.client.workflow.list({
    query: `TaskQueue = '${idleQueue}' AND ExecutionStatus = 'Running'`,
  })) {
    await stack.client.workflow
      .getHandle(w.workflowId)
      .terminate('test over')
      .catch(() => undefined);
  }
  await app?.close();
  await idle?.close();
  await stack?.stop();
});

function pairBody(topology: 'oneway' | 'bidirectional' = 'oneway') {
  const id = randomUUID().slice(0, 8);
  return {
    name: `fix-${id}`,
    topology,
    region: 'cn-hangzhou',
    source: { instanceId: `r-fix-src-${id}`, region: 'cn-hangzhou', password: `src-${id}-Pa55` },
    destination: { instanceId: `r-fix-dst-${id}`, region: 'cn-hangzhou', password: `dst-${id}-Pa55` },
  };
}

const post = (api: App, payload: unknown) =>
  api.inject({ method: 'POST', url: '/v1/syncs', headers: AUTH, payload: payload as object });
const get = async (id: string) => (await app.inject({ method: 'GET', url: `/v1/syncs/${id}`, headers: AUTH })).json();
const listed = async (query: string) =>
  (await app.inject({ method: 'GET', url: `/v1/syncs?pageSize=100${query}`, headers: AUTH })).json().items as {
    id: string;
    workflowStatus: string;
    phase: string;
  }[];

describe('API fixes', () => {
  it(
    'lists a setup that continued as new once, and ?phase=synchronizing only running setups',
    { timeout: 90_000 },
    async () => {
      const body = pairBody();
      await registerPair(stack, body);
      const { request } = toSetupRequest(body);
      // Through the API's own start options, with a history short enough to continue as new within seconds.
      const handle = await stack.client.workflow.start(
        redisSync,
        setupStartOptions(request!, stack.taskQueue, { ...FAST, maxHistoryEvents: 40 }),
      );
      await eventually(
        async () => ((await handle.describe()).runId !== handle.firstExecutionRunId ? true : undefined),
        { what: 'continue-as-new', timeoutMs: 60_000 },
      );
      await untilViewPhase(app, handle.workflowId, 'synchronizing');
      const runs = await eventually(
        async () => {
          const items = (await listed('')).filter((i) => i.id === handle.workflowId);
          return items.length === 1 && items[0]!.phase === 'synchronizing' ? items : undefined;
        },
        { what: 'one list entry' },
      );
      expect(runs[0]).toMatchObject({ workflowStatus: 'RUNNING' });
      // The request memo outlives continue-as-new: a different request is still told apart.
      const different = await post(app, { ...body, jobClass: 'large' });
      expect(different.statusCode).toBe(409);
      expect(different.json().fields).toEqual([expect.objectContaining({ field: '/jobClass' })]);

      // A terminated setup keeps its last phase attribute, `synchronizing`: it is not a synchronizing setup.
      await handle.terminate('test: ended from outside');
      await eventually(
        async () => {
          const items = await listed('&phase=synchronizing');
          return items.some((i) => i.id === handle.workflowId) ? undefined : items;
        },
        { what: 'terminated setup gone from ?phase=synchronizing' },
      );
      const all = await eventually(
        async () => {
          const items = (await listed('')).filter((i) => i.id === handle.workflowId);
          return items.length === 1 && items[0]!.workflowStatus === 'TERMINATED' ? items : undefined;
        },
        { what: 'terminated setup listed once' },
      );
      expect(all).toHaveLength(1);
    },
  );

  it('refuses a different request for a live pair field by field, and answers the same one with the setup', async () => {
    const body = pairBody('bidirectional');
    await registerPair(stack, body);
    const started = await post(idle, body);
    expect(started.statusCode).toBe(202);
    const { id } = started.json();

    const same = await post(idle, { ...body, source: { ...body.destination }, destination: { ...body.source } });
    expect(same.statusCode).toBe(200);
    expect(same.json()).toMatchObject({ id, existing: true });
    // Passwords are not stored, so a new password is not a difference.
    expect((await post(idle, { ...body, source: { ...body.source, password: 'another-Pa55-word' } })).statusCode).toBe(
      200,
    );

    const different = await post(idle, {
      ...body,
      name: 'renamed',
      jobClass: 'large',
      databases: [{ from: 1, to: 2 }],
    });
    expect(different.statusCode).toBe(409);
    const reply = different.json();
    expect(reply.fields.map((f: { field: string }) => f.field)).toEqual(['/databases', '/jobClass', '/name']);
    expect(reply.fields.find((f: { field: string }) => f.field === '/jobClass').message).toBe(
      'the running setup has "small", this request "large"',
    );
    expect(reply.message).toContain(id);
    expect(different.body).not.toContain(body.source.password);

    const oneWay = await post(idle, { ...body, topology: 'oneway' });
    expect(oneWay.statusCode).toBe(409);
    expect(oneWay.json().fields).toEqual([expect.objectContaining({ field: '/topology' })]);
  });

  it('serves a closed setup from what its run left, without a worker', async () => {
    const body = pairBody();
    await registerPair(stack, body);
    const { id } = (await post(idle, body)).json();
    await stack.client.workflow.getHandle(id).terminate('test: ended from outside');
    const t0 = Date.now();
    const res = await idle.inject({ method: 'GET', url: `/v1/syncs/${id}`, headers: AUTH });
    // A query to a closed run would wait for a worker (none polls this queue) until its 5 s deadline.
    expect(Date.now() - t0).toBeLessThan(3_000);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      id,
      name: body.name,
      topology: 'oneway',
      phase: 'purchasing',
      workflowStatus: 'TERMINATED',
      payType: 'PostPaid',
      source: { instanceId: body.source.instanceId, region: 'cn-hangzhou' },
      error: { type: 'Terminated' },
    });
    expect(res.body).not.toContain(body.source.password);
  });

  it('keys an IP endpoint by region and address', async () => {
    const express = (region: string, ip = '10.0.0.5') => ({
      ...pairBody(),
      region,
      source: { kind: 'express', ip, port: 6379, region, password: 'ip-src-Pa55' },
      destination: { instanceId: `r-ip-dst-${randomUUID().slice(0, 8)}`, region, password: 'ip-dst-Pa55' },
    });
    const hangzhou = express('cn-hangzhou');
    const shanghai = { ...express('cn-shanghai'), destination: { ...hangzhou.destination, region: 'cn-shanghai' } };
    const a = toSetupRequest(hangzhou as never).request!;
    const b = toSetupRequest(shanghai as never).request!;
    expect(setupWorkflowId(a)).toBe(`redis-sync.cn-hangzhou_10.0.0.5:6379.${hangzhou.destination.instanceId}`);
    expect(setupWorkflowId(a)).not.toBe(setupWorkflowId(b));

    // The preflight reads the cloud destination where the request says it is.
    const registerDestination = (body: { destination: { instanceId: string; password: string; region: string } }) =>
      stack.admin(
        'instances',
        tairInstance(body.destination.instanceId, body.destination.password, { region: body.destination.region }),
      );
    await registerDestination(hangzhou);
    const first = await post(idle, hangzhou);
    expect(first.statusCode).toBe(202);
    expect(first.json().id).toBe(setupWorkflowId(a));
  });

  it(
    'refuses a new setup beside a kept DTS job, naming it, until that job is released',
    { timeout: 90_000 },
    async () => {
      const body = { ...pairBody(), keepInstanceOnFailure: true };
      await registerPair(stack, { ...body, source: { ...body.source, password: 'not-the-password' } });
      const { id } = (await post(app, body)).json();
      const stuck = await untilViewPhase(app, id, 'needs-attention');
      const abort = await app.inject({ method: 'POST', url: `/v1/syncs/${id}/abort`, headers: AUTH });
      expect([200, 202]).toContain(abort.statusCode);
      const ended = await eventually(
        async () => {
          const view = await get(id);
          return view.workflowStatus !== 'RUNNING' && view.released ? view : undefined;
        },
        { what: 'setup ended with its job kept' },
      );
      expect(ended.released.outcome).toBe('kept');
      expect(ended.dtsJobId).toBe(stuck.dtsJobId);

      const refused = await post(app, body);
      expect(refused.statusCode).toBe(409);
      expect(refused.json()).toMatchObject({ dtsJobId: stuck.dtsJobId });
      expect(refused.json().message).toContain(stuck.dtsJobId);

      // With read access to DTS the API sees the job released since (here through the DTS API itself).
      const seeing = await buildTestApp(stack, { dtsJobs: dtsJobLookup(dtsAccess()) });
      try {
        expect((await post(seeing, body)).statusCode).toBe(409);
        await new DtsClient(dtsAccess()).call('DeleteSynchronizationJob', {
          SynchronizationJobId: stuck.dtsJobId,
          RegionId: 'cn-hangzhou',
        });
        const next = await post(seeing, body);
        expect(next.statusCode).toBe(202);
        await seeing.inject({ method: 'POST', url: `/v1/syncs/${next.json().id}/cancel`, headers: AUTH });
      } finally {
        await seeing.close();
      }
    },
  );

  it('answers an operator action the workflow refuses with 409 and its reason', async () => {
    const body = pairBody();
    await registerPair(stack, body);
    const { id } = (await post(app, body)).json();
    const retry = await app.inject({ method: 'POST', url: `/v1/syncs/${id}/retry`, headers: AUTH });
    expect(retry.statusCode).toBe(409);
    expect(retry.json().message).toMatch(/retry/i);
    await app.inject({ method: 'POST', url: `/v1/syncs/${id}/cancel`, headers: AUTH });
  });
});
