import type { DtsClient } from './client';
import type { JobClass, PayType, Topology } from '../../workflows/types';

export interface PurchaseInput {
  clientToken: string;
  regionId: string;
  sourceRegion: string;
  destinationRegion: string;
  topology: Topology;
  jobClass: JobClass;
  payType: PayType;
  period?: 'Year' | 'Month';
  usedTime?: number;
}

export interface PurchaseResult {
  dtsJobId: string;
}

/** CreateSynchronizationJob. The ClientToken makes a retried purchase return the same instance. */
export async function purchaseInstance(dts: DtsClient, input: PurchaseInput): Promise<PurchaseResult> {
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
  });
  const dtsJobId = body.SynchronizationJobId;
  if (typeof dtsJobId !== 'string' || dtsJobId === '') {
    throw new Error('CreateSynchronizationJob answered without a SynchronizationJobId');
  }
  return { dtsJobId };
}
