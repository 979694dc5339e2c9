// SuspendSynchronizationJob: only while Synchronizing.
import { wireStatus } from '../dialect';
import { operationErrors } from '../errors';
import { currentStatus, recordHistory } from '../lifecycle';
import { targetDirection, targetJob } from './common';
import type { Operation } from './context';

export const suspendSynchronizationJob: Operation = (ctx) => {
  ctx.reader.region('RegionId', false);
  const job = targetJob(ctx);
  const { name, direction } = targetDirection(ctx, job);
  const status = currentStatus(direction, ctx.now);
  if (status !== 'Synchronizing' || !direction.run) {
    throw operationErrors.jobStatus(
      `SuspendSynchronizationJob is allowed only while Synchronizing; the ${name} direction is ${wireStatus(status, ctx.options.dialect)}`,
    );
  }
  direction.run.suspendedAt = ctx.now;
  recordHistory(direction, ctx.now);
  return { Success: true };
};
