import { ApplicationFailure, log, patched, workflowInfo } from '@temporalio/workflow';
import { purchaseClientToken } from '../../core/ids';
import { SetupFailure } from '../../core/failures';
import { backoffMs, MAX_BACKOFF_MS, PURCHASE_CALL, retryPauseMs } from '../../core/timing';
import { attend, enterAttention, leave } from './attention';
import { errorSummary, failureMessage, hasDtsAnswer, isNetworkFailure, isPermanent } from './failures';
import { PURCHASE_OUTCOME_KEPT_PATCH } from './patches';
import type { Setup } from './setup';

/**
 * Buy the DTS instance. Never abandoned halfway: a stop request (abort, release, cancel) ends
 * the purchase only when nothing can have been bought; after an attempt whose answer was lost,
 * the same ClientToken is sent again until DTS names the instance, so the teardown can release it.
 */
export async function purchase(s: Setup): Promise<void> {
  s.tell({ phase: 'purchasing' });
  for (let attempt = 0; ; attempt += 1) {
    if (!s.state.purchaseUnsettled) s.checkStop();
    if (s.state.attention) {
      // purchase-outcome-unknown (also after a continue-as-new)
      if (patched(PURCHASE_OUTCOME_KEPT_PATCH)) await resendUntilKnown(s);
      else await attend(s);
      if (s.status.dtsJobId) return;
      continue;
    }
    try {
      settle(s, await buy(s));
      return;
    } catch (err) {
      // No answer from DTS (timeout, lost connection): the instance may exist.
      if (!hasDtsAnswer(err) || isNetworkFailure(err)) s.state.purchaseUnsettled = true;
      if (isPermanent(err)) {
        if (!s.state.purchaseUnsettled) throw err; // refused, nothing bought
        // Refused now, but an earlier attempt may have bought: only a human can find out.
        log.error('purchase refused after an attempt whose answer was lost', { error: failureMessage(err) });
        s.tell({ error: errorSummary(err) });
        enterAttention(s, {
          kind: 'purchase-outcome-unknown',
          direction: 'Forward',
          reason: `The purchase may have bought an instance, but DTS now refuses it: ${failureMessage(err)}`,
        });
        continue;
      }
      const summary = errorSummary(err);
      s.tell({ error: summary });
      await s.pause(retryPauseMs(attempt, summary.type), { wakeOnDtsChange: false, stoppable: false });
      await s.maybeContinueAsNew(); // a long DTS outage: the new run buys with the same ClientToken
    }
  }
}

function buy(s: Setup): Promise<{ dtsJobId: string }> {
  const { request } = s;
  return s.dts('Buy the DTS sync instance', PURCHASE_CALL).purchaseInstance({
    clientToken: purchaseClientToken(workflowInfo().firstExecutionRunId),
    regionId: request.region,
    sourceRegion: request.source.region,
    destinationRegion: request.destination.region,
    topology: request.topology,
    jobClass: request.jobClass,
    payType: request.payType,
    period: request.period,
    usedTime: request.usedTime,
  });
}

function settle(s: Setup, { dtsJobId }: { dtsJobId: string }): void {
  s.state.purchaseUnsettled = false;
  s.tell({ dtsJobId });
  s.clearPassingError();
}

/**
 * Parked on an unknown purchase outcome: no deadline drops it. The same ClientToken is sent again, slowly
 * (the activity also looks for an instance the lost attempt bought), until DTS names the instance, which
 * the setup then uses; an operator's retry sends it at once, an abort ends with PurchaseOutcomeUnknown.
 */
async function resendUntilKnown(s: Setup): Promise<void> {
  const parked = s.state.attention!;
  if (parked.untilMs !== undefined) {
    // Parked by older code with a deadline: it no longer applies.
    delete parked.untilMs;
    const { deadline: _dropped, ...shown } = s.status.attention!;
    s.tell({ attention: shown });
  }
  for (let round = 0; ; round += 1) {
    s.checkStop();
    if (s.takeRetry()) return leave(s);
    await s.maybeContinueAsNew();
    const t = s.tuningMs;
    await s.park(Math.min(backoffMs(round + 3, MAX_BACKOFF_MS), Math.max(t.monitorInterval, t.firstPoll)));
    if (s.stopRequested() || s.state.retryRequested) continue;
    try {
      settle(s, await buy(s));
      return leave(s);
    } catch (err) {
      s.tell({ error: errorSummary(err) });
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
