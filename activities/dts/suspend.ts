import type { DtsClient } from './client';
import type { Direction } from '../../core/types';

export interface SuspendInput {
  dtsJobId: string;
  regionId: string;
  direction: Direction;
}

/**
 * SuspendSynchronizationJob: stops one Synchronizing direction from writing, keeping the instance.
 * A kept or PrePaid instance is suspended so a new setup of the pair is the only writer.
 * DTS refuses it outside Synchronizing (DtsJobStatusConflict).
 */
export async function suspendDirection(dts: DtsClient, input: SuspendInput): Promise<void> {
  await dts.call('SuspendSynchronizationJob', {
    SynchronizationJobId: input.dtsJobId,
    RegionId: input.regionId,
    SynchronizationDirection: input.direction,
  });
}
