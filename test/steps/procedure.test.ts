import { CancelledFailure } from '@temporalio/common';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { runSetup } from '../../workflows/setup/procedure';
import { FakeContinueAsNew } from '../support/fake-workflow';
import { actions, answers, fakeDts, newSetup, refused } from './helpers';

vi.mock('@temporalio/workflow', async () => (await import('../support/fake-workflow')).fakeWorkflowModule());

const HOUR = 3_600_000;
const MIN = 60_000;

// The whole procedure (workflows/setup/procedure.ts) on the fake runtime: which errors and stops end a setup,
// which only park it, and what a new run (continue-as-new) resumes.
describe('runSetup', () => {
  let t: ReturnType<typeof newSetup>;
  let dts: ReturnType<typeof fakeDts>;
  const releases = () => t.rt.callsOf('releaseInstance');
  beforeEach(() => {
    t = newSetup({ topology: 'oneway', waitDeadline: '1h', attentionDeadline: '2h' });
    // Tagging and the first verification have tests of their own.
    t.setup.state.tagged = true;
    t.setup.state.verifiedOnce = true;
    dts = fakeDts(t.rt);
    t.rt.activities.purchaseInstance = answers({ dtsJobId: 'dtsjob1' });
    t.rt.activities.releaseInstance = answers({ outcome: 'released' });
  });
  /** A sync that ran: a new run of it, DTS reporting Forward Synchronizing. */
  function running(): void {
    t.setup.updateStatus({ dtsJobId: 'dtsjob1', phase: 'synchronizing', everSynchronizing: true });
    Object.assign(t.setup.direction('Forward'), {
      configured: true,
      status: 'synchronizing',
      synchronizingAt: new Date(t.rt.nowMs).toISOString(),
    });
    dts.status.Forward = 'synchronizing';
  }

  it('buys, configures, waits, keeps the sync until a release, then releases it once', async () => {
    t.rt.at(2 * HOUR, () => t.rt.handlers.get('release')!());
    const status = await runSetup(t.setup);
    expect(status.phase).toBe('released');
    expect(actions(t.rt)).toEqual(['Configure Forward', 'Release']);
    expect(t.rt.callsOf('purchaseInstance')).toHaveLength(1);
    // Configured right after the purchase, before any read.
    expect(t.rt.callsOf('configureDirection')[0]!.atMs).toBe(t.rt.callsOf('purchaseInstance')[0]!.atMs);
    expect(releases()[0]!.atMs).toBeGreaterThanOrEqual(t.rt.callsOf('purchaseInstance')[0]!.atMs + 2 * HOUR);
  });

  it('an error before the sync ever ran ends it FAILED with that error, after releasing the instance', async () => {
    dts.configureError = () => refused('InvalidParameter.DbList');
    const err = await runSetup(t.setup).catch((e: unknown) => e);
    expect(err).toMatchObject({
      type: 'DtsInvalidParameter',
      nonRetryable: true,
      message: t.setup.status.error?.message,
    });
    expect((err as Error).message).toContain('InvalidParameter.DbList');
    expect(actions(t.rt)).toEqual(['Configure Forward', 'Release']);
    expect(t.setup.status.phase).toBe('failed');
    expect(t.setup.status.error?.type).toBe('DtsInvalidParameter');
  });

  it('after the first Synchronizing, an error from a restart parks it (setup-error), releases nothing; retry runs on', async () => {
    running();
    t.rt.at(HOUR, () => {
      dts.status.Forward = 'failed';
      dts.startError = () => refused('InvalidParameter');
    });
    const seen: unknown[] = [];
    t.rt.at(3 * HOUR, () => {
      const attention = t.setup.status.attention;
      seen.push({ phase: t.setup.status.phase, kind: attention?.kind, releases: releases().length });
      expect(attention).toMatchObject({ direction: 'Forward' });
      expect(attention?.reason).toMatch(/^The setup stopped on an error: .*InvalidParameter/);
      dts.startError = undefined;
      t.rt.handlers.get('retry')!();
    });
    t.rt.at(5 * HOUR, () => {
      seen.push({ phase: t.setup.status.phase, forward: t.setup.status.forward.status });
      t.rt.handlers.get('release')!();
    });
    const status = await runSetup(t.setup);
    expect(seen).toEqual([
      { phase: 'needs-attention', kind: 'setup-error', releases: 0 },
      { phase: 'synchronizing', forward: 'synchronizing' },
    ]);
    expect(t.setup.status.attention).toBeUndefined();
    expect(status.phase).toBe('released');
    expect(releases()).toHaveLength(1);
    expect(releases()[0]!.atMs).toBeGreaterThanOrEqual(Date.parse('2026-01-01T05:00:00Z'));
  });

  it('after the first Synchronizing, a release while parked on an error releases; an abort cancels', async () => {
    running();
    t.rt.at(HOUR, () => {
      dts.status.Forward = 'failed';
      dts.startError = () => refused('InvalidParameter');
    });
    t.rt.at(30 * HOUR, () => t.rt.handlers.get('abort')!());
    const status = await runSetup(t.setup);
    // Parked for a day with no deadline (the sync ran): only the abort ended it.
    expect(releases().map((c) => c.atMs)).toEqual([Date.parse('2026-01-02T06:00:00Z')]);
    expect(status.phase).toBe('cancelled');
    expect(status.error?.type).toBe('DtsInvalidParameter');
  });

  it('a stop while a purchase outcome is unknown ends FAILED, loudly (PurchaseOutcomeUnknown)', async () => {
    t.setup.state.purchaseUnsettled = true;
    t.setup.state.stop = 'abort';
    await expect(runSetup(t.setup)).rejects.toMatchObject({ type: 'PurchaseOutcomeUnknown', nonRetryable: true });
    expect(t.setup.status.phase).toBe('failed');
    expect(t.rt.calls).toEqual([]);
  });

  it('an abort ends CANCELLED, a release RELEASED, a cancel of the workflow ends it CANCELLED (thrown)', async () => {
    running();
    t.setup.state.stop = 'abort';
    expect((await runSetup(t.setup)).phase).toBe('cancelled');
    expect(releases()).toHaveLength(1);

    t = newSetup({ topology: 'oneway' });
    t.setup.updateStatus({ dtsJobId: 'dtsjob1' });
    t.rt.activities.releaseInstance = answers({ outcome: 'released' });
    t.setup.state.stop = 'cancel';
    t.setup.state.cancelled = true;
    await expect(runSetup(t.setup)).rejects.toEqual(
      new CancelledFailure('Setup cancelled; the instance was released or kept'),
    );
    expect(t.setup.status.phase).toBe('cancelled');
    expect(releases()).toHaveLength(1);

    // Nothing bought yet: nothing to release, ended cleanly.
    t = newSetup({ topology: 'oneway' });
    t.setup.state.stop = 'release';
    expect((await runSetup(t.setup)).phase).toBe('released');
    expect(t.rt.calls).toEqual([]);
  });

  it('a release outranks a cancel: released, not thrown', async () => {
    running();
    t.setup.state.cancelled = true;
    t.setup.state.stop = 'release';
    expect((await runSetup(t.setup)).phase).toBe('released');
    expect(releases()).toHaveLength(1);
  });

  it('with keepInstanceOnFailure, what ends the setup otherwise than a release keeps the instance (suspended)', async () => {
    const keeping = () => {
      t = newSetup({ topology: 'oneway', keepInstanceOnFailure: true, payType: 'PostPaid' });
      t.setup.state.tagged = true;
      dts = fakeDts(t.rt);
      t.rt.activities.purchaseInstance = answers({ dtsJobId: 'dtsjob1' });
      t.rt.activities.releaseInstance = answers({ outcome: 'released' });
      t.rt.activities.suspendDirection = answers(undefined);
    };
    keeping();
    dts.configureError = () => refused('InvalidParameter.DbList');
    await expect(runSetup(t.setup)).rejects.toMatchObject({ type: 'DtsInvalidParameter' });
    // Never configured (refused): nothing to suspend; kept, not released.
    expect(actions(t.rt)).toEqual(['Configure Forward']);
    expect(t.setup.status.released).toMatchObject({ outcome: 'kept', suspended: true });

    keeping();
    t.setup.updateStatus({ dtsJobId: 'dtsjob1' });
    t.setup.direction('Forward').configured = true;
    t.setup.state.stop = 'abort';
    expect((await runSetup(t.setup)).released?.outcome).toBe('kept');
    expect(actions(t.rt)).toEqual(['Suspend Forward']);

    keeping();
    t.setup.updateStatus({ dtsJobId: 'dtsjob1' });
    t.setup.state.stop = 'release';
    expect((await runSetup(t.setup)).released?.outcome).toBe('released');
    expect(actions(t.rt)).toEqual(['Release']);
  });

  it('a parked error continues as new while parked, not lost', async () => {
    running();
    t.rt.at(HOUR, () => {
      dts.status.Forward = 'failed';
      dts.startError = () => refused('InvalidParameter');
    });
    t.rt.at(3 * HOUR, () => {
      t.rt.info.continueAsNewSuggested = true;
      t.rt.handlers.get('retry')!();
    });
    const err = await runSetup(t.setup).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FakeContinueAsNew);
    expect(releases()).toEqual([]);
  });

  it('with an initialization window, Forward is started when it opens, never before', async () => {
    t = newSetup({ topology: 'oneway', initializationWindow: { start: '01:00', end: '05:00', timeZone: 'UTC' } });
    t.setup.state.tagged = true;
    t.setup.state.verifiedOnce = true;
    dts = fakeDts(t.rt);
    dts.next.configure = 'notstarted';
    t.rt.activities.purchaseInstance = answers({ dtsJobId: 'dtsjob1' });
    t.rt.activities.releaseInstance = answers({ outcome: 'released' });
    t.rt.at(3 * HOUR, () => t.rt.handlers.get('release')!());
    await runSetup(t.setup);
    expect(actions(t.rt)).toEqual(['Configure Forward', 'Start Forward', 'Release']);
    expect(t.rt.callsOf('startDirection')[0]!.atMs).toBe(Date.parse('2026-01-01T01:00:00Z'));
  });

  it('continue-as-new hands the whole state over, the absolute wait deadline in it', async () => {
    dts.next.configure = 'initializing';
    t.rt.at(10 * MIN, () => {
      t.rt.info.continueAsNewSuggested = true;
    });
    const err = await runSetup(t.setup).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FakeContinueAsNew);
    const configuredAt = t.rt.callsOf('configureDirection')[0]!.atMs;
    const [input] = (err as FakeContinueAsNew).args as [{ state: typeof t.setup.state }];
    expect(input.state).toBe(t.setup.state);
    expect(input.state.waitUntilMs).toEqual({ Forward: configuredAt + HOUR });
    expect(releases()).toEqual([]);
  });

  it('a new run keeps the deadline it was handed: it ends when that passes, not a full wait later', async () => {
    t.setup.updateStatus({ dtsJobId: 'dtsjob1' });
    t.setup.direction('Forward').configured = true;
    dts.status.Forward = 'initializing';
    t.setup.state.waitUntilMs = { Forward: t.rt.nowMs + 10 * MIN };
    const startedAt = t.rt.nowMs;
    await expect(runSetup(t.setup)).rejects.toMatchObject({ type: 'WaitDeadlineExceeded' });
    expect(actions(t.rt)).toEqual(['Release']);
    expect(releases()[0]!.atMs - startedAt).toBeGreaterThan(10 * MIN);
    expect(releases()[0]!.atMs - startedAt).toBeLessThan(15 * MIN);
  });

  it('a new run of a running sync goes straight to the keeper; one in a restart waits for it first', async () => {
    running();
    t.rt.at(2 * HOUR, () => t.rt.handlers.get('release')!());
    await runSetup(t.setup);
    // The keeper's first read is a monitor interval in: nothing configured, started or read before.
    expect(t.rt.callsOf('describeDirection')[0]!.atMs - Date.parse('2026-01-01T00:00:00Z')).toBe(30 * MIN);
    expect(actions(t.rt)).toEqual(['Release']);

    t = newSetup({ topology: 'oneway' });
    t.setup.state.tagged = true;
    t.setup.state.verifiedOnce = true;
    dts = fakeDts(t.rt);
    t.rt.activities.releaseInstance = answers({ outcome: 'released' });
    running();
    t.setup.setWaitDeadline('Forward');
    t.rt.at(2 * HOUR, () => t.rt.handlers.get('release')!());
    await runSetup(t.setup);
    expect(t.rt.callsOf('describeDirection')[0]!.atMs - Date.parse('2026-01-01T00:00:00Z')).toBeLessThan(MIN);
  });

  it('an adopting setup takes the job over instead of buying one', async () => {
    t = newSetup({ topology: 'oneway', adopt: { dtsJobId: 'dtsjob9' } });
    t.setup.state.verifiedOnce = true;
    dts = fakeDts(t.rt, { Forward: 'synchronizing' });
    const facts = { configured: true, status: 'synchronizing', rawStatus: 'Synchronizing' };
    t.rt.activities.describeJob = answers({
      dtsJobId: 'dtsjob9',
      api: 'dtsjob',
      inRegion: true,
      name: 'theirs',
      jobClass: '',
      payType: '',
      forward: facts,
    });
    t.rt.activities.claimAdoptedJob = answers({ ours: true });
    t.rt.activities.releaseJobClaim = answers(undefined);
    t.rt.at(HOUR, () => t.rt.handlers.get('release')!());
    const status = await runSetup(t.setup);
    expect(t.rt.callsOf('purchaseInstance')).toEqual([]);
    expect(status.released?.outcome).toBe('left-in-place');
    expect(actions(t.rt)).toEqual([]);
  });
});
