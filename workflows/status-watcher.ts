import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { WatchInput } from '../activities/watch-statuses';
import { DTS_TASK_QUEUE_SUFFIX } from './redis-sync';

export function statusWatcherId(taskQueue: string): string {
  return `dts-status-watcher.${taskQueue}`;
}

/**
 * One per task queue: keeps the batched DTS status watch running somewhere in the fleet.
 * The activity runs until cancelled; a lost worker's heartbeat times out and Temporal
 * starts it on another worker. Retries add no history, so this history stays tiny.
 */
export async function dtsStatusWatcher(input: WatchInput): Promise<void> {
  const { watchDtsStatuses } = proxyActivities<Activities>({
    taskQueue: workflowInfo().taskQueue + DTS_TASK_QUEUE_SUFFIX,
    summary: 'Watch DTS statuses in batches (DescribeSynchronizationJobStatusList)',
    startToCloseTimeout: '3650d',
    heartbeatTimeout: '30s',
    retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s' },
  });
  await watchDtsStatuses(input);
}
