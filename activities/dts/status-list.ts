import type { DtsClient } from './client';
import type { Direction } from '../../workflows/types';

/** Job id → direction → DTS's raw status. */
export type StatusBoard = Record<string, Partial<Record<Direction, string>>>;

/** DescribeSynchronizationJobStatusList: both directions of many jobs in one call. */
export async function describeStatusList(dts: DtsClient, jobIds: string[]): Promise<StatusBoard> {
  const body = await dts.call('DescribeSynchronizationJobStatusList', { SynchronizationJobIdListJsonStr: JSON.stringify(jobIds) });
  const board: StatusBoard = {};
  const jobs = Array.isArray(body.SynchronizationJobListStatusList) ? (body.SynchronizationJobListStatusList as Record<string, unknown>[]) : [];
  for (const job of jobs) {
    const directions = Array.isArray(job.SynchronizationDirectionInfoList) ? (job.SynchronizationDirectionInfoList as Record<string, unknown>[]) : [];
    const entry: Partial<Record<Direction, string>> = {};
    for (const d of directions) {
      if (d.SynchronizationDirection === 'Forward' || d.SynchronizationDirection === 'Reverse') entry[d.SynchronizationDirection] = String(d.Status ?? '');
    }
    board[String(job.SynchronizationJobId)] = entry;
  }
  return board;
}
