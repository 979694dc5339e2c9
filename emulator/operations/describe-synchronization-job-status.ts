// DescribeSynchronizationJobStatus: the full status of one direction.
import { targetDirection, targetJob } from './common';
import { directionView } from './views';
import type { Operation } from './context';

export const describeSynchronizationJobStatus: Operation = (ctx) => {
  ctx.reader.clientToken();
  const job = targetJob(ctx);
  const { name } = targetDirection(ctx, job);
  return { ...directionView(job, name, ctx.now, ctx.options.dialect), Success: true };
};
