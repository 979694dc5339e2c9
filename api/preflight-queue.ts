// Where the API starts a preflight: on its own queue (core/ids.ts preflightTaskQueue) when a worker polls it, so
// its workflow tasks do not wait behind the setups'; otherwise on the setups' queue, which every worker version
// polls: during a rolling upgrade an API of this version in front of older workers still gets its answer.
import type { Client } from '@temporalio/client';
import { temporal as proto } from '@temporalio/proto';
import { preflightTaskQueue } from '../core/ids';

/** How long one look at the preflight queue's pollers is used: one describe per API process every few seconds. */
export const PREFLIGHT_QUEUE_CHECK_MS = 5_000;

/**
 * A poller seen this recently is alive: a worker's long poll is renewed at least every minute, so one idle for
 * longer has gone (the server lists pollers for minutes after they stop).
 */
export const POLLER_ALIVE_MS = 90_000;

interface Choice {
  queue: string;
  atMs: number;
}

const choices = new WeakMap<Client, Map<string, Promise<Choice>>>();

/** The queue to start a preflight on: its own when a worker polls it, else the setups' queue. */
export async function preflightQueueFor(
  client: Client,
  namespace: string,
  taskQueue: string,
  nowMs = Date.now(),
): Promise<string> {
  const byQueue = choices.get(client) ?? new Map<string, Promise<Choice>>();
  choices.set(client, byQueue);
  const cached = byQueue.get(taskQueue);
  if (cached) {
    const choice = await cached;
    if (nowMs - choice.atMs < PREFLIGHT_QUEUE_CHECK_MS) return choice.queue;
    // Another request may have renewed it meanwhile.
    if (byQueue.get(taskQueue) !== cached) return (await byQueue.get(taskQueue)!).queue;
  }
  const look = lookAt(client, namespace, taskQueue, nowMs);
  byQueue.set(taskQueue, look);
  return (await look).queue;
}

async function lookAt(client: Client, namespace: string, taskQueue: string, nowMs: number): Promise<Choice> {
  const own = preflightTaskQueue(taskQueue);
  try {
    const { pollers } = await client.workflowService.describeTaskQueue({
      namespace,
      taskQueue: { name: own },
      taskQueueType: proto.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
    });
    const alive = (pollers ?? []).some((p) => nowMs - Number(p.lastAccessTime?.seconds ?? 0) * 1000 < POLLER_ALIVE_MS);
    return { queue: alive ? own : taskQueue, atMs: nowMs };
  } catch {
    // Not known: the setups' queue always has a worker of some version.
    return { queue: taskQueue, atMs: nowMs };
  }
}
