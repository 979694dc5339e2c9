import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { releaseSignal } from '../../core/messages';
import { redisSync } from '../../workflows/redis-sync';
import type { SetupRequest } from '../../core/types';
import { AUTH, startStackAndApp, stopStackAndApp } from '../support/api';
import { FAST, syncRequest } from '../support/requests';
import { eventually, type Stack } from '../support/stack';
import { untilPhase } from '../support/setup-status';
import { registerPair } from '../support/instances';
import type { App } from '../../api/app';

let stack: Stack;
let app: App;
beforeAll(async () => ({ stack, app } = await startStackAndApp()));
afterAll(() => stopStackAndApp(stack, app));

function freshRequest(overrides: Partial<SetupRequest> = {}): SetupRequest {
  const base = syncRequest();
  const id = randomUUID().slice(0, 8);
  return {
    ...base,
    ...overrides,
    source: { ...base.source, instanceId: `r-delay-src-${id}` },
    destination: { ...base.destination, instanceId: `r-delay-dst-${id}` },
  };
}

/** The worker runtime's Prometheus text: the value of `name` for the series carrying all `labels`. */
async function gauge(name: string, labels: Record<string, string>): Promise<number | undefined> {
  const text = await (await fetch(stack.workerMetricsUrl)).text();
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    if (Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) return Number(line.split(' ').pop());
  }
  return undefined;
}

describe('delay supervision', () => {
  it('parks a setup whose delay stays above maxDelay past delayGrace, and resumes when it falls', async () => {
    const request = freshRequest({ topology: 'bidirectional', maxDelay: '30s', delayGrace: '3s' });
    await registerPair(stack, request);
    // Own reads every 10 minutes: only the status watcher's delay news can make this quick.
    const workflowId = `wf-delay-${randomUUID()}`;
    const handle = await stack.client.workflow.start(redisSync, {
      workflowId,
      taskQueue: stack.taskQueue,
      args: [{ request, tuning: { ...FAST, monitorInterval: '10m' } }],
    });
    const running = await untilPhase(stack.client.workflow.getHandle(workflowId), 'synchronizing');
    const jobId = running.dtsJobId!;
    await eventually(
      async () => ((await gauge('dts_sync_max_delay_seconds', { setup: workflowId })) === 30 ? 1 : undefined),
      {
        what: 'max delay gauge',
      },
    );

    await stack.admin(`jobs/${jobId}/delay`, { direction: 'Reverse', seconds: 120 });
    const raised = Date.now();
    const parked = await untilPhase(stack.client.workflow.getHandle(workflowId), 'needs-attention');
    expect(Date.now() - raised).toBeGreaterThanOrEqual(3_000); // not before the grace
    expect(parked.attention?.kind).toBe('delay');
    expect(parked.attention?.direction).toBe('Reverse');
    expect(parked.attention?.reason).toMatch(/Reverse lags 12\ds behind, above maxDelay 30s/);
    const shown = await gauge('dts_sync_delay_seconds', { setup: workflowId, direction: 'Reverse', dts_job_id: jobId });
    expect(shown).toBeGreaterThanOrEqual(119);
    expect(await gauge('dts_sync_delay_seconds', { setup: workflowId, direction: 'Forward' })).toBeLessThan(5);

    // The delay falls back: synchronizing again, no operator.
    await stack.admin(`jobs/${jobId}/delay`, { direction: 'Reverse', seconds: 0 });
    const back = await untilPhase(stack.client.workflow.getHandle(workflowId), 'synchronizing');
    expect(back.attention).toBeUndefined();
    expect(back.reverse?.delaySeconds).toBeLessThan(30);
    expect(await gauge('dts_sync_delay_seconds', { setup: workflowId, direction: 'Reverse' })).toBeLessThan(5);

    await handle.signal(releaseSignal);
    expect((await handle.result()).phase).toBe('released');
  });

  it('refuses a bad maxDelay or delayGrace naming the field, starting nothing', async () => {
    const id = randomUUID().slice(0, 8);
    const res = await app.inject({
      method: 'POST',
      url: '/v1/syncs',
      headers: AUTH,
      payload: {
        name: `delay-${id}`,
        topology: 'oneway',
        region: 'cn-hangzhou',
        source: { instanceId: `r-delay-src-${id}`, region: 'cn-hangzhou', password: `src-${id}-Pa55` },
        destination: { instanceId: `r-delay-dst-${id}`, region: 'cn-hangzhou', password: `dst-${id}-Pa55` },
        maxDelay: 'soon',
        delayGrace: '0m',
      },
    });
    expect(res.statusCode).toBe(400);
    const fields = (res.json().fields as { field: string }[]).map((f) => f.field);
    expect(fields).toEqual(expect.arrayContaining(['/maxDelay', '/delayGrace']));
  });

  it('the emulator delay route answers 404 for an unknown job', async () => {
    expect(
      await fetch(`${stack.emulatorUrl}/__emulator/jobs/no-such-job/delay`, { method: 'POST', body: '{}' }),
    ).toHaveProperty('status', 404);
  });
});
