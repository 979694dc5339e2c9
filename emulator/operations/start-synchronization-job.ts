// StartSynchronizationJob: NotStarted/PrecheckFailed → precheck; Failed → short re-init; Suspending → resume.
import { targetDirection, targetJob } from './common';
import type { Operation } from './context';
import { startDirection } from './direction-actions';

export const startSynchronizationJob: Operation = (ctx) => {
  ctx.reader.region('RegionId', false);
  const job = targetJob(ctx);
  startDirection(ctx, job, targetDirection(ctx, job).name);
  return { Success: true };
};
