import { describe, expect, it, vi } from 'vitest';
import { startCanary } from '../../workflows/setup/canary';
import { CANARY_PATCH } from '../../workflows/setup/patches';
import { newSetup } from './helpers';

vi.mock('@temporalio/workflow', async () => (await import('../support/fake-workflow')).fakeWorkflowModule());

// The end-to-end canary (workflows/setup/canary.ts): started once per run when asked, never awaited.
describe('canary', () => {
  it('starts one canary per run with the setup’s ends, directions and interval', () => {
    const { setup, rt } = newSetup({ topology: 'bidirectional', canary: { intervalSeconds: 15 } });
    rt.activities.runCanary = () => new Promise(() => undefined);
    startCanary(setup);
    startCanary(setup);
    expect(rt.calls).toEqual([
      {
        name: 'runCanary',
        input: {
          setupId: 'redis-sync.test',
          source: setup.request.source,
          destination: setup.request.destination,
          directions: ['Forward', 'Reverse'],
          intervalMs: 15_000,
        },
        atMs: rt.nowMs,
        summary: 'Canary: end-to-end lag',
      },
    ]);
    // It runs as long as the run keeps the sync; its heartbeat stops it when the run ends.
    expect(rt.activityOptions.get('runCanary')).toEqual({
      taskQueue: 'tq.canary',
      startToCloseTimeout: '3650d',
      heartbeatTimeout: '1m',
      retry: { initialInterval: '5s', backoffCoefficient: 2, maximumInterval: '1m' },
      summary: 'Canary: end-to-end lag',
    });
  });

  it('a canary that ends in failure is no failure of the setup', async () => {
    const { setup, rt } = newSetup({ canary: { intervalSeconds: 1 } });
    rt.activities.runCanary = () => Promise.reject(new Error('heartbeat failed'));
    startCanary(setup);
    await Promise.resolve();
    expect(rt.callsOf('runCanary')).toHaveLength(1);
  });

  it('none without a canary in the request, nor in an older run', () => {
    const plain = newSetup();
    startCanary(plain.setup);
    expect(plain.rt.calls).toEqual([]);
    const old = newSetup({ canary: { intervalSeconds: 1 } });
    old.rt.unpatched.add(CANARY_PATCH);
    startCanary(old.setup);
    expect(old.rt.calls).toEqual([]);
  });
});
