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

/** When a PrePaid instance ends (ms): moved by RenewInstance, else the purchase plus its term; undefined for PostPaid. */
export function expiryMs(job: JobRecord): number | undefined {
  if (job.payType !== 'PrePaid') return undefined;
  if (job.expiresAt !== undefined) return job.expiresAt;
  if (!job.period || !job.usedTime) return undefined;
  return addTerm(job.createdAt, job.period, job.usedTime);
}

export function addTerm(fromMs: number, period: 'Year' | 'Month', count: number): number {
  const at = new Date(fromMs);
  if (period === 'Year') at.setUTCFullYear(at.getUTCFullYear() + count);
  else at.setUTCMonth(at.getUTCMonth() + count);
  return at.getTime();
}

/** ExpireTime as both families write it (`yyyy-MM-ddTHH:mm:ssZ`), empty for PostPaid. */
export function expireTime(job: JobRecord): string {
  const at = expiryMs(job);
  return at === undefined ? '' : `${new Date(at).toISOString().slice(0, 19)}Z`;
}
