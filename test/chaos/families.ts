import type { DtsApi } from '../../core/types';

/** The legacy action each fault of the run is written for, and the DtsJob action that does the same. */
const DTSJOB_TWIN: Record<string, string> = {
  CreateSynchronizationJob: 'CreateDtsInstance',
  ConfigureSynchronizationJob: 'ConfigureDtsJob',
  StartSynchronizationJob: 'StartDtsJob',
  SuspendSynchronizationJob: 'SuspendDtsJob',
  ResetSynchronizationJob: 'ResetDtsJob',
  DeleteSynchronizationJob: 'DeleteDtsJob',
  // The DtsJob family reads a setup's own status and the watcher's batch with the same action: a fault naming
  // one instance (jobId) meets the setup's own read only, since the batch names several instances at once.
  DescribeSynchronizationJobStatus: 'DescribeDtsJobs',
  DescribeSynchronizationJobStatusList: 'DescribeDtsJobs',
};

/**
 * A fault written with a legacy action, and the same fault naming the DtsJob action: the run's setups speak
 * either family (`--api`), and a fault must meet whichever one a setup speaks.
 */
export function inBothFamilies(fault: Record<string, unknown>): Record<string, unknown>[] {
  const twin = typeof fault.action === 'string' ? DTSJOB_TWIN[fault.action] : undefined;
  return twin ? [fault, { ...fault, action: twin }] : [fault];
}

export type ApiMix = DtsApi | 'mix';
export const API_MIXES: readonly ApiMix[] = ['dtsjob', 'synchronizationjob', 'mix'];

/** The family of the run's setup `index`: a mix alternates (setup 0 one-way DtsJob, setup 1 two-way legacy). */
export function apiOf(mix: ApiMix, index: number): DtsApi {
  if (mix !== 'mix') return mix;
  return index % 2 === 0 ? 'dtsjob' : 'synchronizationjob';
}
