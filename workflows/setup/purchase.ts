import { ApplicationFailure, log, patched, workflowInfo } from '@temporalio/workflow';
import { purchaseClientToken } from '../../core/ids';
import { SetupFailure } from '../../core/failures';
import { PURCHASE_CALL, retryPauseMs } from '../../core/timing';
import {
  attentionRecheckMs,
  dropAttentionDeadline,
  enterAttention,
  leaveAttention,
  waitInAttention,
} from './attention';
import { errorSummary, failureMessage, hasDtsAnswer, isNetworkFailure, isPermanent } from './failures';
import { PURCHASE_OUTCOME_KEPT_PATCH } from './patches';
import type { Setup } from './setup';

/**
 * Buy the DTS instance. Never abandoned halfway: a stop request (abort, release, cancel) ends
 * the purchase only when nothing can have been bought; after an attempt whose answer was lost,
 * the same ClientToken is sent again until DTS names the instance, so the teardown can release it.
 */
export async function purchase(setup: Setup): Promise<void> {
  setup.updateStatus({ phase: 'purchasing' });
  for (let attempt = 0; ; attempt += 1) {
    if (!setup.state.purchaseUnsettled) setup.checkStop();
    if (setup.state.attention) {
      // purchase-outcome-unknown (also after a continue-as-new)
      if (patched(PURCHASE_OUTCOME_KEPT_PATCH)) await resendUntilKnown(setup);
      else await waitInAttention(setup);
      if (setup.status.dtsJobId) return;
      continue;
    }
    try {
      settle(setup, await buy(setup));
      return;
    } catch (err) {
      // No answer from DTS (timeout, lost connection): the instance may exist.
      if (!hasDtsAnswer(err) || isNetworkFailure(err)) setup.state.purchaseUnsettled = true;
      if (isPermanent(err)) {
        if (!setup.state.purchaseUnsettled) throw err; // refused, nothing bought
        // Refused now, but an earlier attempt may have bought: only a human can find out.
        log.error('purchase refused after an attempt whose answer was lost', { error: failureMessage(err) });
        setup.updateStatus({ error: errorSummary(err) });
        enterAttention(setup, {
          kind: 'purchase-outcome-unknown',
          direction: 'Forward',
          reason: `The purchase may have bought an instance, but DTS now refuses it: ${failureMessage(err)}`,
        });
        continue;
      }
      const summary = errorSummary(err);
      setup.updateStatus({ error: summary });
      await setup.pause(retryPauseMs(attempt, summary.type), { wakeOnDtsChange: false, stoppable: false });
      await setup.maybeContinueAsNew(); // a long DTS outage: the new run buys with the same ClientToken
    }
  }
}

function buy(setup: Setup): Promise<{ dtsJobId: string }> {
  const { request } = setup;
  return setup.dts('Buy the DTS sync instance', PURCHASE_CALL).purchaseInstance({
    ...setup.family,
    clientToken: purchaseClientToken(workflowInfo().firstExecutionRunId),
    regionId: request.region,
    sourceRegion: request.source.region,
    destinationRegion: request.destination.region,
    topology: request.topology,
    jobClass: request.jobClass,
    payType: request.payType,
    period: request.period,
    usedTime: request.usedTime,
    ...(request.resourceGroupId ? { resourceGroupId: request.resourceGroupId } : {}),
  });
}

function settle(setup: Setup, { dtsJobId }: { dtsJobId: string }): void {
  setup.state.purchaseUnsettled = false;
  setup.updateStatus({ dtsJobId });
  setup.clearPassingError();
}

/**
 * Parked on an unknown purchase outcome: no deadline drops it. The same ClientToken is sent again, slowly
 * (the activity also looks for an instance the lost attempt bought), until DTS names the instance, which
 * the setup then uses; an operator's retry sends it at once, an abort ends with PurchaseOutcomeUnknown.
 */
async function resendUntilKnown(setup: Setup): Promise<void> {
  // Parked by older code with a deadline: it no longer applies.
  dropAttentionDeadline(setup);
  for (let round = 0; ; round += 1) {
    setup.checkStop();
    if (setup.takeRetry()) return leaveAttention(setup);
    await setup.maybeContinueAsNew();
    await setup.pauseInAttention(attentionRecheckMs(setup, round));
    if (setup.stopRequested() || setup.state.retryRequested) continue;
    try {
      settle(setup, await buy(setup));
      return leaveAttention(setup);
    } catch (err) {
      setup.updateStatus({ error: errorSummary(err) });
    }
  }
}

/** An abort of a purchase whose outcome no one could learn: end loudly, never silently. */
export function purchaseOutcomeUnknown(): ApplicationFailure {
  return ApplicationFailure.nonRetryable(
    "Aborted while the purchase outcome is unknown: check DTS for an instance bought with this setup's ClientToken",
    SetupFailure.PurchaseOutcomeUnknown,
  );
}
