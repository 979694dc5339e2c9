// ModifySynchronizationObject: only while NotStarted or Synchronizing; the direction is Modifying for a while,
// then synchronizes the new objects. DescribeSynchronizationObjectModifyStatus follows it by TaskId.
import { randomBytes } from 'node:crypto';
import { wireStatus } from '../dialect';
import { operationErrors } from '../errors';
import { currentObjects, currentStatus } from '../lifecycle';
import { targetDirection, targetJob } from './common';
import type { Operation } from './context';

/** How long a modification keeps the direction Modifying (scaled like every duration). */
const MODIFY_MS = 20_000;

export const modifySynchronizationObject: Operation = (ctx) => {
  ctx.reader.region('RegionId', false);
  const job = targetJob(ctx);
  const { name, direction } = targetDirection(ctx, job);
  ctx.reader.required('SynchronizationObjects');
  const objects = ctx.reader.json('SynchronizationObjects');
  if (!Array.isArray(objects) || objects.length === 0)
    throw operationErrors.invalid('SynchronizationObjects', 'expected a non-empty JSON array of objects');
  const status = currentStatus(direction, ctx.now);
  if (status !== 'Synchronizing' && status !== 'NotStarted') {
    throw operationErrors.jobStatus(
      `ModifySynchronizationObject is allowed only while NotStarted or Synchronizing; the ${name} direction is ${wireStatus(status, ctx.options.dialect)}`,
    );
  }
  const taskId = randomBytes(6).toString('hex');
  // The objects of an ended modification become the configuration before a new one starts.
  if (direction.config) direction.config.synchronizationObjects = currentObjects(direction, ctx.now);
  direction.modification = {
    taskId,
    objects,
    startedAt: ctx.now,
    until: ctx.now + MODIFY_MS * ctx.options.timeScale,
  };
  return { Success: true, TaskId: taskId };
};

export const describeSynchronizationObjectModifyStatus: Operation = (ctx) => {
  ctx.reader.region('RegionId', false);
  const taskId = ctx.reader.required('TaskId');
  for (const job of ctx.state.allJobs()) {
    for (const name of ['Forward', 'Reverse'] as const) {
      const modification = job.directions[name]?.modification;
      if (modification?.taskId !== taskId) continue;
      ctx.call.jobId = job.jobId;
      ctx.call.direction = name;
      const done = ctx.now >= modification.until;
      const percent = done
        ? 100
        : Math.floor(((ctx.now - modification.startedAt) / (modification.until - modification.startedAt)) * 100);
      const module = { Status: done ? 'Finished' : 'Migrating', Percent: String(percent), ErrorMessage: '' };
      return {
        Status: done ? 'Finished' : 'Migrating',
        ErrorMessage: '',
        PrecheckStatus: { Status: 'Finished', Percent: '100', Detail: [] },
        StructureInitializationStatus: module,
        DataInitializationStatus: module,
        DataSynchronizationStatus: { Status: done ? 'Migrating' : 'NotStarted', Percent: '', Delay: '0' },
      };
    }
  }
  throw operationErrors.invalid('TaskId', `no object modification ${taskId}`);
};
