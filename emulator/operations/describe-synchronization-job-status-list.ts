// DescribeSynchronizationJobStatusList: both directions of many jobs in one call (docs/dts-api.md §1.8).
import { wireStatus } from '../dialect';
import { operationErrors } from '../errors';
import { currentStatus, dataSynchronizationStatus } from '../lifecycle';
import type { JobRecord } from '../model';
import { visibleTo } from './common';
import type { Operation } from './context';

/** The region a job lives in: the RegionId of its purchase, which the docs say equals DestRegion. */
export function jobRegion(job: JobRecord): string {
  return job.regionId ?? job.destRegion;
}

export const describeSynchronizationJobStatusList: Operation = (ctx) => {
  const { dialect } = ctx.options;
  ctx.reader.clientToken();
  const regionId = ctx.reader.region('RegionId', false);
  ctx.reader.required('SynchronizationJobIdListJsonStr');
  const ids = ctx.reader.json('SynchronizationJobIdListJsonStr');
  if (!Array.isArray(ids) || !ids.every((id) => typeof id === 'string')) {
    throw operationErrors.invalid('SynchronizationJobIdListJsonStr', 'expected a JSON array of instance ids');
  }
  // The docs name no paging parameter for this call; PageNumber (the answer's own field name) selects a page.
  const pageNumber = ctx.reader.integer('PageNumber', 1, 1_000_000) ?? 1;
  // Unknown and released ids are left out; with statusListScope=region, so are jobs of other regions.
  // A Set: a fleet's watcher asks for thousands of ids a second.
  const wanted = new Set(ids);
  const jobs = ctx.state
    .allJobs()
    .filter((job) => !job.released && wanted.has(job.jobId) && visibleTo(job, 'synchronizationjob', dialect))
    .filter((job) => dialect.statusListScope === 'global' || (regionId !== undefined && jobRegion(job) === regionId))
    .sort((a, b) => a.createdAt - b.createdAt || a.jobId.localeCompare(b.jobId));
  const size = dialect.statusListPageSize > 0 ? dialect.statusListPageSize : Math.max(jobs.length, 1);
  const page = jobs.slice((pageNumber - 1) * size, pageNumber * size);
  return {
    Success: true,
    PageNumber: pageNumber,
    PageRecordCount: page.length,
    TotalRecordCount: jobs.length,
    SynchronizationJobListStatusList: page.map((job) => ({
      SynchronizationJobId: job.jobId,
      SynchronizationDirectionInfoList: (['Forward', 'Reverse'] as const).flatMap((name) => {
        const direction = job.directions[name];
        if (!direction) return [];
        const status = wireStatus(currentStatus(direction, ctx.now), dialect);
        return [
          {
            SynchronizationDirection: name,
            Status: status,
            Checkpoint: dataSynchronizationStatus(direction, ctx.now).Checkpoint,
          },
        ];
      }),
    })),
  };
};
