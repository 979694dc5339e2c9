import { defineQuery, defineSignal, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { WatchInput } from '../activities/watch-statuses';
import { dtsTaskQueue } from './ids';

export function statusWatcherId(taskQueue: string): string {
  return `dts-status-watcher.${taskQueue}`;
}

/** A DTS instance of the account that no setup owns (neither claimed nor any setup's DtsJobId). */
export interface UnclaimedInstance {
  dtsJobId: string;
  regionId: string;
  name: string;
  jobClass: string;
  payType: string;
  createdAt: string;
}

/** The watch activity's latest sweep; sent only when the list changes. */
export const unclaimedInstancesSignal = defineSignal<[UnclaimedInstance[]]>('unclaimedInstances');
/** What the API lists at GET /v1/instances/unclaimed. */
export const unclaimedInstancesQuery = defineQuery<{ instances: UnclaimedInstance[]; checkedAt?: string }>(
  'unclaimedInstances',
);

/**
 * One per task queue: keeps the batched DTS status watch running somewhere in the fleet.
 * The activity runs until cancelled; a lost worker's heartbeat times out and Temporal
 * starts it on another worker. Retries add no history, so this history stays tiny.
 * It also holds the report of unclaimed instances (handlers only: no new commands for running watchers).
 */
export async function dtsStatusWatcher(input: WatchInput): Promise<void> {
  let unclaimed: UnclaimedInstance[] = [];
  let checkedAt: string | undefined;
  setHandler(unclaimedInstancesSignal, (instances) => {
    unclaimed = Array.isArray(instances) ? instances : [];
    checkedAt = new Date().toISOString();
  });
  setHandler(unclaimedInstancesQuery, () => ({ instances: unclaimed, ...(checkedAt ? { checkedAt } : {}) }));
  const { watchDtsStatuses } = proxyActivities<Activities>({
    taskQueue: dtsTaskQueue(workflowInfo().taskQueue),
    summary: 'Watch DTS statuses in batches (DescribeSynchronizationJobStatusList)',
    startToCloseTimeout: '3650d',
    heartbeatTimeout: '30s',
    retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s' },
  });
  await watchDtsStatuses(input);
}
