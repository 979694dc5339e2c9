// ModifyDtsJob (the objects of one task: a new DbList replacing the old one) and ModifyDtsJobPassword (a new
// password for one end of one task), on the one job model the legacy family also drives.
import { randomBytes } from 'node:crypto';
import { ApiError, operationErrors } from '../../errors';
import { currentObjects, currentStatus } from '../../lifecycle';
import type { Direction, JobRecord } from '../../model';
import type { Operation, OperationContext } from '../context';
import { directionJobId } from '../direction-actions';
import { chooseDirection, findInstance, targetTask } from './common';
import { readDbList } from './configure-dts-job';

/** How long a modification keeps the task modifying (scaled like every duration), as the legacy family's. */
const MODIFY_MS = 20_000;
const DONE = { Success: true, HttpStatusCode: 200 };

/** The task ModifyDtsJob names: its instance (required), the direction, and DtsJobId when given. */
function modifiedTask(ctx: OperationContext): { job: JobRecord; name: Direction } {
  const job = findInstance(ctx, ctx.reader.required('DtsInstanceId'));
  const name = chooseDirection(ctx, job, 'Forward');
  const taskId = ctx.reader.optional('DtsJobId');
  if (taskId !== undefined && taskId !== directionJobId(job, name) && taskId !== directionJobId(job, 'Forward'))
    throw operationErrors.jobNotFound(taskId);
  ctx.call.jobId = job.jobId;
  ctx.call.direction = name;
  return { job, name };
}

export const modifyDtsJob: Operation = (ctx) => {
  ctx.reader.region('RegionId', false);
  const { job, name } = modifiedTask(ctx);
  const direction = job.directions[name]!;
  if ((ctx.reader.optional('ModifyTypeEnum') ?? '').toUpperCase() === 'UPDATE_RESERVED') {
    // Reserved parameters are added to, never replaced (the SDK model).
    const added = ctx.reader.json('Reserved');
    if (direction.config && added && typeof added === 'object')
      direction.config.migrationReserved = { ...direction.config.migrationReserved, ...added };
    return { ...DONE, DtsJobId: directionJobId(job, name), Status: '200' };
  }
  const { dbList, objects } = readDbList(ctx.reader);
  if (!dbList || objects.length === 0)
    throw operationErrors.invalidParameter('DbList', 'expected the whole new DbList');
  const status = currentStatus(direction, ctx.now);
  // Terraform's provider meets this code when it sends a second change while the first applies.
  if (status === 'Modifying')
    throw new ApiError('OperationDenied.JobStatusModifying', 403, `Operation denied: task ${name} is modifying.`);
  if (status !== 'Synchronizing' && status !== 'NotStarted')
    throw operationErrors.jobStatus(`ModifyDtsJob needs a Synchronizing or NotStarted task; ${name} is ${status}`);
  if (direction.config) {
    // The objects of an ended modification become the configuration before a new one starts.
    const ended = direction.modification;
    if (ended?.dbList) direction.config.dbList = ended.dbList;
    direction.config.synchronizationObjects = currentObjects(direction, ctx.now);
  }
  direction.modification = {
    taskId: randomBytes(6).toString('hex'),
    objects,
    dbList,
    startedAt: ctx.now,
    until: ctx.now + MODIFY_MS * ctx.options.timeScale,
  };
  return { ...DONE, DtsJobId: directionJobId(job, name), Status: '200' };
};

/**
 * ModifyDtsJobPassword: the account's new password at one end (src or dest) of the named task. The page requires
 * Endpoint, UserName and Password in its notes, and refuses the current password.
 */
export const modifyDtsJobPassword: Operation = (ctx) => {
  ctx.reader.region('RegionId', false);
  const { job, name } = targetTask(ctx);
  const end = ctx.reader.requiredEnum('Endpoint', ['src', 'dest'] as const);
  const userName = ctx.reader.required('UserName');
  const password = ctx.reader.required('Password');
  const config = job.directions[name]?.config;
  if (!config) throw operationErrors.jobStatus(`task ${name} of ${job.jobId} is not configured`);
  const endpoint = end === 'src' ? config.source : config.destination;
  if (endpoint.password === password)
    throw operationErrors.invalidParameter('Password', 'the new password must differ from the current one');
  endpoint.password = password;
  endpoint.userName = userName;
  endpoint.passwordChangedAt = ctx.now;
  return DONE;
};
