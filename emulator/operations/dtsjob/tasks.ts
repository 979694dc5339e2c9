// DescribeDtsJobDetail, StartDtsJob, SuspendDtsJob, ResetDtsJob, DeleteDtsJob and DeleteDtsJobs: one task (or a
// list of them) named by DtsJobId, on the one job model the legacy family also drives.
import { ApiError, operationErrors } from '../../errors';
import type { JobRecord } from '../../model';
import type { Operation, OperationContext } from '../context';
import { releaseJob, resetDirection, startDirection, suspendDirection } from '../direction-actions';
import { findTask, targetTask } from './common';
import { taskDetail } from './views';

const DONE = { Success: true, HttpStatusCode: 200 };

export const describeDtsJobDetail: Operation = (ctx) => {
  const { job, name } = targetTask(ctx, 'DtsInstanceID');
  return { ...taskDetail(job, name, ctx.now, ctx.options.dialect), ...DONE };
};

export const startDtsJob: Operation = (ctx) => {
  const { job, name } = targetTask(ctx);
  startDirection(ctx, job, name);
  return DONE;
};

export const suspendDtsJob: Operation = (ctx) => {
  const { job, name } = targetTask(ctx);
  suspendDirection(ctx, job, name);
  return DONE;
};

export const resetDtsJob: Operation = (ctx) => {
  const { job, name } = targetTask(ctx);
  resetDirection(ctx, job, name);
  return DONE;
};

/** The Delete pages: a subscription (PrePaid) instance cannot be released through the API. The code is a guess. */
function releasable(ctx: OperationContext, job: JobRecord): void {
  if (job.payType !== 'PrePaid') return;
  throw new ApiError(
    'OperationDenied.PayType',
    403,
    `${ctx.action} cannot release the subscription (PrePaid) instance ${job.jobId}; unsubscribe it instead.`,
  );
}

export const deleteDtsJob: Operation = (ctx) => {
  const { job, name } = targetTask(ctx);
  // Reverse releases only the reverse task; the instance and its Forward task stay.
  if (name === 'Reverse') {
    resetDirection(ctx, job, name);
    return DONE;
  }
  releasable(ctx, job);
  releaseJob(ctx, job);
  return DONE;
};

/** Up to 10 tasks (the table checks the count); nothing is released unless every one can be. */
export const deleteDtsJobs: Operation = (ctx) => {
  const ids = ctx.reader
    .required('DtsJobIds')
    .split(',')
    .map((id) => id.trim());
  const tasks = ids.map((id) => {
    const found = findTask(ctx, id);
    if (!found) throw operationErrors.jobNotFound(id);
    if (found.name === 'Forward') releasable(ctx, found.job);
    return found;
  });
  for (const { job, name } of tasks) {
    if (job.released) continue;
    if (name === 'Reverse') resetDirection(ctx, job, name);
    else releaseJob(ctx, job);
  }
  return DONE;
};
