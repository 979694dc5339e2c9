import { beforeEach, describe, expect, it, vi } from 'vitest';
import { WAIT_DEADLINE_UNREAD_PATCH } from '../../workflows/setup/patches';
import { StopRequested } from '../../workflows/setup/setup';
import { waitForSynchronizing } from '../../workflows/setup/wait';
import { actions, conflict, credentials, fakeDts, lost, newSetup, refused, unavailable } from './helpers';

vi.mock('@temporalio/workflow', async () => (await import('../support/fake-workflow')).fakeWorkflowModule());

// The wait for Synchronizing on its own (workflows/setup/wait.ts), with configure.ts and attention.ts under it.
describe('waitForSynchronizing', () => {
  /** Every phase the setup showed, from the search-attribute upserts (one per change). */
  const phases = () => t.rt.searchAttributes.map((a) => (a as { value: string }[])[0]!.value);
  let t: ReturnType<typeof newSetup>;
  let dts: ReturnType<typeof fakeDts>;
  beforeEach(() => {
    t = newSetup({
      topology: 'bidirectional',
      databases: [{ from: 0, to: 1 }],
      waitDeadline: '1h',
      attentionDeadline: '2h',
    });
    t.setup.updateStatus({ dtsJobId: 'dtsjob1' });
    dts = fakeDts(t.rt);
  });
  it('configures a direction not configured, once, and returns when it is Synchronizing', async () => {
    await waitForSynchronizing(t.setup, 'Forward');
    expect(actions(t.rt)).toEqual(['Configure Forward']);
    const forward = t.setup.status.forward;
    expect(forward).toMatchObject({ configured: true, status: 'synchronizing' });
    expect(forward.synchronizingAt).toBeDefined();
    expect(t.setup.status.everSynchronizing).toBe(true);
    expect(t.setup.waitDeadline('Forward')).toBeUndefined();
    expect(t.setup.status.phase).toBe('waiting-forward');
    expect(phases()).toEqual(['purchasing', 'waiting-forward', 'configuring-forward', 'waiting-forward']);
    expect(t.rt.callsOf('configureDirection')[0]!.input).toMatchObject({
      api: 'dtsjob',
      dtsJobId: 'dtsjob1',
      regionId: 'cn-hangzhou',
      direction: 'Forward',
      jobName: 'test-sync',
      source: { instanceId: 'r-demo-source-0001' },
      destination: { instanceId: 'r-demo-target-0002' },
      databases: [{ from: 0, to: 1 }],
    });
  });

  it('configures Reverse the other way round (endpoints and database mapping swapped), after reading Forward', async () => {
    dts.status.Forward = 'synchronizing';
    await waitForSynchronizing(t.setup, 'Reverse');
    expect(t.rt.callsOf('configureDirection')[0]!.input).toMatchObject({
      direction: 'Reverse',
      source: { instanceId: 'r-demo-target-0002' },
      destination: { instanceId: 'r-demo-source-0001' },
      databases: [{ from: 1, to: 0 }],
    });
    expect(t.rt.callsOf('describeDirection').map((c) => (c.input as { direction: string }).direction)).toEqual([
      'Reverse',
      'Forward',
      'Reverse',
    ]);
  });

  it('a Reverse to configure while Forward failed restarts Forward first', async () => {
    dts.status.Forward = 'failed';
    t.setup.direction('Forward').configured = true;
    await waitForSynchronizing(t.setup, 'Reverse');
    expect(actions(t.rt)).toEqual(['Start Forward', 'Configure Reverse']);
    expect(t.setup.status.forward.restarts).toBe(1);
    expect(t.setup.state.restartStreak).toEqual({ Forward: 1 });
    // Forward waited for again, then Reverse configured.
    expect(phases()).toEqual([
      'purchasing',
      'waiting-reverse',
      'waiting-forward',
      'configuring-reverse',
      'waiting-reverse',
    ]);
  });

  it('a configure refused for the job status counts as done; the wait reads the real state', async () => {
    dts.configureError = () => conflict();
    dts.status.Forward = 'notconfigured';
    t.rt.at(20_000, () => {
      dts.status.Forward = 'synchronizing';
    });
    await waitForSynchronizing(t.setup, 'Forward');
    expect(t.setup.status.forward.configured).toBe(true);
    expect(t.rt.callsOf('configureDirection').length).toBeGreaterThan(0);
  });

  it('starts a configured direction DTS reports NotStarted; configures it when DTS refuses the Start', async () => {
    dts.status.Forward = 'notstarted';
    t.setup.direction('Forward').configured = true;
    await waitForSynchronizing(t.setup, 'Forward');
    expect(actions(t.rt)).toEqual(['Start Forward']);

    const other = newSetup();
    other.setup.updateStatus({ dtsJobId: 'dtsjob2' });
    const refusing = fakeDts(other.rt, { Forward: 'notstarted' });
    other.setup.direction('Forward').configured = true;
    refusing.startError = () => conflict();
    await waitForSynchronizing(other.setup, 'Forward');
    expect(actions(other.rt)).toEqual(['Start Forward', 'Configure Forward']);
  });

  it('a NotStarted direction never configured here is configured, not started', async () => {
    dts.status.Forward = 'notstarted';
    await waitForSynchronizing(t.setup, 'Forward');
    expect(actions(t.rt)).toEqual(['Configure Forward']);
  });

  it('parks a failed precheck with DTS reasons; a retry runs Start, and Reset + Configure when DTS ignored it', async () => {
    dts.status.Forward = 'precheckfailed';
    t.setup.direction('Forward').configured = true;
    dts.precheckFailures = [{ item: 'CHECK_SRC', message: 'no access' }];
    // DTS accepts the Start but it does not re-run the precheck.
    dts.next.start = 'precheckfailed';
    const parked: unknown[] = [];
    t.rt.at(60_000, () => {
      parked.push(t.setup.status.attention);
      t.rt.handlers.get('retry')!();
    });
    await waitForSynchronizing(t.setup, 'Forward');
    expect(parked[0]).toMatchObject({ kind: 'precheck-failed', failures: [{ item: 'CHECK_SRC' }] });
    expect(actions(t.rt)).toEqual(['Start Forward', 'Reset Forward', 'Configure Forward']);
    expect(t.setup.status.phase).toBe('waiting-forward');
  });

  it('a retry of a failed precheck whose Start DTS refuses goes straight to Reset + Configure', async () => {
    dts.status.Forward = 'precheckfailed';
    t.setup.direction('Forward').configured = true;
    dts.startError = () => conflict();
    t.rt.at(60_000, () => t.rt.handlers.get('retry')!());
    await waitForSynchronizing(t.setup, 'Forward');
    expect(actions(t.rt)).toEqual(['Start Forward', 'Reset Forward', 'Configure Forward']);
  });

  it('does not undo a suspension from outside: parks, and returns when resumed outside', async () => {
    dts.status.Forward = 'suspending';
    t.setup.direction('Forward').configured = true;
    const parked: unknown[] = [];
    t.rt.at(30_000, () => parked.push(t.setup.status.attention?.kind));
    t.rt.at(40 * 60_000, () => {
      dts.status.Forward = 'synchronizing';
    });
    await waitForSynchronizing(t.setup, 'Forward');
    expect(parked).toEqual(['suspended-outside']);
    expect(actions(t.rt)).toEqual([]);
    expect(t.setup.status.phase).toBe('waiting-forward');
  });

  it('restarts a failed direction with a doubling backoff, counts each restart, and asks a human past the budget', async () => {
    dts.status.Forward = 'failed';
    dts.errorMessage = 'disk full';
    dts.next.start = 'failed';
    t.setup.direction('Forward').configured = true;
    t.setup.updateStatus({ everSynchronizing: true });
    const seen: unknown[] = [];
    t.rt.at(3 * 3_600_000, () => {
      seen.push(t.setup.status.attention);
      t.rt.handlers.get('abort')!();
    });
    await expect(waitForSynchronizing(t.setup, 'Forward')).rejects.toBeInstanceOf(StopRequested);
    const starts = t.rt.callsOf('startDirection').map((c) => c.atMs);
    expect(starts).toHaveLength(3);
    expect(starts[2]! - starts[1]!).toBeGreaterThanOrEqual(120_000);
    expect(starts[1]! - starts[0]!).toBeGreaterThanOrEqual(60_000);
    expect(starts[1]! - starts[0]!).toBeLessThan(120_000);
    expect(t.setup.status.forward.restarts).toBe(3);
    expect(seen[0]).toMatchObject({ kind: 'restarts-exhausted' });
    expect((seen[0] as { reason: string }).reason).toContain(
      'DTS reports Failed: disk full (after 3 automatic restarts)',
    );
    // After the first Synchronizing, no deadline.
    expect((seen[0] as { deadline?: string }).deadline).toBeUndefined();
  });

  it('an initialization that failed is reset and configured again, not started', async () => {
    dts.status.Forward = 'initializefailed';
    t.setup.direction('Forward').configured = true;
    await waitForSynchronizing(t.setup, 'Forward');
    expect(actions(t.rt)).toEqual(['Reset Forward', 'Configure Forward']);
  });

  it('before the first Synchronizing, a deadline passed on what DTS said ends the setup', async () => {
    dts.next.configure = 'initializing';
    const err = await waitForSynchronizing(t.setup, 'Forward').catch((e: unknown) => e);
    expect(err).toMatchObject({ type: 'WaitDeadlineExceeded', nonRetryable: true });
    expect((err as Error).message).toBe(
      'Forward did not reach Synchronizing within 1h; last DTS status Initializing at 0%',
    );
    expect(t.rt.nowMs - t.rt.callsOf('configureDirection')[0]!.atMs).toBeGreaterThan(3_600_000);
    expect(t.rt.nowMs - t.rt.callsOf('configureDirection')[0]!.atMs).toBeLessThan(3_600_000 + 130_000);
  });

  it('a deadline passed while every read is refused parks without deadline, and goes on once a read answers', async () => {
    dts.status.Forward = 'synchronizing';
    t.setup.direction('Forward').configured = true;
    dts.readError = () => credentials();
    const parked: unknown[] = [];
    t.rt.at(2 * 3_600_000, () => {
      parked.push({ phase: t.setup.status.phase, attention: t.setup.status.attention });
      dts.readError = undefined;
    });
    await waitForSynchronizing(t.setup, 'Forward');
    expect(parked[0]).toMatchObject({ phase: 'needs-attention', attention: { kind: 'dts-unreadable' } });
    expect((parked[0] as { attention: { deadline?: string } }).attention.deadline).toBeUndefined();
    expect(actions(t.rt)).toEqual([]);
    expect(t.setup.status.forward.status).toBe('synchronizing');
    expect(t.setup.status.phase).toBe('waiting-forward');
  });

  it('an older run (patch not taken) fails on the deadline as before', async () => {
    t.rt.unpatched.add(WAIT_DEADLINE_UNREAD_PATCH);
    dts.readError = () => unavailable();
    await expect(waitForSynchronizing(t.setup, 'Forward')).rejects.toMatchObject({ type: 'WaitDeadlineExceeded' });
  });

  it('after the first Synchronizing, the deadline parks (wait-deadline), with no deadline of its own', async () => {
    t.setup.updateStatus({ everSynchronizing: true });
    dts.next.configure = 'initializing';
    const parked: unknown[] = [];
    t.rt.at(2 * 3_600_000, () => {
      parked.push(t.setup.status.attention);
      dts.status.Forward = 'synchronizing';
      t.rt.handlers.get('retry')!();
    });
    await waitForSynchronizing(t.setup, 'Forward');
    expect(parked[0]).toMatchObject({ kind: 'wait-deadline' });
    expect((parked[0] as { deadline?: string }).deadline).toBeUndefined();
  });

  it('reads refused for credentials back off up to 5 minutes; unanswered ones up to maxPoll', async () => {
    dts.readError = () => credentials();
    t.setup.direction('Forward').configured = true;
    dts.status.Forward = 'initializing';
    t.rt.at(30 * 60_000, () => {
      dts.readError = undefined;
      dts.status.Forward = 'synchronizing';
    });
    await waitForSynchronizing(t.setup, 'Forward');
    const reads = t.rt.callsOf('describeDirection').map((c) => c.atMs);
    const gaps = reads.slice(1).map((ms, i) => ms - reads[i]!);
    expect(gaps.slice(0, 4)).toEqual([2_000, 4_000, 8_000, 16_000]);
    expect(Math.max(...gaps)).toBe(300_000);
    expect(t.setup.status.error).toBeUndefined();

    const other = newSetup();
    other.setup.updateStatus({ dtsJobId: 'dtsjob2' });
    const slow = fakeDts(other.rt, { Forward: 'initializing' });
    other.setup.direction('Forward').configured = true;
    slow.readError = () => lost();
    other.rt.at(10 * 60_000, () => {
      slow.readError = undefined;
      slow.status.Forward = 'synchronizing';
    });
    await waitForSynchronizing(other.setup, 'Forward');
    const times = other.rt.callsOf('describeDirection').map((c) => c.atMs);
    const spaced = times.slice(1).map((ms, i) => ms - times[i]!);
    expect(spaced.slice(0, 4)).toEqual([10_000, 20_000, 40_000, 80_000]);
    expect(Math.max(...spaced)).toBe(120_000);
  });

  it('a stop request ends the wait at its next safe point', async () => {
    dts.next.configure = 'initializing';
    t.rt.at(30_000, () => t.rt.handlers.get('release')!());
    await expect(waitForSynchronizing(t.setup, 'Forward')).rejects.toMatchObject({ stop: 'release' });
  });

  it('a permanent refusal of the configure is thrown, not retried', async () => {
    dts.configureError = () => refused('InvalidParameter.DbList');
    await expect(waitForSynchronizing(t.setup, 'Forward')).rejects.toMatchObject({
      cause: { type: 'DtsInvalidParameter' },
    });
    expect(t.rt.callsOf('configureDirection')).toHaveLength(1);
  });

  it('credential errors on configure and start are retried, shown meanwhile', async () => {
    let refusals = 3;
    dts.configureError = () => (refusals-- > 0 ? credentials() : undefined);
    const shown: unknown[] = [];
    t.rt.at(15_000, () => shown.push(t.setup.status.error?.type));
    await waitForSynchronizing(t.setup, 'Forward');
    expect(t.rt.callsOf('configureDirection')).toHaveLength(4);
    expect(shown).toEqual(['DtsCredentialsRejected']);
    expect(t.setup.status.error).toBeUndefined();
  });
});
