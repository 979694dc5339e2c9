import { WorkflowFailedError, WorkflowUpdateFailedError } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import {
  abortUpdate,
  dtsStatusSignal,
  releaseSignal,
  releaseUpdate,
  retryUpdate,
  setupStatusQuery,
} from '../../core/messages';
import { eventually } from '../support/stack';
import { credentialsError, dtsError, FakeDts, unavailableError } from './fake-dts';
import { fakeSetupClient, sleep, untilPhase, useFakeSetups, withSetup } from './fake-setup';

// The billing paths of redisSync (what is bought, released, kept, suspended) with an in-memory
// DTS behind the real activity names, on the run's real Temporal server: seconds, not minutes.

useFakeSetups();

describe('a running sync is sacred', () => {
  it('parks on credential errors while synchronizing, never releases, and returns when they are fixed', async () => {
    const dts = new FakeDts();
    let broken = false;
    dts.describeFailure = () => (broken ? credentialsError() : undefined);
    await withSetup(dts, {}, async (handle) => {
      await untilPhase(handle, 'synchronizing');
      broken = true;
      const parked = await untilPhase(handle, 'needs-attention');
      expect(parked.attention?.kind).toBe('dts-unreadable');
      expect(parked.error).toMatchObject({
        type: 'DtsCredentialsRejected',
        code: 'Forbidden.RAM',
        requestId: 'req-Forbidden.RAM',
      });
      expect(parked.attention?.deadline).toBeUndefined();
      await sleep(2_000);
      expect(dts.count('release')).toBe(0);
      broken = false; // the RAM policy is fixed
      const back = await untilPhase(handle, 'synchronizing');
      expect(back.error).toBeUndefined();
      expect(dts.job().released).toBe(false);
    });
  });

  it('does not undo a suspension from outside: parks, and returns when the job is resumed outside', async () => {
    const dts = new FakeDts();
    await withSetup(dts, {}, async (handle) => {
      await untilPhase(handle, 'synchronizing');
      dts.job().status.Forward = 'Suspending'; // someone suspended it in the DTS console
      await handle.signal(dtsStatusSignal, { direction: 'Forward', status: 'suspending' });
      const parked = await untilPhase(handle, 'needs-attention');
      expect(parked.attention?.kind).toBe('suspended-outside');
      await sleep(1_500);
      expect(dts.count('start')).toBe(0);
      dts.job().status.Forward = 'Synchronizing'; // ... and resumed it there
      await handle.signal(dtsStatusSignal, { direction: 'Forward', status: 'synchronizing' });
      await untilPhase(handle, 'synchronizing');
      expect(dts.count('start')).toBe(0);
      expect(dts.count('release')).toBe(0);
    });
  });

  it('parks a sync whose restarts are exhausted with no deadline: the attention deadline deletes nothing', async () => {
    const dts = new FakeDts();
    await withSetup(
      dts,
      { attentionDeadline: '1s' },
      async (handle) => {
        await untilPhase(handle, 'synchronizing');
        dts.job().status.Forward = 'Failed';
        const parked = await untilPhase(handle, 'needs-attention');
        expect(parked.attention?.kind).toBe('restarts-exhausted');
        expect(parked.attention?.dtsStatus).toContain('Failed');
        await sleep(3_000); // three attention deadlines
        expect((await handle.query(setupStatusQuery)).phase).toBe('needs-attention');
        expect(dts.count('release')).toBe(0);
        dts.job().status.Forward = 'Synchronizing'; // fixed in the console
        await untilPhase(handle, 'synchronizing');
      },
      { maxAutoRestarts: 0 },
    );
  });

  it('after the first Synchronizing a wait deadline parks instead of releasing', async () => {
    const dts = new FakeDts();
    await withSetup(
      dts,
      { waitDeadline: '1s' },
      async (handle) => {
        await untilPhase(handle, 'synchronizing');
        dts.afterStart = 'Initializing'; // the restart leaves DTS initializing past the deadline
        dts.job().status.Forward = 'Failed';
        const parked = await untilPhase(handle, 'needs-attention');
        expect(parked.attention?.kind).toBe('wait-deadline');
        expect(dts.count('start')).toBe(1);
        await sleep(2_000);
        expect(dts.count('release')).toBe(0);
        dts.job().status.Forward = 'Synchronizing';
        await untilPhase(handle, 'synchronizing');
      },
      { maxAutoRestarts: 1 },
    );
  });

  it('before the first Synchronizing, the wait deadline fails the setup and releases the instance', async () => {
    const dts = new FakeDts();
    dts.afterConfigure = 'Initializing';
    await withSetup(dts, { waitDeadline: '1s' }, async (handle) => {
      const err = await handle.result().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(WorkflowFailedError);
      const final = await handle.query(setupStatusQuery);
      expect(final.phase).toBe('failed');
      expect(final.error?.type).toBe('WaitDeadlineExceeded');
      expect(final.released?.outcome).toBe('released');
      expect(dts.job().released).toBe(true);
    });
  });

  it('before the first Synchronizing, the attention deadline fails the setup and releases the instance', async () => {
    const dts = new FakeDts();
    dts.afterConfigure = 'PrecheckFailed';
    await withSetup(dts, { attentionDeadline: '1s' }, async (handle) => {
      await expect(handle.result()).rejects.toBeInstanceOf(WorkflowFailedError);
      const final = await handle.query(setupStatusQuery);
      expect(final.error?.type).toBe('AttentionDeadlineExceeded');
      expect(dts.job().released).toBe(true);
    });
  });
});

