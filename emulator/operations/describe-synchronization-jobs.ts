// DescribeSynchronizationJobs: pages of live instances, one item per direction, optional name filter.
import type { Dialect } from '../dialect';
import type { JobRecord } from '../model';
import { visibleTo } from './common';
import type { Operation } from './context';
import { jobRegion } from './describe-synchronization-job-status-list';
import { directionView } from './views';

/** `yyyy-MM-dd HH:mm:ss.0` in UTC+8, as the legacy API prints CreateTime. */
function beijingTime(at: number): string {
  return `${new Date(at + 8 * 3600_000).toISOString().slice(0, 19).replace('T', ' ')}.0`;
}

function matchesName(job: JobRecord, filter: string | undefined): boolean {
  if (!filter) return true;
  const names = [job.directions.Forward.config?.name, job.directions.Reverse?.config?.name];
  return names.some((n) => n?.toLowerCase().includes(filter.toLowerCase()));
}

/** A Reverse never configured is listed only with unconfiguredReverse=listed (docs/dts-api.md §10). */
export function listedDirection(job: JobRecord, name: 'Forward' | 'Reverse', dialect: Dialect): boolean {
  const direction = job.directions[name];
  if (!direction) return false;
  return name === 'Forward' || direction.config !== undefined || dialect.unconfiguredReverse === 'listed';
}

export const describeSynchronizationJobs: Operation = (ctx) => {
  const { reader } = ctx;
  const regionId = reader.region('RegionId', false);
  reader.clientToken();
  // 10, 20 or 30 (emulator/reference/dts.ts checked it); 30 when absent.
  const pageSize = reader.integer('PageSize', 10, 30) ?? 30;
  const pageNumber = reader.integer('PageNum', 1, 1_000_000) ?? 1;
  const filter = reader.optional('SynchronizationJobName');

  const jobs = ctx.state
    .allJobs()
    // RegionId is the region of the instances listed (the purchase's RegionId, else its DestRegion).
    .filter(
      (job) =>
        !job.released &&
        visibleTo(job, 'synchronizationjob', ctx.options.dialect) &&
        matchesName(job, filter) &&
        (regionId === undefined || jobRegion(job) === regionId),
    )
    .sort((a, b) => b.createdAt - a.createdAt);
  const page = jobs.slice((pageNumber - 1) * pageSize, pageNumber * pageSize);
  const items = page.flatMap((job) =>
    (['Forward', 'Reverse'] as const)
      .filter((name) => listedDirection(job, name, ctx.options.dialect))
      .map((name) => ({
        ...directionView(job, name, ctx.now, ctx.options.dialect),
        CreateTime: beijingTime(job.createdAt),
        InstanceCreateTime: new Date(job.createdAt).toISOString(),
        JobCreateTime: new Date(job.directions[name]?.configuredAt ?? job.createdAt).toISOString(),
        Tags: [],
      })),
  );
  return {
    Success: true,
    PageNumber: pageNumber,
    PageRecordCount: page.length,
    TotalRecordCount: jobs.length,
    SynchronizationInstances: items,
  };
};
