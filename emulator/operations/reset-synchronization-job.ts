// ResetSynchronizationJob: clears one direction's configuration so it can be configured again.
import { targetDirection, targetJob } from './common';
import type { Operation } from './context';
import { resetDirection } from './direction-actions';

export const resetSynchronizationJob: Operation = (ctx) => {
  ctx.reader.region('RegionId', false);
  const job = targetJob(ctx);
  resetDirection(ctx, job, targetDirection(ctx, job).name);
  return { Success: true };
};
