import type { DtsClient } from './client';
import { dtsJobFamily } from './dts-job';
import type { DtsFamilies } from './family';
import { synchronizationJobFamily } from './synchronization-job';

/** Both API families over one client (docs/dts-api.md §13); a caller picks one per setup. */
export function dtsFamilies(dts: DtsClient): DtsFamilies {
  return { dtsjob: dtsJobFamily(dts), synchronizationjob: synchronizationJobFamily(dts) };
}
