// Driving the fleet the way the API does: start, watch (visibility only), release.
import type { Client } from '@temporalio/client';
import type { CreateSetupBody } from '../api/schemas';
import type { WaitTuning } from '../core/tuning';
import type { DtsApi } from '../core/types';
import { toSetupRequest } from '../api/setup-request';
import { setupStartOptions } from '../api/setup-start';
import { redisSync } from '../workflows/redis-sync';
import { SETUP_PHASES } from '../core/vocabulary';
import { releaseSignal } from '../core/messages';
import { setupsQuery } from '../core/visibility';
import { SyncPhaseKey } from '../core/search-attributes';

/** Runs `task` over items with at most `limit` in flight. */
export async function inBatches<T, R>(
  items: T[],
  limit: number,
  task: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await task(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return results;
}

/** Starts one setup with the options POST /v1/syncs uses (api/setup-start.ts), without its preflight. */
export async function startSetup(
  client: Client,
  taskQueue: string,
  body: CreateSetupBody,
  tuning?: Partial<WaitTuning>,
  api?: DtsApi,
): Promise<string> {
  const { request, problems } = toSetupRequest(body);
  if (!request) throw new Error(`bad bench request: ${JSON.stringify(problems)}`);
  const options = setupStartOptions(request, taskQueue, tuning, undefined, api);
  await client.workflow.start(redisSync, options);
  return options.workflowId;
}

/** What DELETE /v1/syncs/:id does once it has checked the setup is running. */
export async function releaseSetup(client: Client, workflowId: string): Promise<void> {
  await client.workflow.getHandle(workflowId).signal(releaseSignal);
}

/** Every phase but `release-failed`, which the fleet does not count. */
export const PHASES = SETUP_PHASES.filter((phase) => phase !== 'release-failed');

/** Running setups on this task queue, by SyncPhase, from visibility (no query to any workflow). */
export async function phaseCounts(client: Client, taskQueue: string): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  await Promise.all(
    PHASES.map(async (phase) => {
      const { count } = await client.workflow.count(
        `${setupsQuery(taskQueue)} AND ExecutionStatus = 'Running' AND ${SyncPhaseKey.name} = '${phase}'`,
      );
      if (count > 0) counts[phase] = count;
    }),
  );
  return counts;
}

export async function runningCount(client: Client, taskQueue: string): Promise<number> {
  // Setups only: the status watcher on the same queue runs for ever.
  return (await client.workflow.count(`${setupsQuery(taskQueue)} AND ExecutionStatus = 'Running'`)).count;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
