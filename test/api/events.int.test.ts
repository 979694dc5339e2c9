// GET /v1/syncs/:id/events against the real dev server and emulator: who did what, read back from the history.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStackAndApp, stopStackAndApp, untilViewPhase } from '../support/api';
import { findSecrets, TEST_SECRETS } from '../support/secret-scan';
import { eventually, tairInstance, type Stack } from '../support/stack';
import { FAST, syncRequest } from '../support/requests';
import { registerPair } from '../support/instances';
import { setupStatusQuery } from '../../core/messages';
import { redisSync } from '../../workflows/redis-sync';
import { setupWorkflowId } from '../../core/ids';
import type { App } from '../../api/app';
import type { SetupEvent } from '../../api/events';

const STARTER_TOKEN = 'ci-deploy-token-0123456789abcdef';
const ALICE_TOKEN = 'alice-token-0123456789abcdef';
const as = (token: string) => ({ authorization: `Bearer ${token}` });

let stack: Stack;
let app: App;
const TOKENS = [
  `ci-deploy:admin:${STARTER_TOKEN}`,
  `ops-alice:admin:${ALICE_TOKEN}`,
  `reader:viewer:viewer-token-0123456789`,
];
beforeAll(async () => ({ stack, app } = await startStackAndApp({}, { tokens: TOKENS })));
afterAll(() => stopStackAndApp(stack, app));

