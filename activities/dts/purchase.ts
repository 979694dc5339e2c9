import { createHash } from 'node:crypto';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { answeredBy } from './client';
import type { CreateInput, DtsFamily } from './family';
import type { DtsInstanceSummary } from './list-instances';
import { recentInstances } from './recent-instances';
import type { InstanceClaims } from '../instance-claims';
import type { DtsApi } from '../../core/types';

export interface PurchaseInput extends CreateInput {
  /** The family the setup speaks (absent: the legacy one, runs older than the choice). */
  api?: DtsApi;
  /**
   * Set by a workflow that buys again after an earlier purchase activity of its own ended without a known outcome
   * (cancelled, or failed after a timeout): when that one was first scheduled (ISO time). The window to search for
   * its instance starts there, even on the first attempt of this activity.
   */
  outcomeUnknownSince?: string;
}

export interface PurchaseResult {
  dtsJobId: string;
}

/** Clocks of DTS and the worker may differ: the purchase window starts this much earlier. */
const CLOCK_SKEW_MS = 5 * 60_000;
/** The server starts an attempt's clock a little before the worker sees the task. */
const DISPATCH_MARGIN_MS = 1_000;
/** Bought instances whose claim lost a race to an adopter: buy again, a bounded number of times. */
const MAX_REBUYS = 3;

/**
 * Buys an instance (the family's create), and claims it for this setup (activities/instance-claims.ts).
 *
 * The ClientToken makes a retried purchase return the same instance, if DTS honours it; how long it does is
 * undocumented, and the DtsJob family's CreateDtsInstance takes none (docs/dts-api.md §3). So when an earlier purchase of the same token may have bought something (an
 * activity retry, or a new activity of a workflow that retries purchases itself: a purchase record exists), the
 * instance it may have bought is looked for first and adopted, before anything is bought again.
 */
export async function purchaseInstance(
  dts: DtsFamily,
  input: PurchaseInput,
  claims?: InstanceClaims,
): Promise<PurchaseResult> {
  const activity = currentActivity();
  const setupId = activity?.info.workflowExecution?.workflowId;
  if (!claims || !activity || !setupId) return { dtsJobId: await create(dts, input, input.clientToken) };
  // Every call of this attempt has its answer before Temporal could time it out and schedule the next one.
  const deadline = Date.now() + activity.info.startToCloseTimeoutMs - DISPATCH_MARGIN_MS;
  return answeredBy(deadline, () => purchase(dts, input, claims, activity, setupId));
}

async function purchase(
  dts: DtsFamily,
  input: PurchaseInput,
  claims: InstanceClaims,
  activity: Context,
  setupId: string,
): Promise<PurchaseResult> {
  const claimedAt = new Date().toISOString();

  const scheduledMs = activity.info.scheduledTimestampMs;
  const earlier = await claims.earlierPurchase(input.clientToken, { setupId, firstScheduledMs: scheduledMs });
  const unknownSince = [earlier, input.outcomeUnknownSince ? Date.parse(input.outcomeUnknownSince) : undefined].filter(
    (ms): ms is number => ms !== undefined && Number.isFinite(ms),
  );
  if (activity.info.attempt > 1 || unknownSince.length > 0) {
    const adopted = await adoptLostPurchase(
      dts,
      claims,
      input,
      activity,
      setupId,
      Math.min(scheduledMs, ...unknownSince),
    );
    if (adopted) return { dtsJobId: adopted };
  }
  for (let rebuy = 0; rebuy <= MAX_REBUYS; rebuy++) {
    const dtsJobId = await create(dts, input, rebuy === 0 ? input.clientToken : freshToken(input.clientToken, rebuy));
    const owner = await claims.claim({ dtsJobId, setupId, how: 'bought', claimedAt });
    if (owner.setupId === setupId) return { dtsJobId };
    // The token answered with an instance another setup adopted as its own lost purchase: buy another one.
    activity.log.warn('bought instance already claimed by another setup; buying again', {
      dtsJobId,
      owner: owner.setupId,
    });
  }
  throw ApplicationFailure.retryable(
    `every instance bought for ${setupId} was claimed by another setup`,
    'PurchaseClaimLost',
  );
}

/**
 * An instance the lost call may have bought: unconfigured, of this purchase's shape, created since this
 * activity was first scheduled. One created less than a claim window ago may be another setup's purchase
 * whose answer is on its way (that setup claims it right after the answer); it is adopted only when no other
 * setup is buying, else once the window has passed (a retry).
 */
async function adoptLostPurchase(
  dts: DtsFamily,
  claims: InstanceClaims,
  input: PurchaseInput,
  activity: Context,
  setupId: string,
  firstScheduledMs: number,
): Promise<string | undefined> {
  const windowStart = firstScheduledMs - CLOCK_SKEW_MS;
  const claimWindowMs = activity.info.startToCloseTimeoutMs;
  const now = Date.now();
  const candidates = (await recentInstances(dts, input.regionId, windowStart))
    .filter((i) => i.unconfigured && i.createdAtMs >= windowStart && sameShape(i, input))
    .sort((a, b) => a.createdAtMs - b.createdAtMs);
  if (candidates.length === 0) return undefined;
  const othersBuying = await claims.otherPurchases(setupId);
  let waitFor = 0;
  for (const candidate of candidates) {
    const age = now - candidate.createdAtMs;
    if (othersBuying > 0 && age < claimWindowMs) {
      waitFor = Math.max(waitFor, claimWindowMs - age);
      continue;
    }
    const owner = await claims.claim({
      dtsJobId: candidate.dtsJobId,
      setupId,
      how: 'adopted',
      claimedAt: new Date().toISOString(),
    });
    if (owner.setupId === setupId) {
      activity.log.info('adopted the instance of a purchase whose answer was lost', { dtsJobId: candidate.dtsJobId });
      return candidate.dtsJobId;
    }
  }
  if (waitFor === 0) return undefined;
  // Too young to tell apart from another setup's purchase: try again once it is old enough.
  throw ApplicationFailure.create({
    type: 'PurchaseCandidateUnsettled',
    message: `an unclaimed instance bought ${Math.round((claimWindowMs - waitFor) / 1000)} s ago may be this setup's; checking again`,
    nextRetryDelay: waitFor,
  });
}

function sameShape(instance: DtsInstanceSummary, input: PurchaseInput): boolean {
  const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
  const twoWay = input.topology === 'bidirectional';
  return (
    same(instance.jobClass, input.jobClass) &&
    same(instance.payType, input.payType) &&
    // The family's list may not show an unconfigured instance's topology. A two-way setup takes only one shown
    // two-way: DTS refuses Reverse on a one-way instance for good. A one-way setup runs on either.
    (instance.directions === (twoWay ? 2 : 1) || (instance.directions === undefined && !twoWay))
  );
}

function create(dts: DtsFamily, input: PurchaseInput, clientToken: string): Promise<string> {
  const { api: _family, outcomeUnknownSince: _since, ...shape } = input;
  return dts.create({ ...shape, clientToken });
}

/** A different token for a deliberate second purchase; at most 64 ASCII characters like every token. */
function freshToken(token: string, n: number): string {
  return createHash('sha256').update(`${token}#${n}`).digest('hex').slice(0, 64);
}

function currentActivity(): Context | undefined {
  try {
    return Context.current();
  } catch {
    return undefined; // called outside an activity (tests of the client)
  }
}
