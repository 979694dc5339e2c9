import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { DirectionSnapshot } from '../../core/types';
import { WAIT_DEADLINE_UNREAD_PATCH, WATCHER_NEWS_PATCH } from '../../workflows/setup/patches';
import { enterAttention } from '../../workflows/setup/attention';
import { StopRequested } from '../../workflows/setup/setup';
import { monitorUntilStopped } from '../../workflows/setup/monitor';
import { waitForSynchronizing } from '../../workflows/setup/wait';
import { actions, credentials, fakeDts, newSetup, snapshot, unavailable } from './helpers';

vi.mock('@temporalio/workflow', async () => (await import('../support/fake-workflow')).fakeWorkflowModule());

// The wait's finer decisions (workflows/setup/wait.ts): its poll pace, the precheck re-run's bookkeeping, the
// restart's backoff, what each parking says, and a Reverse waiting on Forward.
describe('waitForSynchronizing, details', () => {
  let t: ReturnType<typeof newSetup>;
  let dts: ReturnType<typeof fakeDts>;
  const phases = () => t.rt.searchAttributes.map((a) => (a as { value: string }[])[0]!.value);
  const readTimes = () => t.rt.callsOf('describeDirection').map((c) => c.atMs - t0);
  let t0 = 0;
  beforeEach(() => {
    t = newSetup({ topology: 'bidirectional', waitDeadline: '1h', attentionDeadline: '2h' });
    t.setup.updateStatus({ dtsJobId: 'dtsjob1' });
    dts = fakeDts(t.rt);
    t0 = t.rt.nowMs;
  });

  it('paces reads by the progress within a DTS step: a third of the time left, firstPoll again on a new step', async () => {
    t.setup.direction('Forward').configured = true;
    // 1 % a second in the data step; done at 100 s, then Synchronizing.
    const at = (ms: number): DirectionSnapshot => {
      const s = (ms - t0) / 1000;
      if (s >= 100) return snapshot('synchronizing');
      return snapshot('initializing', { stage: s < 5 ? 'structure' : 'data', stagePercent: s, progress: s });
    };
    t.rt.activities.describeDirection = async () => at(t.rt.nowMs);
    await waitForSynchronizing(t.setup, 'Forward');
    const reads = readTimes();
    const gaps = reads.slice(1).map((ms, i) => ms - reads[i]!);
    // 10 s: first read of the data step (firstPoll); 20 s: 1 %/s, 80 % left → 26.7 s; then 53.3 % left → 17.8 s.
    expect(gaps.slice(0, 3)).toEqual([10_000, 26_667, 17_778]);
  });

  it('without a step to extrapolate in, the pace slows by half each read, up to maxPoll', async () => {
    t.setup.direction('Forward').configured = true;
    dts.status.Forward = 'initializing';
    t.rt.at(20 * 60_000, () => {
      dts.status.Forward = 'synchronizing';
    });
    await waitForSynchronizing(t.setup, 'Forward');
    const reads = readTimes();
    const gaps = reads.slice(1).map((ms, i) => ms - reads[i]!);
    expect(gaps.slice(0, 4)).toEqual([15_000, 22_500, 33_750, 50_625]);
    expect(Math.max(...gaps)).toBe(120_000);
    expect(reads[0]).toBe(10_000);
  });

  it('a failed precheck re-run by Start that runs again (Prechecking) and fails again parks again, no Reset', async () => {
    dts.status.Forward = 'precheckfailed';
    t.setup.direction('Forward').configured = true;
    dts.next.start = 'prechecking';
    t.rt.at(60_000, () => t.rt.handlers.get('retry')!());
    const parked: unknown[] = [];
    t.rt.at(5 * 60_000, () => {
      dts.status.Forward = 'precheckfailed';
    });
    t.rt.at(10 * 60_000, () => {
      parked.push(t.setup.status.attention?.kind);
      t.rt.handlers.get('abort')!();
    });
    await expect(waitForSynchronizing(t.setup, 'Forward')).rejects.toBeInstanceOf(StopRequested);
    expect(parked).toEqual(['precheck-failed']);
    expect(actions(t.rt)).toEqual(['Start Forward']);
    expect(t.setup.state.precheckRerun).toEqual({ Forward: false });
  });

  it('after Start did not re-run the precheck, Reset + Configure once; a precheck failing again then parks', async () => {
    dts.status.Forward = 'precheckfailed';
    t.setup.direction('Forward').configured = true;
    t.setup.state.precheckRerun = { Forward: true, Reverse: true };
    dts.next.configure = 'precheckfailed';
    dts.precheckFailures = [{ item: 'CHECK_DST', message: 'no space' }];
    const parked: unknown[] = [];
    t.rt.at(10 * 60_000, () => {
      parked.push(t.setup.status.attention);
      t.rt.handlers.get('abort')!();
    });
    await expect(waitForSynchronizing(t.setup, 'Forward')).rejects.toBeInstanceOf(StopRequested);
    expect(actions(t.rt)).toEqual(['Reset Forward', 'Configure Forward']);
    expect(t.rt.callsOf('resetDirection')[0]!.summary).toBe(
      'Reset Forward on dtsjob1 (Start did not re-run the failed precheck)',
    );
    expect(t.setup.state.precheckRerun).toEqual({ Forward: false, Reverse: true });
    expect(parked[0]).toMatchObject({
      kind: 'precheck-failed',
      reason: 'DTS precheck failed',
      dtsStatus: 'DTS reports PrecheckFailed',
      failures: [{ item: 'CHECK_DST', message: 'no space' }],
    });
  });

  it('a configured direction reported NotStarted is started, said so in the UI', async () => {
    dts.status.Forward = 'notstarted';
    t.setup.direction('Forward').configured = true;
    await waitForSynchronizing(t.setup, 'Forward');
    expect(t.rt.callsOf('startDirection')[0]!.summary).toBe('Start Forward on dtsjob1 (configured but not started)');
  });

  it('a suspension from outside says so', async () => {
    dts.status.Forward = 'suspending';
    t.setup.direction('Forward').configured = true;
    t.rt.at(60_000, () => t.rt.handlers.get('abort')!());
    await expect(waitForSynchronizing(t.setup, 'Forward')).rejects.toBeInstanceOf(StopRequested);
    expect(t.setup.status.attention).toMatchObject({
      kind: 'suspended-outside',
      reason: 'The DTS task was suspended outside this workflow',
      dtsStatus: 'DTS reports Suspending',
    });
  });

  it('entered parked, it stays parked (no waiting phase) and looks at DTS on the attention pace', async () => {
    dts.status.Forward = 'suspending';
    t.setup.direction('Forward').configured = true;
    t.setup.setWaitDeadline('Forward');
    enterAttention(t.setup, {
      kind: 'suspended-outside',
      direction: 'Forward',
      reason: 'x',
      snapshot: snapshot('suspending'),
    });
    const seen: string[] = [];
    t.rt.at(1, () => seen.push(t.setup.status.phase));
    t.rt.at(60_000, () => {
      dts.status.Forward = 'synchronizing';
    });
    await waitForSynchronizing(t.setup, 'Forward');
    expect(seen).toEqual(['needs-attention']);
    // The attention's first look is 8 s in, not after a poll of the wait first.
    expect(readTimes()[0]).toBe(8_000);
  });

  it('a restart waits its backoff in the waiting phase, not woken by watcher news, and says which restart it is', async () => {
    dts.status.Forward = 'failed';
    t.setup.direction('Forward').configured = true;
    t.setup.updateStatus({ phase: 'synchronizing', everSynchronizing: true });
    const seen: unknown[] = [];
    t.rt.at(15_000, () =>
      t.rt.handlers.get('dtsStatusChanged')!({ direction: 'Forward', status: 'initializing', delaySeconds: 0 }),
    );
    t.rt.at(20_000, () => seen.push({ phase: t.setup.status.phase, restarts: t.setup.status.forward.restarts }));
    await waitForSynchronizing(t.setup, 'Forward');
    expect(seen).toEqual([{ phase: 'waiting-forward', restarts: 0 }]);
    const startCall = t.rt.callsOf('startDirection')[0]!;
    // First read at 10 s, then the 30 s backoff.
    expect(startCall.atMs - t0).toBe(40_000);
    expect(startCall.summary).toBe('Start Forward on dtsjob1 (automatic restart 1 of 3)');
  });

  it('restarting from the keeper: the backoff shows the waiting phase; an older run keeps synchronizing', async () => {
    for (const old of [false, true]) {
      t = newSetup({ topology: 'oneway' });
      if (old) t.rt.unpatched.add(WATCHER_NEWS_PATCH);
      t.setup.updateStatus({ dtsJobId: 'dtsjob1', phase: 'synchronizing', everSynchronizing: true });
      Object.assign(t.setup.direction('Forward'), { configured: true, status: 'synchronizing' });
      t.setup.state.verifiedOnce = true;
      dts = fakeDts(t.rt, { Forward: 'synchronizing' });
      t0 = t.rt.nowMs;
      // The keeper's round at 30 min reads Failed; the restart's 30 s backoff follows.
      t.rt.at(29 * 60_000, () => {
        dts.status.Forward = 'failed';
      });
      const seen: string[] = [];
      t.rt.at(30 * 60_000 + 15_000, () => seen.push(t.setup.status.phase));
      t.rt.at(2 * 3_600_000, () => t.rt.handlers.get('release')!());
      await expect(monitorUntilStopped(t.setup)).rejects.toBeInstanceOf(StopRequested);
      expect(seen).toEqual([old ? 'synchronizing' : 'waiting-forward']);
      expect(t.rt.callsOf('startDirection')[0]!.atMs - t0).toBe(30 * 60_000 + 30_000);
    }
  });

  it('past the budget, a failure without DTS message says only the status', async () => {
    dts.status.Forward = 'initializefailed';
    t.setup.direction('Forward').configured = true;
    t.setup.state.restartStreak = { Forward: 3 };
    t.rt.at(60_000, () => t.rt.handlers.get('abort')!());
    await expect(waitForSynchronizing(t.setup, 'Forward')).rejects.toBeInstanceOf(StopRequested);
    expect(t.setup.status.attention?.reason).toBe('DTS reports InitializeFailed (after 3 automatic restarts)');
  });

  it('a Reverse to configure while Forward still initializes waits for Forward, starting nothing', async () => {
    dts.status.Forward = 'initializing';
    t.setup.direction('Forward').configured = true;
    t.rt.at(60_000, () => {
      dts.status.Forward = 'synchronizing';
    });
    await waitForSynchronizing(t.setup, 'Reverse');
    expect(actions(t.rt)).toEqual(['Configure Reverse']);
    expect(phases()).toEqual([
      'purchasing',
      'waiting-reverse',
      'waiting-forward',
      'configuring-reverse',
      'waiting-reverse',
    ]);
  });

  it('the deadline parking says why; an older run ending on it names the status it never read', async () => {
    t.setup.direction('Forward').configured = true;
    dts.readError = () => credentials();
    t.rt.at(2 * 3_600_000, () => t.rt.handlers.get('abort')!());
    await expect(waitForSynchronizing(t.setup, 'Forward')).rejects.toBeInstanceOf(StopRequested);
    expect(t.setup.status.attention?.reason).toMatch(
      /^Forward did not reach Synchronizing within 1h as far as we know, and DTS does not report its status: .*Forbidden\.RAM/,
    );

    t = newSetup({ waitDeadline: '1h' });
    t.setup.updateStatus({ dtsJobId: 'dtsjob1' });
    t.rt.unpatched.add(WAIT_DEADLINE_UNREAD_PATCH);
    dts = fakeDts(t.rt);
    t.setup.direction('Forward').configured = true;
    dts.readError = () => unavailable();
    await expect(waitForSynchronizing(t.setup, 'Forward')).rejects.toMatchObject({
      message: 'Forward did not reach Synchronizing within 1h; last DTS status unknown at 0%',
    });
  });
});