async function phaseOf(id: string): Promise<{ phase?: string; workflowStatus?: string }> {
  return (await app.inject({ method: 'GET', url: `/v1/syncs/${id}`, headers: as(ALICE_TOKEN) })).json();
}
describe('GET /v1/syncs/:id/events', () => {
  it('lists who started, retried and released a setup, with its phase changes, and no token or password', async () => {
    const n = randomUUID().slice(0, 8);
    const source = { instanceId: `r-ev-src-${n}`, region: 'cn-hangzhou', password: `src-${n}-Pa55` };
    const destination = { instanceId: `r-ev-dst-${n}`, region: 'cn-hangzhou', password: `dst-${n}-Pa55` };
    await registerPair(stack, { source, destination });
    const wrong = `wrong-${n}-Pa55`;
    // DTS is given a password the instance does not have: the precheck fails and waits for an operator.
    const started = await app.inject({
      method: 'POST',
      url: '/v1/syncs',
      headers: as(STARTER_TOKEN),
      payload: {
        name: `ev-${n}`,
        topology: 'oneway',
        region: 'cn-hangzhou',
        source: { ...source, password: wrong },
        destination,
      },
    });
    expect(started.statusCode).toBe(202);
    const { id } = started.json();
    await untilViewPhase(app, id, 'needs-attention', { headers: as(ALICE_TOKEN) });
    await stack.admin('instances', tairInstance(source.instanceId, wrong));
    const retry = await app.inject({ method: 'POST', url: `/v1/syncs/${id}/retry`, headers: as(ALICE_TOKEN) });
    expect(retry.statusCode).toBe(200);
    await untilViewPhase(app, id, 'synchronizing', { headers: as(ALICE_TOKEN) });
    const release = await app.inject({ method: 'DELETE', url: `/v1/syncs/${id}`, headers: as(ALICE_TOKEN) });
    expect(release.statusCode).toBe(200);
    await eventually(async () => ((await phaseOf(id)).workflowStatus === 'COMPLETED' ? true : undefined), {
      what: 'completed',
    });

    const res = await app.inject({
      method: 'GET',
      url: `/v1/syncs/${id}/events`,
      headers: as('viewer-token-0123456789'),
    });
    expect(res.statusCode).toBe(200);
    const { events } = res.json<{ events: SetupEvent[] }>();
    expect(events[0]).toMatchObject({ kind: 'started', by: 'ci-deploy' });
    // Each phase change once, never the same phase twice in a row.
    const phaseList = events.filter((e) => e.kind === 'phase').map((e) => e.phase);
    expect(phaseList.every((p, i) => i === 0 || p !== phaseList[i - 1])).toBe(true);
    const actions = events.filter((e) => e.kind === 'action');
    expect(actions).toEqual([
      expect.objectContaining({ action: 'retry', by: 'ops-alice' }),
      expect.objectContaining({ action: 'release', by: 'ops-alice' }),
    ]);
    const phases = events.filter((e) => e.kind === 'phase').map((e) => e.phase);
    const order = ['needs-attention', 'synchronizing', 'released'].map((p) => phases.indexOf(p));
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(events.at(-1)).toMatchObject({ kind: 'ended', outcome: 'completed' });
    // In order, each with its time.
    const times = events.map((e) => Date.parse(e.at));
    expect(times.every((t, i) => Number.isFinite(t) && (i === 0 || t >= (times[i - 1] ?? 0)))).toBe(true);
    // The retry comes after the attention and before the release.
    expect(events.indexOf(actions[0] as SetupEvent)).toBeGreaterThan(
      events.findIndex((e) => e.phase === 'needs-attention'),
    );

    const secrets = [
      ...TEST_SECRETS,
      { label: 'starter-token', value: STARTER_TOKEN },
      { label: 'alice-token', value: ALICE_TOKEN },
      { label: 'wrong-password', value: wrong },
    ];
    expect(findSecrets(res.body, secrets)).toEqual([]);
  });

  it('answers 404 for a setup that never was', async () => {
    const res = await app.inject({
      method: 'GET',
      url: '/v1/syncs/redis-sync.r-nothing.r-nobody/events',
      headers: as(ALICE_TOKEN),
    });
    expect(res.statusCode).toBe(404);
  });

  it(
    'lists the runs a setup continued from, a failed DTS call with its code, and who cancelled it',
    {
      timeout: 120_000,
    },
    async () => {
      const n = randomUUID().slice(0, 8);
      const request = syncRequest();
      request.name = `ev-can-${n}`;
      request.topology = 'oneway';
      request.source = { ...request.source, instanceId: `r-evc-src-${n}` };
      request.destination = { ...request.destination, instanceId: `r-evc-dst-${n}` };
      await registerPair(stack, request);
      // DTS answers 500 to every attempt of the first Configure: the activity fails, with DTS's code.
      await stack.admin('faults', {
        action: 'ConfigureSynchronizationJob',
        kind: 'error',
        code: 'InternalError',
        httpStatus: 500,
        count: 3,
      });
      const handle = await stack.client.workflow.start(redisSync, {
        workflowId: setupWorkflowId(request),
        taskQueue: stack.taskQueue,
        // A short history: the setup continues as new while it runs.
        args: [{ request, tuning: { ...FAST, maxHistoryEvents: 60 } }],
      });
      await eventually(
        async () => {
          const status = await handle.query(setupStatusQuery);
          const { runId } = await handle.describe();
          return status.phase === 'synchronizing' && runId !== handle.firstExecutionRunId ? true : undefined;
        },
        { timeoutMs: 90_000, what: 'synchronizing in a later run' },
      );
      const cancelled = await app.inject({
        method: 'POST',
        url: `/v1/syncs/${handle.workflowId}/cancel`,
        headers: as(ALICE_TOKEN),
      });
      expect(cancelled.statusCode).toBe(202);
      await handle.result().catch(() => undefined);

      const res = await app.inject({
        method: 'GET',
        url: `/v1/syncs/${handle.workflowId}/events`,
        headers: as(ALICE_TOKEN),
      });
      const { events } = res.json<{ events: SetupEvent[] }>();
      // One start, the first run's phases, no end between runs, the cancel with its caller, one end.
      expect(events.filter((e) => e.kind === 'started')).toHaveLength(1);
      const phases = events.filter((e) => e.kind === 'phase').map((e) => e.phase);
      expect(phases[0]).toBe('purchasing');
      expect(phases).toContain('synchronizing');
      expect(events.filter((e) => e.kind === 'ended')).toEqual([expect.objectContaining({ outcome: 'cancelled' })]);
      expect(events.filter((e) => e.kind === 'action')).toEqual([
        expect.objectContaining({ action: 'cancel', by: 'ops-alice' }),
      ]);
      const error = events.find((e) => e.kind === 'error');
      expect(error).toMatchObject({ activity: 'configureDirection', code: 'InternalError' });
      expect(error?.requestId).toEqual(expect.any(String));
      expect(findSecrets(res.body, [...TEST_SECRETS, { label: 'alice-token', value: ALICE_TOKEN }])).toEqual([]);
    },
  );

  it('shows the last operator action and its caller in the Temporal UI details', async () => {
    const n = randomUUID().slice(0, 8);
    const source = { instanceId: `r-evu-src-${n}`, region: 'cn-hangzhou', password: `src-${n}-Pa55` };
    const destination = { instanceId: `r-evu-dst-${n}`, region: 'cn-hangzhou', password: `dst-${n}-Pa55` };
    await registerPair(stack, { source, destination });
    const started = await app.inject({
      method: 'POST',
      url: '/v1/syncs',
      headers: as(STARTER_TOKEN),
      payload: { name: `evu-${n}`, topology: 'oneway', region: 'cn-hangzhou', source, destination },
    });
    const { id } = started.json();
    await untilViewPhase(app, id, 'synchronizing', { headers: as(ALICE_TOKEN) });
    const release = await app.inject({ method: 'DELETE', url: `/v1/syncs/${id}`, headers: as(ALICE_TOKEN) });
    expect(release.statusCode).toBe(200);
    const details = await eventually(
      async () => {
        const meta = await stack.client.workflow
          .getHandle(id)
          .query<{ currentDetails?: string }>('__temporal_workflow_metadata')
          .catch(() => undefined);
        return meta?.currentDetails?.includes('Last operator action') ? meta.currentDetails : undefined;
      },
      { what: 'the details to name the release' },
    );
    expect(details).toMatch(/\*\*Last operator action:\*\* `release` by ops-alice at \d{4}-/);
    expect(details).not.toContain(ALICE_TOKEN);
  });
});
