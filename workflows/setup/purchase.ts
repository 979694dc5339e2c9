import { ApplicationFailure, log, workflowInfo } from '@temporalio/workflow';
import { purchaseClientToken } from '../../core/ids';
import { attend, enterAttention } from './attention';
import { errorSummary, failureMessage, hasDtsAnswer, isNetworkFailure, isPermanent } from './failures';
import { backoffMs, MAX_BACKOFF_MS, PURCHASE, type Setup } from './setup';

/**
 * Buy the DTS instance. Never abandoned halfway: a stop request (abort, release, cancel) ends
 * the purchase only when nothing can have been bought; after an attempt whose answer was lost,
 * the same ClientToken is sent again until DTS names the instance, so the teardown can release it.
 */
export async function purchase(s: Setup): Promise<void> {
  s.tell({ phase: 'purchasing' });
  const { request } = s;
  for (let attempt = 0; ; attempt += 1) {
    if (!s.state.purchaseUnsettled) s.checkStop();
    if (s.state.attention) {
      await attend(s); // purchase-outcome-unknown after a continue-as-new
      continue;
    }
    try {
      const { dtsJobId } = await s.dts('Buy the DTS sync instance', PURCHASE).purchaseInstance({
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
      s.state.purchaseUnsettled = false;
      s.tell({ dtsJobId });
      s.clearPassingError();
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
      const cap = summary.type === 'DtsCredentialsRejected' ? MAX_BACKOFF_MS : 60_000;
      await s.pause(backoffMs(attempt, cap), { wakeOnDtsChange: false, stoppable: false });
      await s.maybeContinueAsNew(); // a long DTS outage: the new run buys with the same ClientToken
    }
  }
}

/** An abort of a purchase whose outcome no one could learn: end loudly, never silently. */
export function purchaseOutcomeUnknown(): ApplicationFailure {
  return ApplicationFailure.nonRetryable(
    "Aborted while the purchase outcome is unknown: check DTS for an instance bought with this setup's ClientToken",
    'PurchaseOutcomeUnknown',
  );
}
