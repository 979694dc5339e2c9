import type { DtsClient } from './client';
import type { CreateInput } from './family';

/** CreateSynchronizationJob: one instance of the shape asked, with the setup's ClientToken (docs/dts-api.md §1.1). */
export async function createSynchronizationJob(dts: DtsClient, input: CreateInput): Promise<string> {
  const body = await dts.call('CreateSynchronizationJob', {
    RegionId: input.regionId,
    SourceRegion: input.sourceRegion,
    DestRegion: input.destinationRegion,
    SynchronizationJobClass: input.jobClass,
    PayType: input.payType,
    Period: input.payType === 'PrePaid' ? input.period : undefined,
    UsedTime: input.payType === 'PrePaid' ? input.usedTime : undefined,
    Topology: input.topology,
    'SourceEndpoint.InstanceType': 'Redis',
    'DestinationEndpoint.InstanceType': 'Redis',
    ClientToken: input.clientToken,
    // Listed among the parameters every legacy action takes (docs/dts-api.md §13.5).
    ResourceGroupId: input.resourceGroupId,
  });
  const dtsJobId = body.SynchronizationJobId;
  if (typeof dtsJobId !== 'string' || dtsJobId === '') {
    throw new Error('CreateSynchronizationJob answered without a SynchronizationJobId');
  }
  return dtsJobId;
}
