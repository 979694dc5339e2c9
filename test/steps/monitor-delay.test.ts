import { beforeEach, describe, expect, it, vi } from 'vitest';
import { monitorUntilStopped } from '../../workflows/setup/monitor';
import { StopRequested } from '../../workflows/setup/setup';
import { actions, fakeDts, newSetup, snapshot } from './helpers';

vi.mock('@temporalio/workflow', async () => (await import('../support/fake-workflow')).fakeWorkflowModule());

const MIN = 60_000;

// The keeper's delay supervision (workflows/setup/monitor.ts with delay.ts): a delay above maxDelay is read
// again when its grace ends, parks as `delay` once the grace passed, and the setup returns once it is back.
describe('monitorUntilStopped, delay', () => {
  let t: ReturnType<typeof newSetup>;
  let delaySeconds = 0;
  let t0 = 0;
  beforeEach(() => {
    t = newSetup({ topology: 'oneway', maxDelay: '60s', delayGrace: '5m', attentionDeadline: '2h' });
    t.setup.updateStatus({ dtsJobId: 'dtsjob1', phase: 'synchronizing', everSynchronizing: true });
    Object.assign(t.setup.direction('Forward'), { configured: true, status: 'synchronizing' });
    t.setup.state.verifiedOnce = true;
    fakeDts(t.rt, { Forward: 'synchronizing' });
    delaySeconds = 0;
    t.rt.activities.describeDirection = async () => snapshot('synchronizing', { delaySeconds });
    t0 = t.rt.nowMs;
  });
  async function runFor(ms: number): Promise<void> {
    t.rt.at(ms, () => t.rt.handlers.get('release')!());
    await expect(monitorUntilStopped(t.setup)).rejects.toBeInstanceOf(StopRequested);
  }
  const readTimes = () => t.rt.callsOf('describeDirection').map((c) => (c.atMs - t0) / MIN);

  it('a delay above maxDelay is read again when the grace ends, then parks (delay) until it is back', async () => {
    t.rt.at(45 * MIN, () => {
      delaySeconds = 300;
    });
    const seen: unknown[] = [];
    t.rt.at(70 * MIN, () => {
      seen.push({ phase: t.setup.status.phase, attention: t.setup.status.attention });
      delaySeconds = 10;
    });
    t.rt.at(100 * MIN, () => seen.push({ phase: t.setup.status.phase }));
    await runFor(110 * MIN);
    const reads = readTimes();
    // Rounds at 30 and 60 min; at 60 the delay is over: read again when the 5 min grace ends.
    expect(reads.slice(0, 3)).toEqual([30, 60, 65]);
    expect(seen[0]).toMatchObject({
      phase: 'needs-attention',
      attention: {
        kind: 'delay',
        direction: 'Forward',
        reason: 'Forward lags 300s behind, above maxDelay 60s for longer than 5m',
      },
    });
    expect((seen[0] as { attention: { deadline?: string } }).attention.deadline).toBeUndefined();
    expect(seen[1]).toEqual({ phase: 'synchronizing' });
    expect(actions(t.rt)).toEqual([]);
    // The alert's threshold, in seconds, for this setup.
    expect(t.rt.gauges[0]).toEqual({
      name: 'dts_sync_max_delay_seconds',
      value: 60,
      attributes: { setup: 'redis-sync.test' },
    });
  });

  it('a delay back within its limit before the grace ends parks nothing; the next grace starts afresh', async () => {
    t.rt.at(45 * MIN, () => {
      delaySeconds = 300;
    });
    t.rt.at(62 * MIN, () => {
      delaySeconds = 0;
    });
    t.rt.at(80 * MIN, () => {
      delaySeconds = 300;
    });
    const phases: string[] = [];
    t.rt.at(93 * MIN, () => phases.push(t.setup.status.phase));
    await runFor(100 * MIN);
    // 60: over; 65: back (the grace is forgotten); 95: over again, its own grace: not parked at 93.
    expect(readTimes().slice(0, 4)).toEqual([30, 60, 65, 95]);
    expect(phases).toEqual(['synchronizing']);
    expect(t.setup.state.delayOverSinceMs).toBe(t0 + 95 * MIN);
  });

  it('a two-way sync is judged by its worst Synchronizing direction; a direction not Synchronizing is not', async () => {
    t = newSetup({ topology: 'bidirectional', maxDelay: '60s', delayGrace: '5m' });
    t.setup.updateStatus({ dtsJobId: 'dtsjob1', phase: 'synchronizing', everSynchronizing: true });
    for (const dir of ['Forward', 'Reverse'] as const)
      Object.assign(t.setup.direction(dir), { configured: true, status: 'synchronizing' });
    t.setup.state.verifiedOnce = true;
    fakeDts(t.rt, { Forward: 'synchronizing', Reverse: 'synchronizing' });
    const delays = { Forward: 120, Reverse: 300 };
    t.rt.activities.describeDirection = async (input: unknown) => {
      const dir = (input as { direction: 'Forward' | 'Reverse' }).direction;
      return snapshot('synchronizing', { delaySeconds: delays[dir] });
    };
    t.rt.at(40 * 60_000, () => t.rt.handlers.get('release')!());
    await expect(monitorUntilStopped(t.setup)).rejects.toBeInstanceOf(StopRequested);
    expect(t.setup.status.attention).toMatchObject({ kind: 'delay', direction: 'Reverse' });
    expect(t.setup.status.attention?.reason).toMatch(/^Reverse lags 300s behind/);
  });

  it('exactly maxDelay is within the limit', async () => {
    delaySeconds = 60;
    await runFor(70 * MIN);
    expect(t.setup.state.delayOverSinceMs).toBeUndefined();
    expect(readTimes()).toEqual([30, 60]);
  });
});
