// DeleteSynchronizationJob: releases the whole instance, in any state.
import { targetJob } from './common';
import type { Operation } from './context';
import { releaseJob } from './direction-actions';

export const deleteSynchronizationJob: Operation = (ctx) => {
  ctx.reader.region('RegionId', false);
  releaseJob(ctx, targetJob(ctx));
  return { Success: true };
};
