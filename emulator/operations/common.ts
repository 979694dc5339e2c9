// Helpers shared by the per-direction operations.
import { operationErrors } from '../errors';
import type { Direction, DirectionRecord, JobRecord } from '../model';
import type { OperationContext } from './context';

/** The job named by SynchronizationJobId, live (not released). */
export function targetJob(ctx: OperationContext): JobRecord {
  const jobId = ctx.reader.required('SynchronizationJobId');
  ctx.call.jobId = jobId;
  return ctx.state.liveJob(jobId);
}

/** SynchronizationDirection (default Forward); Reverse exists only on a bidirectional instance. */
export function targetDirection(
  ctx: OperationContext,
  job: JobRecord,
): { name: Direction; direction: DirectionRecord } {
  const name = ctx.reader.enumOf('SynchronizationDirection', ['Forward', 'Reverse'] as const) ?? 'Forward';
  ctx.call.direction = name;
  const direction = job.directions[name];
  if (!direction) {
    throw operationErrors.invalid(
      'SynchronizationDirection',
      `Reverse is only available on a bidirectional instance; ${job.jobId} is oneway`,
    );
  }
  return { name, direction };
}

export function emptyDirection(): DirectionRecord {
  return { configureCount: 0, startCount: 0, history: [] };
}
