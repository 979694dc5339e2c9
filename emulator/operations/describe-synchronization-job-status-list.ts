// DescribeSynchronizationJobStatusList: both directions of many jobs in one call.
import { operationErrors } from '../errors';
import { currentStatus, dataSynchronizationStatus } from '../lifecycle';
import type { Operation } from './context';

export const describeSynchronizationJobStatusList: Operation = (ctx) => {
  ctx.reader.clientToken();
  ctx.reader.required('SynchronizationJobIdListJsonStr');
  const ids = ctx.reader.json('SynchronizationJobIdListJsonStr');
  if (!Array.isArray(ids) || !ids.every((id) => typeof id === 'string')) {
    throw operationErrors.invalid('SynchronizationJobIdListJsonStr', 'expected a JSON array of instance ids');
  }
  // Unknown or released ids are left out of the list.
  const jobs = ctx.state.allJobs().filter((job) => !job.released && ids.includes(job.jobId));
  return {
    Success: true,
    PageNumber: 1,
    PageRecordCount: jobs.length,
    TotalRecordCount: jobs.length,
    SynchronizationJobListStatusList: jobs.map((job) => ({
      SynchronizationJobId: job.jobId,
      SynchronizationDirectionInfoList: (['Forward', 'Reverse'] as const).flatMap((name) => {
        const direction = job.directions[name];
        if (!direction) return [];
        return [{ SynchronizationDirection: name, Status: currentStatus(direction, ctx.now), Checkpoint: dataSynchronizationStatus(direction, ctx.now).Checkpoint }];
      }),
    })),
  };
};
