import { beforeEach, describe, expect, it, vi } from 'vitest';
import {
  attentionRecheckMs,
  dropAttentionDeadline,
  enterAttention,
  waitInAttention,
} from '../../workflows/setup/attention';
import { WAIT_DEADLINE_UNREAD_PATCH } from '../../workflows/setup/patches';
import { StopRequested } from '../../workflows/setup/setup';
import { actions, credentials, fakeDts, newSetup, snapshot } from './helpers';

vi.mock('@temporalio/workflow', async () => (await import('../support/fake-workflow')).fakeWorkflowModule());

const HOUR = 3_600_000;

// needs-attention on its own (workflows/setup/attention.ts): who ends it, and when a deadline may.
describe('attention', () => {
  let t: ReturnType<typeof newSetup>;
  let dts: ReturnType<typeof fakeDts>;
  beforeEach(() => {
    t = newSetup({ attentionDeadline: '2h', waitDeadline: '1h' });
    t.setup.updateStatus({ dtsJobId: 'dtsjob1', phase: 'waiting-forward' });
    t.setup.direction('Forward').configured = true;
    dts = fakeDts(t.rt, { Forward: 'precheckfailed' });
  });

  it('before the first Synchronizing, the attention deadline ends the setup; the status shows it', async () => {
    enterAttention(t.setup, {
      kind: 'precheck-failed',
      direction: 'Forward',
      reason: 'DTS precheck failed',
      snapshot: snapshot('precheckfailed', { errorMessage: 'no route' }),
    });
    expect(t.setup.status.attention).toMatchObject({
      kind: 'precheck-failed',
      direction: 'Forward',
      reason: 'DTS precheck failed',
      dtsStatus: 'DTS reports PrecheckFailed: no route',
      deadline: new Date(t.rt.nowMs + 2 * HOUR).toISOString(),
      since: new Date(t.rt.nowMs).toISOString(),
    });
    expect(t.setup.state.attention).toMatchObject({ resumePhase: 'waiting-forward', parkedStatus: 'precheckfailed' });
    const parkedAt = t.rt.nowMs;
    const err = await waitInAttention(t.setup).catch((e: unknown) => e);
    expect(err).toMatchObject({ type: 'AttentionDeadlineExceeded', nonRetryable: true });
    expect((err as Error).message).toBe('No operator action within 2h: DTS precheck failed');
    expect(t.rt.nowMs - parkedAt).toBe(2 * HOUR);
  });

  it('after the first Synchronizing, or for a job DTS does not describe, there is no deadline', () => {
    t.setup.updateStatus({ everSynchronizing: true });
    enterAttention(t.setup, { kind: 'failed' as never, direction: 'Forward', reason: 'r' });
    expect(t.setup.status.attention?.deadline).toBeUndefined();
    expect(t.setup.state.attention?.untilMs).toBeUndefined();
    const other = newSetup();
    enterAttention(other.setup, { kind: 'dts-unreadable', direction: 'Forward', reason: 'r' });
    expect(other.setup.state.attention?.untilMs).toBeUndefined();
  });

  it('a deadline passed while the last parked read failed waits for a read that answers', async () => {
    enterAttention(t.setup, { kind: 'precheck-failed', direction: 'Forward', reason: 'r' });
    t.rt.at(HOUR, () => {
      dts.readError = () => credentials();
    });
    t.rt.at(5 * HOUR, () => {
      dts.readError = undefined;
    });
    const err = await waitInAttention(t.setup).catch((e: unknown) => e);
    expect(err).toMatchObject({ type: 'AttentionDeadlineExceeded' });
    // Not at the deadline (2 h) but after the first read that answered.
    expect(t.rt.nowMs).toBeGreaterThanOrEqual(Date.parse('2026-01-01T05:00:00Z'));
    expect(t.rt.nowMs).toBeLessThan(Date.parse('2026-01-01T05:06:00Z'));
  });

  it('an older run (patch not taken) ends at the deadline even while unread', async () => {
    t.rt.unpatched.add(WAIT_DEADLINE_UNREAD_PATCH);
    enterAttention(t.setup, { kind: 'precheck-failed', direction: 'Forward', reason: 'r' });
    dts.readError = () => credentials();
    await expect(waitInAttention(t.setup)).rejects.toMatchObject({ type: 'AttentionDeadlineExceeded' });
    expect(t.rt.nowMs).toBe(Date.parse('2026-01-01T02:00:00Z'));
  });

  it('returns by itself when DTS moves on from the parked status, and restarts the wait deadline', async () => {
    t.setup.setWaitDeadline('Forward');
    enterAttention(t.setup, {
      kind: 'precheck-failed',
      direction: 'Forward',
      reason: 'r',
      snapshot: snapshot('precheckfailed'),
    });
    t.rt.at(HOUR, () => {
      dts.status.Forward = 'prechecking';
    });
    expect(await waitInAttention(t.setup)).toBe('recovered');
    expect(t.setup.status.phase).toBe('waiting-forward');
    expect(t.setup.waitDeadline('Forward')).toBe(t.rt.nowMs + HOUR);
    expect(t.setup.state.attention).toBeUndefined();
    expect(actions(t.rt)).toEqual([]);
  });

  it('stays parked while DTS shows the same or another trouble status', async () => {
    enterAttention(t.setup, {
      kind: 'precheck-failed',
      direction: 'Forward',
      reason: 'r',
      snapshot: snapshot('precheckfailed'),
    });
    t.rt.at(HOUR / 2, () => {
      dts.status.Forward = 'failed';
    });
    await expect(waitInAttention(t.setup)).rejects.toMatchObject({ type: 'AttentionDeadlineExceeded' });
  });

  it('a wait-deadline parking returns only on Synchronizing', async () => {
    t.setup.updateStatus({ everSynchronizing: true });
    dts.status.Forward = 'initializing';
    enterAttention(t.setup, {
      kind: 'wait-deadline',
      direction: 'Forward',
      reason: 'r',
      snapshot: snapshot('initializing'),
    });
    t.rt.at(HOUR, () => {
      dts.status.Forward = 'prechecking';
    });
    t.rt.at(3 * HOUR, () => {
      dts.status.Forward = 'synchronizing';
    });
    expect(await waitInAttention(t.setup)).toBe('recovered');
    expect(t.rt.nowMs).toBeGreaterThanOrEqual(Date.parse('2026-01-01T03:00:00Z'));
  });

  it('a setup-error or an unknown purchase reads nothing while parked', async () => {
    t.setup.updateStatus({ everSynchronizing: true });
    enterAttention(t.setup, { kind: 'setup-error', direction: 'Forward', reason: 'r' });
    t.rt.at(10 * HOUR, () => t.rt.handlers.get('retry')!());
    expect(await waitInAttention(t.setup)).toBe('retried');
    expect(t.rt.callsOf('describeDirection')).toEqual([]);
    expect(t.setup.status.phase).toBe('waiting-forward');
  });

  it('a retry of a suspension from outside starts the direction and restarts the wait', async () => {
    dts.status.Forward = 'suspending';
    enterAttention(t.setup, {
      kind: 'suspended-outside',
      direction: 'Forward',
      reason: 'r',
      snapshot: snapshot('suspending'),
    });
    t.rt.at(60_000, () => t.rt.handlers.get('retry')!());
    expect(await waitInAttention(t.setup)).toBe('retried');
    expect(actions(t.rt)).toEqual(['Start Forward']);
    expect(t.setup.waitDeadline('Forward')).toBe(t.rt.nowMs + HOUR);
    expect(t.setup.status.phase).toBe('waiting-forward');
  });

  it('a retry after restarts are exhausted restarts with a fresh budget; a retry of a wait deadline only waits again', async () => {
    t.setup.updateStatus({ everSynchronizing: true });
    t.setup.state.restartStreak = { Forward: 3 };
    dts.status.Forward = 'failed';
    enterAttention(t.setup, {
      kind: 'restarts-exhausted',
      direction: 'Forward',
      reason: 'r',
      snapshot: snapshot('failed'),
    });
    t.rt.at(60_000, () => t.rt.handlers.get('retry')!());
    await waitInAttention(t.setup);
    expect(actions(t.rt)).toEqual(['Start Forward']);
    expect(t.setup.state.restartStreak).toEqual({ Forward: 0 });

    enterAttention(t.setup, { kind: 'wait-deadline', direction: 'Forward', reason: 'r' });
    t.rt.at(60_000, () => t.rt.handlers.get('retry')!());
    await waitInAttention(t.setup);
    expect(actions(t.rt)).toEqual(['Start Forward']);
    expect(t.setup.waitDeadline('Forward')).toBe(t.rt.nowMs + HOUR);
  });

  it('an abort while parked ends it at once', async () => {
    enterAttention(t.setup, { kind: 'precheck-failed', direction: 'Forward', reason: 'r' });
    t.rt.at(60_000, () => t.rt.handlers.get('abort')!());
    await expect(waitInAttention(t.setup)).rejects.toBeInstanceOf(StopRequested);
    expect(t.rt.nowMs - Date.parse('2026-01-01T00:00:00Z')).toBe(60_000);
  });

  it('looks at DTS slower each round, never slower than the monitor interval', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 9].map((round) => attentionRecheckMs(t.setup, round))).toEqual([
      8_000, 16_000, 32_000, 64_000, 128_000, 256_000, 300_000, 300_000,
    ]);
    const fast = newSetup();
    fast.setup.state.tuning = { ...fast.setup.state.tuning, monitorInterval: '10s', firstPoll: '20s' };
    expect(attentionRecheckMs(fast.setup, 5)).toBe(20_000);
  });

  it('dropping a deadline removes it from the state and the status, and keeps the rest', () => {
    enterAttention(t.setup, { kind: 'precheck-failed', direction: 'Forward', reason: 'kept' });
    dropAttentionDeadline(t.setup);
    expect(t.setup.state.attention?.untilMs).toBeUndefined();
    expect(t.setup.status.attention).toMatchObject({ kind: 'precheck-failed', reason: 'kept' });
    expect(t.setup.status.attention?.deadline).toBeUndefined();
  });

  it('entered from needs-attention, it returns to the waiting phase of its direction', () => {
    t.setup.updateStatus({ phase: 'needs-attention' });
    enterAttention(t.setup, { kind: 'precheck-failed', direction: 'Forward', reason: 'r' });
    expect(t.setup.state.attention?.resumePhase).toBe('waiting-forward');
  });
});
