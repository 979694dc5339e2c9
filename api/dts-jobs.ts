import { ApplicationFailure } from '@temporalio/common';
import { DtsClient, type DtsClientConfig } from '../activities/dts/client';
import { DtsFailure } from '../activities/dts/errors';

/** The one thing the API asks DTS: is a kept job still there? (Read-only credentials suffice.) */
export interface DtsJobLookup {
  exists(dtsJobId: string, regionId: string): Promise<boolean>;
}

export function dtsJobLookup(config: DtsClientConfig): DtsJobLookup {
  const dts = new DtsClient(config);
  return {
    async exists(dtsJobId, regionId) {
      try {
        await dts.call('DescribeSynchronizationJobStatus', {
          SynchronizationJobId: dtsJobId,
          RegionId: regionId,
          SynchronizationDirection: 'Forward',
        });
        return true;
      } catch (err) {
        if (err instanceof ApplicationFailure && err.type === DtsFailure.NotFound) return false;
        throw err;
      }
    },
  };
}
