// CreateDtsInstance: buys an instance with one unconfigured task per direction (docs/dts-api.md §12).
import { operationErrors } from '../../errors';
import type { JobRecord } from '../../model';
import { emptyDirection } from '../common';
import type { Operation } from '../context';
import { newIdSuffix } from '../direction-actions';
import { canonicalEngine } from './common';

const SYNC_CLASSES = ['large', 'medium', 'small', 'micro'];
const BIDIRECTIONAL_ENGINES = ['MySQL', 'PolarDB', 'Redis'];

export const createDtsInstance: Operation = (ctx) => {
  const { reader } = ctx;
  // Configure first, then buy (JobId) is the reference's other flow; the product buys first.
  if (reader.optional('JobId') !== undefined) {
    throw operationErrors.invalidParameter('JobId', 'this emulator models buying first: omit JobId');
  }
  if (reader.optional('Type') !== 'SYNC') {
    throw operationErrors.invalidParameter('Type', 'this emulator models data synchronization instances (SYNC) only');
  }
  const regionId = reader.optional('RegionId');
  const sourceRegion = reader.required('SourceRegion');
  const destRegion = reader.required('DestinationRegion');
  const sourceEngine = canonicalEngine(reader.required('SourceEndpointEngineName'));
  const destinationEngine = canonicalEngine(reader.required('DestinationEndpointEngineName'));
  const payType = reader.required('PayType') as JobRecord['payType'];
  const jobClass = reader.optional('InstanceClass') ?? 'small';
  if (!SYNC_CLASSES.includes(jobClass)) {
    throw operationErrors.invalidParameter('InstanceClass', `a synchronization instance is ${SYNC_CLASSES.join(', ')}`);
  }
  let period: 'Year' | 'Month' | undefined;
  let usedTime: number | undefined;
  if (payType === 'PrePaid') {
    period = reader.required('Period') as 'Year' | 'Month';
    usedTime = Number(reader.required('UsedTime'));
    const allowed = period === 'Year' ? [1, 2, 3, 5] : [1, 2, 3, 4, 5, 6, 7, 8, 9];
    if (!allowed.includes(usedTime)) {
      throw operationErrors.invalidParameter('UsedTime', `with Period=${period} expected one of ${allowed.join(', ')}`);
    }
  }
  const topology = (reader.optional('SyncArchitecture') ?? 'oneway') as JobRecord['topology'];
  if (
    topology === 'bidirectional' &&
    !(BIDIRECTIONAL_ENGINES.includes(sourceEngine) && BIDIRECTIONAL_ENGINES.includes(destinationEngine))
  ) {
    throw operationErrors.invalidParameter(
      'SyncArchitecture',
      'bidirectional needs MySQL, PolarDB or Redis on both sides',
    );
  }

  const suffix = newIdSuffix();
  const job: JobRecord = {
    jobId: `dts${suffix}`,
    family: 'dtsjob',
    createdAt: ctx.now,
    released: false,
    topology,
    payType,
    jobClass,
    sourceRegion,
    destRegion,
    sourceEngine,
    destinationEngine,
    directions: { Forward: { ...emptyDirection(), dtsJobId: suffix } },
  };
  if (topology === 'bidirectional') job.directions.Reverse = { ...emptyDirection(), dtsJobId: newIdSuffix() };
  for (const direction of Object.values(job.directions)) {
    direction?.history.push({ status: 'NotConfigured', at: new Date(ctx.now).toISOString() });
  }
  if (regionId) job.regionId = regionId;
  const group = reader.optional('ResourceGroupId');
  if (group) job.resourceGroupId = group;
  if (period) job.period = period;
  if (usedTime) job.usedTime = usedTime;
  ctx.state.addJob(job);
  ctx.call.jobId = job.jobId;
  // Success is a string in this action's model.
  return { InstanceId: job.jobId, JobId: suffix, Success: 'true' };
};
