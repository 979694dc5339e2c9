// DeleteSynchronizationJob: releases the whole instance, in any state.
import { recordHistory } from '../lifecycle';
import { targetJob } from './common';
import type { Operation } from './context';

export const deleteSynchronizationJob: Operation = (ctx) => {
  ctx.reader.region('RegionId', false);
  const job = targetJob(ctx);
  for (const direction of [job.directions.Forward, job.directions.Reverse]) {
    if (direction) recordHistory(direction, ctx.now);
  }
  job.released = true;
  job.releasedAt = ctx.now;
  return { Success: true };
};
