import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { preflightQueueFor } from '../../api/preflight-queue';
import { preflightTaskQueue } from '../../core/ids';
import type { EndpointSummary } from '../../core/types';
import { preflight } from '../../workflows/preflight';
import type { App } from '../../api/app';
import { AUTH, startStackAndApp, stopStackAndApp } from '../support/api';
import { eventually, tairInstance, type Stack } from '../support/stack';

// A POST's preflight runs on its own queue when a worker of this version polls it, so its workflow tasks do not
// wait behind the setups'. Workers of an older version poll only the setups' queue: there the API keeps starting
// it, so a rolling upgrade (API first) never leaves a POST without an answer.
let stack: Stack;
let app: App;
beforeAll(async () => ({ stack, app } = await startStackAndApp()));
afterAll(() => stopStackAndApp(stack, app));

describe('the preflight queue', () => {
  it('is the preflight’s own when this version’s worker polls it, and its reads answer there', async () => {
    const own = preflightTaskQueue(stack.taskQueue);
    await eventually(
      async () =>
        (await preflightQueueFor(stack.client, stack.namespace, stack.taskQueue)) === own ? true : undefined,
      { what: `a poller on ${own}` },
    );
    const id = randomUUID().slice(0, 8);
    const source = { instanceId: `r-own-src-${id}`, region: 'cn-hangzhou', password: `src-${id}-Pa55` };
    const destination = { instanceId: `r-own-dst-${id}`, region: 'cn-hangzhou', password: `dst-${id}-Pa55` };
    await stack.admin('instances', [
      tairInstance(source.instanceId, source.password),
      tairInstance(destination.instanceId, destination.password),
    ]);
    const res = await app.inject({
      method: 'POST',
      url: '/v1/syncs/preflight',
      headers: AUTH,
      payload: { name: `own-${id}`, topology: 'bidirectional', region: 'cn-hangzhou', source, destination },
    });
    expect(res.statusCode, res.body).toBe(200);
    const ran = await eventually(async () => {
      const found = [];
      for await (const w of stack.client.workflow.list({
        query: `WorkflowType = 'preflight' AND TaskQueue = '${own}'`,
      }))
        found.push(w);
      return found.length > 0 ? found : undefined;
    });
    expect(ran[0]?.status.name).toBe('COMPLETED');
  });

  it('reads in the workflow task that runs it, on its own queue or the setups’: no activity goes through the server', async () => {
    const id = randomUUID().slice(0, 8);
    const source = { instanceId: `r-local-src-${id}`, region: 'cn-hangzhou', password: `src-${id}-Pa55` };
    await stack.admin('instances', [tairInstance(source.instanceId, source.password)]);
    const endpoint = (instanceId: string): EndpointSummary => ({
      kind: 'enterprise',
      instanceId,
      region: 'cn-hangzhou',
    });
    for (const taskQueue of [preflightTaskQueue(stack.taskQueue), stack.taskQueue]) {
      const handle = await stack.client.workflow.start(preflight, {
        workflowId: `preflight.${randomUUID()}`,
        taskQueue,
        workflowExecutionTimeout: '15s',
        args: [
          {
            topology: 'bidirectional',
            region: 'cn-hangzhou',
            source: endpoint(source.instanceId),
            // Not in the emulator: the read must have run for the report to say so.
            destination: endpoint(`r-local-missing-${id}`),
            acceptRisks: [],
          },
        ],
      });
      const report = await handle.result();
      expect(report.ok, taskQueue).toBe(false);
      expect(JSON.stringify(report.items), taskQueue).toContain(`r-local-missing-${id}`);
      const events = (await handle.fetchHistory()).events ?? [];
      expect(events.filter((e) => e.activityTaskScheduledEventAttributes).length, taskQueue).toBe(0);
      const locals = events.filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_local_activity');
      expect(locals.length, taskQueue).toBe(4);
    }
  });

  it('stays the setups’ queue where no worker polls the preflight’s (workers of an older version)', async () => {
    const older = `older-${randomUUID()}`;
    expect(await preflightQueueFor(stack.client, stack.namespace, older)).toBe(older);
  });
});
