import { ApplicationFailure } from '@temporalio/common';
import type { DtsClient } from './client';
import { DtsFailure } from './errors';

export interface ReleaseInput {
  dtsJobId: string;
  regionId: string;
}

export interface ReleaseResult {
  outcome: 'released' | 'already-gone';
}

/** DeleteSynchronizationJob. An instance that is already gone counts as released. */
export async function releaseInstance(dts: DtsClient, input: ReleaseInput): Promise<ReleaseResult> {
  try {
    await dts.call('DeleteSynchronizationJob', { SynchronizationJobId: input.dtsJobId, RegionId: input.regionId });
    return { outcome: 'released' };
  } catch (err) {
    if (err instanceof ApplicationFailure && err.type === DtsFailure.NotFound) return { outcome: 'already-gone' };
    throw err;
  }
}
