import { describe, expect, it } from 'vitest';
import { dtsStatusSignal, releaseUpdate, retryUpdate, setupStatusQuery } from '../../core/messages';
import type { SetupStatus } from '../../core/types';
import { eventually } from '../support/stack';
import { credentialsError, dtsError, FakeDts, unavailableError } from './fake-dts';
import { sleep, until, untilPhase, useFakeSetups, withSetup } from './fake-setup';

// What a setup must never do with what it does not know: release a job it could not read, drop an
// instance a lost purchase may have bought, or show a healthy sync while DTS reports it failed.

useFakeSetups();

describe('unknown is not no', () => {
  it('a wait deadline passed while every read is refused parks instead of releasing, and goes on once reads work', async () => {
    const dts = new FakeDts(); // Forward is Synchronizing as soon as configured: DTS knows, we cannot read it
    let refused = true;
    dts.describeFailure = () => (refused ? credentialsError() : undefined);
    await withSetup(dts, { waitDeadline: '2s' }, async (handle) => {
      const parked = await untilPhase(handle, 'needs-attention');
      expect(parked.attention).toMatchObject({ kind: 'dts-unreadable', direction: 'Forward' });
      expect(parked.attention?.deadline).toBeUndefined();
      expect(parked.error?.code).toBe('Forbidden.RAM');
      await sleep(2_500); // past the wait deadline again
      expect((await handle.describe()).status.name).toBe('RUNNING');
      expect(dts.count('release')).toBe(0);
      refused = false; // the RAM policy is fixed
      const back = await untilPhase(handle, 'synchronizing');
      expect(back.forward.status).toBe('synchronizing');
      expect(dts.job().released).toBe(false);
    });
  });

  it('an unknown purchase outcome is dropped by no deadline: the same ClientToken is sent until DTS names the instance', async () => {
    const dts = new FakeDts();
    const refusal = () => dtsError('DtsBillingError', 'InsufficientBalance', false);
    dts.purchaseFailures = [() => dtsError('DtsTimeout', undefined, true), refusal, refusal, refusal];
    await withSetup(dts, { attentionDeadline: '1s' }, async (handle) => {
      const parked = await untilPhase(handle, 'needs-attention');
      expect(parked.attention?.kind).toBe('purchase-outcome-unknown');
      expect(parked.attention?.deadline).toBeUndefined();
      const back = await untilPhase(handle, 'synchronizing', 30_000);
      expect(back.dtsJobId).toBe('dts-fake-1');
      const tokens = dts.calls.filter((c) => c.action === 'purchase').map((c) => c.clientToken);
      expect(tokens.length).toBe(5);
      expect(new Set(tokens).size).toBe(1);
      expect(dts.jobs.size).toBe(1);
    });
  });
});

describe('a parked setup keeps listening', () => {
  it("acts at once on the watcher's news while its own reads are refused, shows what DTS said, and counts the restart", async () => {
    const dts = new FakeDts();
    let refused = false;
    dts.describeFailure = () => (refused ? credentialsError() : undefined);
    await withSetup(
      dts,
      { topology: 'bidirectional' },
      async (handle) => {
        await until(
          handle,
          (s) => s.phase === 'synchronizing' && s.reverse?.status === 'synchronizing',
          'both directions synchronizing',
        );
        // Own reads refused; at the same time Forward fails, and the watcher's batched list (not refused) says so.
        refused = true;
        dts.job().status.Forward = 'Failed';
        const seen: SetupStatus[] = [];
        let watching = true;
        const watch = (async () => {
          while (watching) {
            seen.push(await handle.query(setupStatusQuery));
            await sleep(50);
          }
        })();
        const failedAt = Date.now();
        await handle.signal(dtsStatusSignal, { direction: 'Forward', status: 'failed' });
        await eventually(async () => (dts.count('start') >= 1 ? true : undefined), {
          timeoutMs: 15_000,
          what: 'Forward restarted',
        });
        expect(Date.now() - failedAt).toBeLessThan(60_000);
        // The restart worked; the watcher says so, the setup's own reads are still refused.
        await handle.signal(dtsStatusSignal, { direction: 'Forward', status: 'synchronizing' });
        const told = await until(handle, (s) => s.forward.status === 'synchronizing', 'Forward shown synchronizing');
        expect(told.forward.restarts).toBe(1);
        watching = false;
        await watch;
        expect(seen.some((s) => s.forward.status === 'failed')).toBe(true);
        const healthyWhileFailed = seen.filter((s) => s.phase === 'synchronizing' && s.forward.status === 'failed');
        expect(healthyWhileFailed).toEqual([]);
        refused = false;
        const back = await until(
          handle,
          (s) => s.phase === 'synchronizing' && s.error === undefined,
          'synchronizing again, no error shown',
        );
        expect(back.forward.restarts).toBe(1);
        expect(dts.count('release')).toBe(0);
      },
      { monitorInterval: '1h' },
    );
  });
});

