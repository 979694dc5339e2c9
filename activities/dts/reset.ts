import type { DtsClient } from './client';
import type { Direction } from '../../core/types';

export interface ResetInput {
  dtsJobId: string;
  regionId: string;
  direction: Direction;
}

/**
 * ResetSynchronizationJob: clears one direction's configuration. The only way out of
 * InitializeFailed, where DTS refuses StartSynchronizationJob (docs/dts-api.md §1.3).
 */
export async function resetDirection(dts: DtsClient, input: ResetInput): Promise<void> {
  await dts.call('ResetSynchronizationJob', {
    SynchronizationJobId: input.dtsJobId,
    RegionId: input.regionId,
    SynchronizationDirection: input.direction,
  });
}
