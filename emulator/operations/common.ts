// Helpers shared by the per-direction operations.
import { operationErrors } from '../errors';
import type { Dialect } from '../dialect';
import type { ApiFamily, Direction, DirectionRecord, JobRecord } from '../model';
import type { OperationContext } from './context';

/** Whether a family sees a job bought through the other one (dialect `familyView`). */
export function visibleTo(job: JobRecord, family: ApiFamily, dialect: Dialect): boolean {
  return dialect.familyView === 'shared' || (job.family ?? 'synchronizationjob') === family;
}

/** The job named by SynchronizationJobId, live (not released). */
export function targetJob(ctx: OperationContext): JobRecord {
  const jobId = ctx.reader.required('SynchronizationJobId');
  ctx.call.jobId = jobId;
  const job = ctx.state.liveJob(jobId);
  if (!visibleTo(job, 'synchronizationjob', ctx.options.dialect)) throw operationErrors.jobNotFound(jobId);
  return job;
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
