// StartSynchronizationJob: NotStarted/PrecheckFailed → precheck; Failed → short re-init; Suspending → resume.
import { wireStatus } from '../dialect';
import { operationErrors } from '../errors';
import { currentStatus, recordHistory } from '../lifecycle';
import { planFullRun, planRecoverRun, planResumeRun } from '../run-planner';
import { targetDirection, targetJob } from './common';
import type { Operation } from './context';

/** A direction paused longer than this cannot be started again (docs/dts-api.md §1.4); scaled like all durations. */
const MAX_SUSPENSION_MS = 6 * 3600_000;

export const startSynchronizationJob: Operation = (ctx) => {
  ctx.reader.region('RegionId', false);
  const job = targetJob(ctx);
  const { name, direction } = targetDirection(ctx, job);
  const status = currentStatus(direction, ctx.now);
  const shown = wireStatus(status, ctx.options.dialect);
  recordHistory(direction, ctx.now);
  switch (status) {
    case 'PrecheckFailed':
      // Start's page lists only NotStarted, Failed and Suspending (docs/dts-api.md §1.3).
      if (ctx.options.dialect.startAfterPrecheckFailed === 'refused') {
        throw operationErrors.jobStatus(
          `StartSynchronizationJob is not allowed while the ${name} direction is ${shown}; reset and configure it again`,
        );
      }
      direction.run = planFullRun(ctx, ctx.action, job, name, ctx.now);
      break;
    case 'NotStarted':
      direction.run = planFullRun(ctx, ctx.action, job, name, ctx.now);
      break;
    case 'Failed':
      direction.run = planRecoverRun(ctx, ctx.action, job, name, ctx.now);
      break;
    case 'Suspending': {
      const pausedFor = ctx.now - (direction.run?.suspendedAt ?? ctx.now);
      if (pausedFor > MAX_SUSPENSION_MS * ctx.options.timeScale) {
        throw operationErrors.jobStatus(
          `the ${name} direction was suspended for more than 6 hours and cannot be started again`,
        );
      }
      direction.run = planResumeRun(ctx, ctx.action, job, name, ctx.now);
      break;
    }
    default:
      throw operationErrors.jobStatus(`StartSynchronizationJob is not allowed while the ${name} direction is ${shown}`);
  }
  direction.startCount += 1;
  recordHistory(direction, ctx.now);
  return { Success: true };
};