// Each of these guards one promise of docs/reliability.md that a deliberate bug once broke unnoticed.
describe('guarantees, each with a test that fails when it is broken', () => {
  it('a permanent error after the first Synchronizing parks (setup-error) and releases nothing', async () => {
    const dts = new FakeDts();
    await withSetup(dts, {}, async (handle) => {
      await untilPhase(handle, 'synchronizing');
      // The keeper's restart meets a permanent refusal: the error reaches the ending logic.
      dts.startFailure = () => dtsError('DtsInvalidParameter', 'InvalidParameter', false);
      dts.job().status.Forward = 'Failed';
      await handle.signal(dtsStatusSignal, { direction: 'Forward', status: 'failed' });
      const parked = await untilPhase(handle, 'needs-attention');
      expect(parked.attention?.kind).toBe('setup-error');
      expect(parked.error?.code).toBe('InvalidParameter');
      await sleep(1_500);
      expect((await handle.describe()).status.name).toBe('RUNNING');
      expect(dts.count('release')).toBe(0);
    });
  });

  it('credential errors on purchase, configure and start are retried, never the end of the setup', async () => {
    const dts = new FakeDts();
    dts.purchaseFailures = [credentialsError];
    let configureRefusals = 1;
    dts.configureFailure = () => (configureRefusals-- > 0 ? credentialsError() : undefined);
    await withSetup(dts, {}, async (handle) => {
      await untilPhase(handle, 'synchronizing');
      expect(dts.count('purchase')).toBe(2);
      expect(dts.count('configure')).toBe(2);
      let startRefusals = 1;
      dts.startFailure = () => (startRefusals-- > 0 ? credentialsError() : undefined);
      dts.job().status.Forward = 'Failed';
      await handle.signal(dtsStatusSignal, { direction: 'Forward', status: 'failed' });
      const back = await until(
        handle,
        (s) => s.phase === 'synchronizing' && s.forward.restarts === 1 && s.error === undefined,
        'restarted after the refusal',
      );
      expect(back.forward.status).toBe('synchronizing');
      expect(dts.count('start')).toBe(2);
      expect(dts.count('release')).toBe(0);
    });
  });

  it('continue-as-new keeps the absolute wait deadline', async () => {
    const dts = new FakeDts();
    dts.afterConfigure = 'Initializing';
    await withSetup(
      dts,
      { waitDeadline: '3s' },
      async (handle) => {
        const started = Date.now();
        await expect(handle.result()).rejects.toThrow();
        const final = await handle.query(setupStatusQuery);
        expect(final.error?.type).toBe('WaitDeadlineExceeded');
        expect((await handle.describe()).runId).not.toBe(handle.firstExecutionRunId);
        // Each new run would start a fresh 3 s wait if the deadline were not carried.
        expect(Date.now() - started).toBeLessThan(20_000);
      },
      { maxHistoryEvents: 25 },
    );
  });

  it('the ClientToken comes from the first run: the same token across continue-as-new during a purchase outage', async () => {
    const dts = new FakeDts();
    dts.purchaseFailures = [unavailableError, unavailableError, unavailableError];
    await withSetup(
      dts,
      {},
      async (handle) => {
        await untilPhase(handle, 'synchronizing', 40_000);
        expect((await handle.describe()).runId).not.toBe(handle.firstExecutionRunId);
        const tokens = dts.calls.filter((c) => c.action === 'purchase').map((c) => c.clientToken);
        expect(tokens.length).toBe(4);
        expect(new Set(tokens).size).toBe(1);
      },
      { maxHistoryEvents: 12 },
    );
  });

  it('a teardown never gives up: four failed rounds, then released on retry', async () => {
    const dts = new FakeDts();
    dts.releaseFailure = () => dtsError('DtsPermanentError', 'Forbidden.Delete', false);
    await withSetup(dts, {}, async (handle) => {
      await untilPhase(handle, 'synchronizing');
      await handle.executeUpdate(releaseUpdate);
      for (let round = 1; round <= 4; round += 1) {
        await eventually(async () => (dts.count('release') >= round ? true : undefined), {
          timeoutMs: 20_000,
          what: `release round ${round}`,
        });
        await untilPhase(handle, 'release-failed');
        if (round < 4) await handle.executeUpdate(retryUpdate);
      }
      expect((await handle.describe()).status.name).toBe('RUNNING');
      dts.releaseFailure = undefined;
      await handle.executeUpdate(retryUpdate);
      expect((await handle.result()).phase).toBe('released');
      expect(dts.job().released).toBe(true);
    });
  });

  it('Reverse gets the database mapping swapped: {from:0,to:1} becomes {from:1,to:0}', async () => {
    const dts = new FakeDts();
    await withSetup(dts, { topology: 'bidirectional', databases: [{ from: 0, to: 1 }] }, async (handle) => {
      await until(handle, (s) => s.reverse?.status === 'synchronizing', 'Reverse synchronizing');
      const mapped = (dir: string) => dts.calls.find((c) => c.action === 'configure' && c.direction === dir)?.databases;
      expect(mapped('Forward')).toEqual([{ from: 0, to: 1 }]);
      expect(mapped('Reverse')).toEqual([{ from: 1, to: 0 }]);
    });
  });

  it('a Start that DTS accepts but that does not re-run the failed precheck falls back to Reset + Configure', async () => {
    const dts = new FakeDts();
    dts.afterConfigure = 'PrecheckFailed';
    dts.afterStart = 'PrecheckFailed'; // this dialect accepts Start and leaves the precheck failed
    await withSetup(dts, {}, async (handle) => {
      await untilPhase(handle, 'needs-attention');
      dts.afterConfigure = 'Synchronizing'; // the operator fixed the cause
      await handle.executeUpdate(retryUpdate);
      await untilPhase(handle, 'synchronizing');
      expect(dts.count('start')).toBe(1);
      expect(dts.count('reset')).toBe(1);
      expect(dts.count('configure')).toBe(2);
    });
  });
});

