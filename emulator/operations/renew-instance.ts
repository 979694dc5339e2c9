// RenewInstance: adds a term to a subscription (PrePaid) instance and answers the new EndTime (docs/dts-api.md §13.5).
import { ApiError } from '../errors';
import type { JobRecord } from '../model';
import { addTerm, expiryMs } from './common';
import type { Operation, OperationContext } from './context';
import { findTask } from './dtsjob/common';

export const renewInstance: Operation = (ctx) => {
  ctx.reader.region('RegionId', false);
  const job = renewed(ctx, ctx.reader.required('DtsJobId'));
  const period = ctx.reader.enumOf('Period', ['Year', 'Month'] as const) ?? 'Month';
  const count = ctx.reader.integer('BuyCount', 1, period === 'Year' ? 5 : 60) ?? 1;
  if (job.payType !== 'PrePaid')
    // The page: "available only for subscription instances". The code is a guess, as for Delete's refusal.
    throw new ApiError(
      'OperationDenied.PayType',
      403,
      `RenewInstance renews subscription (PrePaid) instances only; ${job.jobId} is pay-as-you-go.`,
    );
  // From the current end, or from now when it already passed.
  const from = Math.max(expiryMs(job) ?? ctx.now, ctx.now);
  job.expiresAt = addTerm(from, period, count);
  return {
    Success: true,
    DtsJobId: ctx.reader.required('DtsJobId'),
    InstanceId: job.jobId,
    ChargeType: 'PREPAY',
    EndTime: `${new Date(job.expiresAt).toISOString().slice(0, 19)}.000+00:00`,
  };
};

/** A DtsJob task id (what the page names), or an instance id (a legacy SynchronizationJobId, as TransferInstanceClass). */
function renewed(ctx: OperationContext, id: string): JobRecord {
  const job = findTask(ctx, id)?.job ?? ctx.state.liveJob(id);
  ctx.call.jobId = job.jobId;
  return job;
}
