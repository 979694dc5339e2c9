import { ApplicationFailure } from '@temporalio/common';
import { DtsClient, type DtsClientConfig } from '../activities/dts/client';
import { DtsFailure } from '../activities/dts/errors';
import { familyOf } from '../activities/dts/family';
import { dtsFamilies } from '../activities/dts/families';
import type { DtsApi } from '../core/types';

/** The one thing the API asks DTS: is a kept job still there? (Read-only credentials suffice.) */
export interface DtsJobLookup {
  /** `api`: the family the job's setup spoke (absent: the legacy one). */
  exists(dtsJobId: string, regionId: string, api?: DtsApi): Promise<boolean>;
}

export function dtsJobLookup(config: DtsClientConfig): DtsJobLookup {
  const families = dtsFamilies(new DtsClient(config));
  return {
    async exists(dtsJobId, regionId, api) {
      try {
        await familyOf(families, api).describe({ dtsJobId, regionId, direction: 'Forward' });
        return true;
      } catch (err) {
        if (err instanceof ApplicationFailure && err.type === DtsFailure.NotFound) return false;
        throw err;
      }
    },
  };
}