describe('purchase, abort and teardown never leak or lose', () => {
  it('a cancel during the purchase waits for its outcome and releases what was bought', async () => {
    const dts = new FakeDts();
    dts.purchaseDelayMs = 2_000;
    await withSetup(dts, {}, async (handle) => {
      await sleep(500);
      await handle.cancel();
      await expect(handle.result()).rejects.toBeInstanceOf(WorkflowFailedError);
      expect(dts.jobs.size).toBe(1);
      expect(dts.job().released).toBe(true);
      expect((await handle.query(setupStatusQuery)).phase).toBe('cancelled');
    });
  });

  it('an ambiguous purchase then a refusal asks a human instead of ending silently', async () => {
    const dts = new FakeDts();
    dts.purchaseFailures = [
      () => dtsError('DtsTimeout', undefined, true),
      () => dtsError('DtsIdempotencyMismatch', 'IdempotentParameterMismatch', false),
    ];
    await withSetup(dts, {}, async (handle) => {
      const parked = await untilPhase(handle, 'needs-attention');
      expect(parked.attention?.kind).toBe('purchase-outcome-unknown');
      await handle.executeUpdate(retryUpdate); // the operator checked: try the same ClientToken again
      await untilPhase(handle, 'synchronizing');
      expect(dts.jobs.size).toBe(1);
    });
  });

  it('an abort that arrives during the read that finds a failed precheck is not lost', async () => {
    const dts = new FakeDts();
    dts.afterConfigure = 'PrecheckFailed';
    let aborted = false;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    dts.describeFailure = async () => {
      if (!aborted) {
        aborted = true;
        await gate; // the abort lands while this read is in flight
      }
      return undefined;
    };
    await withSetup(dts, {}, async (handle) => {
      await eventually(async () => aborted || undefined, { timeoutMs: 10_000, what: 'first read' });
      const accepted = await handle.executeUpdate(abortUpdate);
      expect(accepted.phase).toBe('waiting-forward');
      release();
      const final = await handle.result();
      expect(final.phase).toBe('cancelled');
      expect(dts.job().released).toBe(true);
    });
  });

  it('honours an abort while configure keeps failing, and shows the error meanwhile', async () => {
    const dts = new FakeDts();
    dts.configureFailure = unavailableError;
    await withSetup(dts, {}, async (handle) => {
      await eventually(
        async () => ((await handle.query(setupStatusQuery)).error?.type === 'DtsUnreachable' ? true : undefined),
        {
          timeoutMs: 20_000,
          what: 'error shown',
        },
      );
      expect((await handle.query(setupStatusQuery)).error?.code).toBe('ServiceUnavailable');
      await handle.executeUpdate(abortUpdate);
      const final = await handle.result();
      expect(final.phase).toBe('cancelled');
      expect(dts.job().released).toBe(true);
    });
  });

  it('a release that fails waits in release-failed, keeps the original error, and completes on retry', async () => {
    const dts = new FakeDts();
    dts.afterConfigure = 'Initializing';
    dts.releaseFailure = () => dtsError('DtsPermanentError', 'Forbidden.Delete', false);
    await withSetup(dts, { waitDeadline: '1s' }, async (handle) => {
      const failed = await untilPhase(handle, 'release-failed');
      expect(failed.error?.type).toBe('WaitDeadlineExceeded');
      expect(failed.releaseError?.code).toBe('Forbidden.Delete');
      await expect(handle.executeUpdate(abortUpdate)).rejects.toBeInstanceOf(WorkflowUpdateFailedError);
      dts.releaseFailure = undefined;
      await handle.executeUpdate(retryUpdate);
      await expect(handle.result()).rejects.toBeInstanceOf(WorkflowFailedError);
      const final = await handle.query(setupStatusQuery);
      expect(final.phase).toBe('failed');
      expect(final.error?.type).toBe('WaitDeadlineExceeded');
      expect(final.released?.outcome).toBe('released');
    });
  });

  it('a kept instance is suspended before it is reported kept', async () => {
    const dts = new FakeDts();
    await withSetup(dts, { keepInstanceOnFailure: true }, async (handle) => {
      await untilPhase(handle, 'synchronizing');
      await handle.executeUpdate(abortUpdate);
      const final = await handle.result();
      expect(final.released).toMatchObject({ outcome: 'kept', suspended: true });
      expect(dts.job().status.Forward).toBe('Suspending');
      expect(dts.job().released).toBe(false);
    });
  });

  it('a PrePaid instance is suspended, not released, on teardown', async () => {
    const dts = new FakeDts();
    await withSetup(dts, { payType: 'PrePaid', period: 'Month', usedTime: 1 }, async (handle) => {
      await untilPhase(handle, 'synchronizing');
      await handle.executeUpdate(releaseUpdate);
      const final = await handle.result();
      expect(final.phase).toBe('released');
      expect(final.released).toMatchObject({ outcome: 'prepaid-not-released', suspended: true });
      expect(dts.job().status.Forward).toBe('Suspending');
      expect(dts.count('release')).toBe(0);
    });
  });
});

