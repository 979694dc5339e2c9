// DescribeDtsJobs: pages of instances, one item per instance (its Forward task, Reverse as ReverseJob), with the
// reference's filters: JobType (MIGRATION when absent), Region, id lists, Status, Type + Params.
import type { JobRecord } from '../../model';
import { listedDirection } from '../describe-synchronization-jobs';
import { jobRegion } from '../describe-synchronization-job-status-list';
import { visibleTo } from '../common';
import type { Operation, OperationContext } from '../context';
import { directionJobId } from '../direction-actions';
import { taskView } from './views';

const list = (value: string | undefined) =>
  value === undefined ? undefined : new Set(value.split(',').map((v) => v.trim()));

function matches(ctx: OperationContext, job: JobRecord): boolean {
  const { reader } = ctx;
  const region = reader.optional('Region');
  if (region !== undefined && jobRegion(job) !== region) return false;
  const instances = list(reader.optional('DtsInstanceId'));
  if (instances && !instances.has(job.jobId)) return false;
  const tasks = list(reader.optional('DtsJobId'));
  const names = (['Forward', 'Reverse'] as const).filter((n) => job.directions[n]);
  if (tasks && !names.some((n) => tasks.has(directionJobId(job, n)))) return false;
  const status = reader.optional('Status');
  if (status !== undefined) {
    const forward = taskView(job, 'Forward', ctx.now, ctx.options.dialect, false).Status;
    if (forward.toLowerCase() !== status.toLowerCase()) return false;
  }
  const type = reader.optional('Type');
  const param = reader.optional('Params') ?? '';
  const forward = job.directions.Forward.config;
  switch (type) {
    case 'instance':
      return job.jobId.includes(param);
    case 'name':
      return (forward?.name ?? '').toLowerCase().includes(param.toLowerCase());
    case 'srcRds':
      return forward?.source.instanceId === param;
    case 'rds':
      return forward?.destination.instanceId === param;
    default:
      return true;
  }
}

export const describeDtsJobs: Operation = (ctx) => {
  const { reader } = ctx;
  const pageSize = Number(reader.optional('PageSize') ?? 20);
  const pageNumber = Number(reader.optional('PageNumber') ?? 1);
  // Every emulated instance is a synchronization one; the default type lists migrations.
  const jobType = reader.optional('JobType') ?? 'MIGRATION';
  const descending = reader.optional('OrderDirection') === 'DESC';
  const withDbList = reader.optional('WithoutDbList') !== 'true';
  const { dialect } = ctx.options;
  const jobs = ctx.state
    .allJobs()
    .filter((job) => jobType === 'SYNC' && !job.released && visibleTo(job, 'dtsjob', dialect) && matches(ctx, job))
    .sort((a, b) => (a.createdAt - b.createdAt || a.jobId.localeCompare(b.jobId)) * (descending ? -1 : 1));
  const page = jobs.slice((pageNumber - 1) * pageSize, pageNumber * pageSize);
  return {
    Success: true,
    HttpStatusCode: 200,
    PageNumber: pageNumber,
    PageRecordCount: page.length,
    TotalRecordCount: jobs.length,
    DtsJobList: page.map((job) => ({
      ...taskView(job, 'Forward', ctx.now, dialect, withDbList),
      ...(listedDirection(job, 'Reverse', dialect)
        ? { ReverseJob: taskView(job, 'Reverse', ctx.now, dialect, withDbList) }
        : {}),
    })),
  };
};
