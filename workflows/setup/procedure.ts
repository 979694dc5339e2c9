import { ApplicationFailure, CancelledFailure, CancellationScope, ContinueAsNew, log } from '@temporalio/workflow';
import { SetupFailure } from '../../core/failures';
import type { SetupStatus } from '../../core/types';
import { adopt } from './adopt';
import { waitInAttention, enterAttention } from './attention';
import { installChangeHandler } from './change';
import { configure } from './configure';
import { errorSummary, failureMessage } from './failures';
import { monitorUntilStopped } from './monitor';
import { noticesStarted } from './notify';
import { purchase, purchaseOutcomeUnknown } from './purchase';
import { type Setup, StopRequested } from './setup';
import { tagAfterPurchase } from './subscription';
import { teardown } from './teardown';
import { waitForSynchronizing } from './wait';
import { installVerification } from './verify';
import { waitForWindow } from './window';

/**
 * The seed's procedure: buy → configure Forward → wait for Synchronizing → (two-way) configure
 * Reverse → wait → monitor the running sync until an explicit release → tear down.
 *
 * The rule: once any direction reached Synchronizing, only an explicit release (or an
 * operator's abort) ends the sync; any other trouble parks it in needs-attention.
 */
export async function runSetup(setup: Setup): Promise<SetupStatus> {
  setup.installHandlers();
  installChangeHandler(setup);
  installVerification(setup);
  // Nothing here is cancelled halfway; a cancel is a stop request (see Setup.installHandlers).
  return CancellationScope.nonCancellable(async () => {
    try {
      return await procedure(setup);
    } finally {
      await noticesStarted(setup); // however the run ends (continue-as-new too)
    }
  });
}

async function procedure(setup: Setup): Promise<SetupStatus> {
  while (!setup.state.teardown) {
    try {
      await setUpAndMonitor(setup);
    } catch (err) {
      if (err instanceof ContinueAsNew) throw err;
      decideEnding(setup, err);
      if (setup.state.teardown) break;
      // After the sync ever ran, no error ends it: needs-attention, and the steps run again on retry.
      enterAttention(setup, {
        kind: 'setup-error',
        direction: 'Forward',
        reason: `The setup stopped on an error: ${failureMessage(err)}`,
      });
      try {
        await waitInAttention(setup);
      } catch (parkedErr) {
        if (parkedErr instanceof ContinueAsNew) throw parkedErr;
        decideEnding(setup, parkedErr);
      }
    }
  }
  const { why, endPhase } = setup.state.teardown;
  await teardown(setup, why);
  setup.updateStatus({ phase: endPhase });
  if (setup.state.cancelled && endPhase === 'cancelled')
    throw new CancelledFailure('Setup cancelled; the instance was released or kept');
  if (endPhase === 'failed')
    throw ApplicationFailure.nonRetryable(
      setup.status.error?.message ?? 'Setup failed',
      setup.status.error?.type ?? SetupFailure.Failed,
    );
  return setup.status;
}

async function setUpAndMonitor(setup: Setup): Promise<never> {
  setup.checkStop();
  if (!setup.status.dtsJobId) {
    if (setup.request.adopt) await adopt(setup);
    else await purchase(setup);
  }
  await tagAfterPurchase(setup);
  for (const dir of setup.directions) {
    const d = setup.direction(dir);
    if (d.synchronizingAt && setup.waitDeadline(dir) === undefined) continue;
    if (!d.configured) await configure(setup, dir);
    if (dir === 'Forward') await waitForWindow(setup);
    await waitForSynchronizing(setup, dir);
  }
  return monitorUntilStopped(setup);
}

/** How an error or a stop request ends the setup, if it does; sets `state.teardown`. */
function decideEnding(setup: Setup, err: unknown): void {
  if (err instanceof StopRequested) {
    if (!setup.status.dtsJobId && setup.state.purchaseUnsettled) {
      setup.updateStatus({ error: errorSummary(purchaseOutcomeUnknown()) });
      setup.state.teardown = { why: 'cleanup', endPhase: 'failed' };
      return;
    }
    setup.state.teardown =
      err.stop === 'release' ? { why: 'release', endPhase: 'released' } : { why: 'cleanup', endPhase: 'cancelled' };
    return;
  }
  setup.updateStatus({ error: errorSummary(err) });
  if (!setup.status.everSynchronizing) {
    log.warn('setup failed before the sync ever ran; cleaning up', { error: failureMessage(err) });
    setup.state.teardown = { why: 'cleanup', endPhase: 'failed' };
  }
}
