import { proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { dtsTaskQueue } from '../core/ids';
import { WATCHER_CALL } from '../core/timing';
import {
  unclaimedInstancesQuery,
  unclaimedInstancesSignal,
  type UnclaimedInstance,
  type WatchInput,
} from '../core/watcher';

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
    ...WATCHER_CALL,
  });
  await watchDtsStatuses(input);
}
