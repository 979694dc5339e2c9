// SuspendSynchronizationJob: only while Synchronizing.
import { targetDirection, targetJob } from './common';
import type { Operation } from './context';
import { suspendDirection } from './direction-actions';

export const suspendSynchronizationJob: Operation = (ctx) => {
  ctx.reader.region('RegionId', false);
  const job = targetJob(ctx);
  suspendDirection(ctx, job, targetDirection(ctx, job).name);
  return { Success: true };
};
