import type { DtsClient } from './client';
import type { Direction } from '../../core/types';

export interface StartInput {
  dtsJobId: string;
  regionId: string;
  direction: Direction;
}

/** StartSynchronizationJob: reruns the precheck of a NotStarted/PrecheckFailed direction, or restarts a Failed one. */
export async function startDirection(dts: DtsClient, input: StartInput): Promise<void> {
  await dts.call('StartSynchronizationJob', {
    SynchronizationJobId: input.dtsJobId,
    RegionId: input.regionId,
    SynchronizationDirection: input.direction,
  });
}
