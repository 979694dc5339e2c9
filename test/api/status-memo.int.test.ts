import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../api/app';
import { setupStatusQuery } from '../../core/messages';
import { AUTH, buildTestApp, interceptedClient } from '../support/api';
import { eventually, startStack, type Stack } from '../support/stack';
import { registerPair } from '../support/instances';

// GET /v1/syncs/:id answers a running setup from the status its workflow writes to the memo with every change:
// one describe(), no query (a query needs a worker, and replays the whole history of a setup out of its cache).
let stack: Stack;
let app: App;
/** Queries the API sent to workflows. */
const queries: string[] = [];

beforeAll(async () => {
  // Settled setups are read every 2 s here, so a failure is seen soon.
  stack = await startStack({ worker: { statusWatchSettledIntervalMs: 2_000 } });
  const client = interceptedClient(stack, {
    query: (input, next) => {
      queries.push(input.queryType);
      return next(input);
    },
  });
  app = await buildTestApp(stack, { temporal: { client, namespace: stack.namespace, taskQueue: stack.taskQueue } });
});
afterAll(async () => {
  await app?.close();
  await stack?.stop();
});

async function getOne(id: string) {
  const res = await app.inject({ method: 'GET', url: `/v1/syncs/${id}`, headers: AUTH });
  expect(res.statusCode).toBe(200);
  return res.json();
}

describe('GET one from the status memo', () => {
  it('answers what the query would, follows a failure, and needs no worker', { timeout: 120_000 }, async () => {
    const id8 = randomUUID().slice(0, 8);
    const body = {
      name: `memo-${id8}`,
      topology: 'bidirectional',
      region: 'cn-hangzhou',
      source: { instanceId: `r-memo-src-${id8}`, region: 'cn-hangzhou', password: `src-${id8}-Pa55` },
      destination: { instanceId: `r-memo-dst-${id8}`, region: 'cn-hangzhou', password: `dst-${id8}-Pa55` },
    };
    await registerPair(stack, body);
    const posted = await app.inject({ method: 'POST', url: '/v1/syncs', headers: AUTH, payload: body });
    expect(posted.statusCode).toBe(202);
    const { id } = posted.json();

    await eventually(async () => ((await getOne(id)).phase === 'synchronizing' ? true : undefined), {
      timeoutMs: 90_000,
      what: 'synchronizing',
    });
    // Settled: the memo holds what the query answers (`updatedAt` is when the status last changed: a read that
    // changed nothing moves only the query's).
    const handle = stack.client.workflow.getHandle(id);
    const content = (status: unknown) => ({ ...(status as object), updatedAt: undefined });
    await eventually(
      async () => {
        const [memo, asked] = [(await handle.describe()).memo?.status, await handle.query(setupStatusQuery)];
        expect(content(memo)).toEqual(content(asked));
        return true;
      },
      { what: 'the memo holding what the query answers' },
    );
    const settled = await getOne(id);
    expect(settled).toMatchObject({
      id,
      name: body.name,
      forward: { status: 'synchronizing', configured: true },
      reverse: { status: 'synchronizing', configured: true },
      dtsJobId: expect.any(String),
    });
    expect(JSON.stringify(settled)).not.toContain(body.source.password);

    // A job failed in DTS: GET one shows it as soon as the setup heard (the memo is written with the change).
    await stack.admin('faults', {
      action: '*',
      instanceId: body.source.instanceId,
      direction: 'Forward',
      kind: 'fail-later',
      afterMs: 0,
      count: 1,
    });
    const failed = await eventually(
      async () => {
        const answer = await getOne(id);
        return answer.forward.status === 'failed' ? answer : undefined;
      },
      { timeoutMs: 30_000, what: 'the Failed Forward in GET one' },
    );
    expect(failed).toMatchObject({ phase: 'waiting-forward', forward: { errorMessage: expect.any(String) } });
    expect(queries).toEqual([]);

    // With no worker at all, the answer is the same full status, at once.
    await stack.stopWorker();
    const t0 = Date.now();
    const withoutWorker = await getOne(id);
    expect(Date.now() - t0).toBeLessThan(2_000);
    expect(withoutWorker).toMatchObject({ id, forward: { configured: true }, payType: 'PostPaid' });
    expect(queries).toEqual([]);
  });
});