describe('adoption, proved again in the setup', () => {
  it('the setup refuses a job another setup holds: fails AdoptedJobHeld, touches nothing', async () => {
    const dts = new FakeDts();
    const fake = dts.activities();
    let claims = 0;
    const held = {
      ...fake,
      describeJob: async () => ({
        dtsJobId: 'dts-held-1',
        inRegion: true,
        name: 'someone-else',
        jobClass: 'small',
        payType: 'PostPaid',
        topology: 'oneway' as const,
        forward: { configured: false, status: 'notconfigured' as const, rawStatus: 'NotConfigured' },
      }),
      claimAdoptedJob: async () => {
        claims += 1;
        return { ours: false, holder: 'setup-other' };
      },
    };
    await withSetup(
      { ...dts, activities: () => held } as unknown as FakeDts,
      { adopt: { dtsJobId: 'dts-held-1' } },
      async (handle) => {
        const err = await handle.result().catch((e: unknown) => e);
        expect(String((err as { cause?: { type?: string } }).cause?.type)).toBe('AdoptedJobHeld');
        const final = await handle.query(setupStatusQuery);
        expect(final.phase).toBe('failed');
        expect(final.dtsJobId).toBeUndefined();
        expect(claims).toBe(1);
        expect(dts.calls.map((c) => c.action)).toEqual([]);
      },
    );
  });
});
