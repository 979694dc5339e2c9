// ResetSynchronizationJob: clears one direction's configuration so it can be configured again.
import { recordHistory } from '../lifecycle';
import { targetDirection, targetJob } from './common';
import type { Operation } from './context';

export const resetSynchronizationJob: Operation = (ctx) => {
  ctx.reader.region('RegionId', false);
  const job = targetJob(ctx);
  const { direction } = targetDirection(ctx, job);
  recordHistory(direction, ctx.now);
  // Resetting an unconfigured direction is accepted and changes nothing.
  if (direction.config) {
    delete direction.config;
    delete direction.run;
    delete direction.configuredAt;
    delete direction.modification;
    direction.history.push({ status: 'NotConfigured', at: new Date(ctx.now).toISOString() });
  }
  return { Success: true };
};
