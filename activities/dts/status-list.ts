import type { DtsClient } from './client';
import { normalizeDirection } from '../../core/normalize-dts';
import type { Direction } from '../../core/types';
import { text } from '../../common/text';

/** Job id → direction → DTS's raw status. */
export type StatusBoard = Record<string, Partial<Record<Direction, string>>>;

type Json = Record<string, unknown>;

/** Job id → direction → DTS's Checkpoint (Unix seconds of the last change replicated), where DTS gives one. */
export type CheckpointBoard = Record<string, Partial<Record<Direction, number>>>;

/** Never loop forever on an answer whose paging fields do not add up. */
const MAX_PAGES = 1000;

/**
 * DescribeSynchronizationJobStatusList: both directions of many jobs of one region, every page.
 * `RegionId` is the DTS instances' region (docs/dts-api.md §1.8): jobs of other regions may be left out.
 * Pages are read with `PageNumber` until `TotalRecordCount` jobs arrived; if DTS ignores `PageNumber`
 * (the docs name no paging parameter), the jobs still missing are asked for again by id.
 */
export async function describeStatusList(
  dts: DtsClient,
  regionId: string,
  jobIds: string[],
  checkpoints?: CheckpointBoard,
  /** Counts the calls made (pages), for the watcher's pace. */
  calls?: { count: number },
): Promise<StatusBoard> {
  const board: StatusBoard = {};
  if (jobIds.length === 0) return board;
  let ids = jobIds;
  let pageNumber = 1;
  for (let call = 0; call < MAX_PAGES; call++) {
    const body = await dts.call('DescribeSynchronizationJobStatusList', {
      RegionId: regionId,
      SynchronizationJobIdListJsonStr: JSON.stringify(ids),
      PageNumber: pageNumber > 1 ? pageNumber : undefined,
    });
    if (calls) calls.count += 1;
    const fresh = readPage(body, board, checkpoints);
    // TotalRecordCount counts the jobs of this call's id list that DTS answers for.
    const total = count(body.TotalRecordCount);
    const received = ids.filter((id) => id in board).length;
    if (total === undefined || received >= Math.min(total, ids.length)) break;
    if (fresh > 0) {
      pageNumber += 1;
      continue;
    }
    // This page brought nothing new: ask again for the ids still missing, from page 1.
    const missing = jobIds.filter((id) => !(id in board));
    if (missing.length === 0 || (pageNumber === 1 && missing.length === ids.length)) break;
    ids = missing;
    pageNumber = 1;
  }
  return board;
}

/** Adds one answer's jobs to the board; returns how many were new. */
function readPage(body: Json, board: StatusBoard, checkpoints?: CheckpointBoard): number {
  let fresh = 0;
  const jobs = Array.isArray(body.SynchronizationJobListStatusList)
    ? (body.SynchronizationJobListStatusList as Json[])
    : [];
  for (const job of jobs) {
    const jobId = text(job.SynchronizationJobId);
    if (!jobId) continue;
    const directions = Array.isArray(job.SynchronizationDirectionInfoList)
      ? (job.SynchronizationDirectionInfoList as Json[])
      : [];
    const entry: Partial<Record<Direction, string>> = {};
    for (const d of directions) {
      const name = normalizeDirection(d.SynchronizationDirection);
      if (name) entry[name] = text(d.Status);
      const checkpoint = count(d.Checkpoint);
      if (name && checkpoints && checkpoint) (checkpoints[jobId] ??= {})[name] = checkpoint;
    }
    if (!(jobId in board)) fresh += 1;
    board[jobId] = entry;
  }
  return fresh;
}

function count(value: unknown): number | undefined {
  const n = typeof value === 'number' ? value : Number.parseInt(text(value), 10);
  return Number.isFinite(n) ? n : undefined;
}
