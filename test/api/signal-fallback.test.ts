import { randomUUID } from 'node:crypto';
import { NativeConnection, Worker } from '@temporalio/worker';
import { inject } from 'vitest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../api/app';
import { encryptingDataConverter } from '../../common/codec';
import { redisSync } from '../../workflows/redis-sync';
import { AUTH, buildTestApp } from '../support/api';
import { eventually, startStack, type Stack } from '../support/stack';

// Runs started by code without the operator Updates answer an update with "no handler": the API
// then sends the signal that code understands (202), after the same checks as before.
let stack: Stack;
let app: App;
let worker: Worker;
let running: Promise<void>;
let connection: NativeConnection;
const taskQueue = `signal-only-${randomUUID()}`;

beforeAll(async () => {
  stack = await startStack();
  connection = await NativeConnection.connect({ address: inject('temporalAddress') });
  worker = await Worker.create({
    connection,
    namespace: stack.namespace,
    taskQueue,
    workflowsPath: require.resolve('./fixtures/signal-only-workflow.ts'),
    dataConverter: encryptingDataConverter(stack.workerConfig.payloadKeys),
  });
  running = worker.run();
  app = await buildTestApp(stack, { temporal: { client: stack.client, namespace: stack.namespace, taskQueue } });
}, 120_000);
afterAll(async () => {
  await app?.close();
  worker?.shutdown();
  await running;
  await connection?.close();
  await stack?.stop();
});

describe('operator actions on runs of older code', () => {
  it('fall back to the signals, checked as before', async () => {
    const id = `redis-sync.r-old-${randomUUID().slice(0, 8)}.r-old-peer`;
    const handle = await stack.client.workflow.start(redisSync.name, {
      workflowId: id,
      taskQueue,
      args: [{ request: { name: 'old', topology: 'oneway' } }],
    });
    const signals = async () => ((await handle.query<{ signals: string[] }>('status')).signals ?? []).join();

    const retry = await app.inject({ method: 'POST', url: `/v1/syncs/${id}/retry`, headers: AUTH });
    expect(retry.statusCode).toBe(202);
    expect(retry.json()).toEqual({ id, phase: 'needs-attention' });
    const abort = await app.inject({ method: 'POST', url: `/v1/syncs/${id}/abort`, headers: AUTH });
    expect(abort.statusCode).toBe(202);
    await eventually(async () => ((await signals()) === 'retry,abort' ? true : undefined), {
      what: 'retry and abort signals',
    });

    const release = await app.inject({ method: 'DELETE', url: `/v1/syncs/${id}`, headers: AUTH });
    expect(release.statusCode).toBe(202);
    expect(await handle.result()).toMatchObject({ phase: 'released', signals: ['retry', 'abort', 'release'] });
    // Ended: nothing left to act on.
    expect((await app.inject({ method: 'POST', url: `/v1/syncs/${id}/abort`, headers: AUTH })).statusCode).toBe(409);
  });
});
