// How the DtsJob family names things: an instance (DtsInstanceId) holding one task per direction (DtsJobId).
import { operationErrors } from '../../errors';
import type { Direction, JobRecord } from '../../model';
import { visibleTo } from '../common';
import type { OperationContext } from '../context';
import { directionJobId } from '../direction-actions';

const DIRECTIONS = ['Forward', 'Reverse'] as const;

/** The live job and direction whose task has this DtsJobId, as the DtsJob family sees them. */
export function findTask(ctx: OperationContext, taskId: string): { job: JobRecord; name: Direction } | undefined {
  for (const job of ctx.state.allJobs()) {
    if (job.released || !visibleTo(job, 'dtsjob', ctx.options.dialect)) continue;
    for (const name of DIRECTIONS) {
      if (job.directions[name] && directionJobId(job, name) === taskId) return { job, name };
    }
  }
  return undefined;
}

/** The live instance named by DtsInstanceId, as the DtsJob family sees it. */
export function findInstance(ctx: OperationContext, instanceId: string): JobRecord {
  const job = ctx.state.liveJob(instanceId);
  if (!visibleTo(job, 'dtsjob', ctx.options.dialect)) throw operationErrors.jobNotFound(instanceId);
  return job;
}

/**
 * SynchronizationDirection against the task it names: Reverse with the Forward task's id means the instance's
 * Reverse task (the pages: "set it to Reverse to … the reverse synchronization link"); Reverse exists only on a
 * two-way instance.
 */
export function chooseDirection(ctx: OperationContext, job: JobRecord, named: Direction): Direction {
  const asked = ctx.reader.enumOf('SynchronizationDirection', DIRECTIONS);
  const name = asked ?? named;
  if (!job.directions[name]) {
    throw operationErrors.invalid(
      'SynchronizationDirection',
      `Reverse is only available on a two-way (bidirectional) instance; ${job.jobId} is oneway`,
    );
  }
  if (asked === 'Forward' && named === 'Reverse') {
    throw operationErrors.invalid('SynchronizationDirection', `task ${directionJobId(job, named)} is the Reverse task`);
  }
  return name;
}

/** The task a per-task call names: DtsJobId (required), checked against DtsInstanceId when that is given. */
export function targetTask(
  ctx: OperationContext,
  instanceParam: 'DtsInstanceId' | 'DtsInstanceID' = 'DtsInstanceId',
): { job: JobRecord; name: Direction } {
  const taskId = ctx.reader.required('DtsJobId');
  const instanceId = ctx.reader.optional(instanceParam);
  const found = findTask(ctx, taskId);
  if (!found || (instanceId !== undefined && instanceId !== found.job.jobId)) {
    throw operationErrors.jobNotFound(taskId);
  }
  const name = chooseDirection(ctx, found.job, found.name);
  ctx.call.jobId = found.job.jobId;
  ctx.call.direction = name;
  return { job: found.job, name };
}

/** The shared model's engine names, from either family's spelling (REDIS, Redis, redis → Redis). */
export function canonicalEngine(engine: string): string {
  const known = ['MySQL', 'Redis', 'PolarDB', 'DRDS', 'MaxCompute'];
  return known.find((k) => k.toLowerCase() === engine.toLowerCase()) ?? engine;
}