describe('messages', () => {
  it('refuses a retry outside needs-attention with the reason, and survives a signal without payload', async () => {
    const dts = new FakeDts();
    await withSetup(dts, {}, async (handle) => {
      await untilPhase(handle, 'synchronizing');
      const refused = await handle.executeUpdate(retryUpdate).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(WorkflowUpdateFailedError);
      expect((refused as WorkflowUpdateFailedError).cause?.message).toMatch(/only accepted in needs-attention/);
      await fakeSetupClient().workflow.getHandle(handle.workflowId).signal('dtsStatusChanged');
      await sleep(1_500);
      expect((await handle.describe()).status.name).toBe('RUNNING');
      await handle.signal(releaseSignal);
      expect((await handle.result()).phase).toBe('released');
    });
  });

  it('a retry after time in needs-attention survives continue-as-new and the wait deadline', async () => {
    const dts = new FakeDts();
    dts.afterConfigure = 'PrecheckFailed';
    await withSetup(
      dts,
      { waitDeadline: '3s' },
      async (handle) => {
        await untilPhase(handle, 'needs-attention');
        await sleep(4_000); // longer than the wait deadline since the configure
        dts.afterStart = 'Initializing'; // the re-run precheck passes, then DTS initializes ...
        await handle.executeUpdate(retryUpdate);
        await sleep(2_000); // ... while the history grows past maxHistoryEvents: continue-as-new
        expect((await handle.describe()).runId).not.toBe(handle.firstExecutionRunId);
        dts.job().status.Forward = 'Synchronizing';
        await untilPhase(handle, 'synchronizing');
        expect(dts.job().released).toBe(false);
      },
      { maxHistoryEvents: 40 },
    );
  });
});
