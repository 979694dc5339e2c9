import { ApplicationFailure, CancelledFailure, CancellationScope, ContinueAsNew, log } from '@temporalio/workflow';
import { SetupFailure } from '../../core/failures';
import type { SetupStatus } from '../../core/types';
import { adopt } from './adopt';
import { attend, enterAttention } from './attention';
import { installChangeHandler } from './change';
import { configure } from './configure';
import { errorSummary, failureMessage } from './failures';
import { keep } from './keep';
import { noticesStarted } from './notify';
import { purchase, purchaseOutcomeUnknown } from './purchase';
import { type Setup, StopRequested } from './setup';
import { teardown } from './teardown';
import { waitForSynchronizing } from './wait';
import { installVerification } from './verify';
import { waitForWindow } from './window';

/**
 * The seed's procedure: buy → configure Forward → wait for Synchronizing → (two-way) configure
 * Reverse → wait → keep the sync running until an explicit release → tear down.
 *
 * The rule: once any direction reached Synchronizing, only an explicit release (or an
 * operator's abort) ends the sync; any other trouble parks it in needs-attention.
 */
export async function runSetup(s: Setup): Promise<SetupStatus> {
  s.installHandlers();
  installChangeHandler(s);
  installVerification(s);
  // Nothing here is cancelled halfway; a cancel is a stop request (see Setup.installHandlers).
  return CancellationScope.nonCancellable(async () => {
    try {
      return await procedure(s);
    } finally {
      await noticesStarted(s); // however the run ends (continue-as-new too)
    }
  });
}

async function procedure(s: Setup): Promise<SetupStatus> {
  while (!s.state.teardown) {
    try {
      await setUpAndKeep(s);
    } catch (err) {
      if (err instanceof ContinueAsNew) throw err;
      decideEnding(s, err);
      if (s.state.teardown) break;
      // After the sync ever ran, no error ends it: park, and run the steps again on retry.
      enterAttention(s, {
        kind: 'setup-error',
        direction: 'Forward',
        reason: `The setup stopped on an error: ${failureMessage(err)}`,
      });
      try {
        await attend(s);
      } catch (parkedErr) {
        if (parkedErr instanceof ContinueAsNew) throw parkedErr;
        decideEnding(s, parkedErr);
      }
    }
  }
  const { why, endPhase } = s.state.teardown;
  await teardown(s, why);
  s.tell({ phase: endPhase });
  if (s.state.cancelled && endPhase === 'cancelled')
    throw new CancelledFailure('Setup cancelled; the instance was released or kept');
  if (endPhase === 'failed')
    throw ApplicationFailure.nonRetryable(
      s.status.error?.message ?? 'Setup failed',
      s.status.error?.type ?? SetupFailure.Failed,
    );
  return s.status;
}

async function setUpAndKeep(s: Setup): Promise<never> {
  s.checkStop();
  if (!s.status.dtsJobId) {
    if (s.request.adopt) await adopt(s);
    else await purchase(s);
  }
  for (const dir of s.directions) {
    const d = s.direction(dir);
    if (d.synchronizingAt && s.state.waitUntilMs[dir] === undefined) continue;
    if (!d.configured) await configure(s, dir);
    if (dir === 'Forward') await waitForWindow(s);
    await waitForSynchronizing(s, dir);
  }
  return keep(s);
}

/** How an error or a stop request ends the setup, if it does; sets `state.teardown`. */
function decideEnding(s: Setup, err: unknown): void {
  if (err instanceof StopRequested) {
    if (!s.status.dtsJobId && s.state.purchaseUnsettled) {
      s.tell({ error: errorSummary(purchaseOutcomeUnknown()) });
      s.state.teardown = { why: 'cleanup', endPhase: 'failed' };
      return;
    }
    s.state.teardown =
      err.stop === 'release' ? { why: 'release', endPhase: 'released' } : { why: 'cleanup', endPhase: 'cancelled' };
    return;
  }
  s.tell({ error: errorSummary(err) });
  if (!s.status.everSynchronizing) {
    log.warn('setup failed before the sync ever ran; cleaning up', { error: failureMessage(err) });
    s.state.teardown = { why: 'cleanup', endPhase: 'failed' };
  }
}
