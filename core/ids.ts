import type { SetupRequest } from './types';

/**
 * One setup per instance pair at a time: the workflow id is the pair, order-free, so
 * A→B and B→A (or A↔B) cannot be set up concurrently. Computed only at start: a running
 * setup keeps the id it was started with.
 */
export function setupWorkflowId(request: Pick<SetupRequest, 'source' | 'destination'>): string {
  const [a, b] = [endpointKey(request.source), endpointKey(request.destination)].sort();
  return `redis-sync.${a}.${b}`;
}

type Endpoint = SetupRequest['source'] & { vpcId?: string };

function endpointKey(endpoint: Endpoint): string {
  if (endpoint.instanceId !== undefined)
    return endpoint.port === undefined ? endpoint.instanceId : `${endpoint.instanceId}:${endpoint.port}`;
  // A private IP is unique only within its network: 10.0.0.5 exists in many VPCs and regions.
  const network = endpoint.vpcId ? `_${endpoint.vpcId}` : '';
  return `${endpoint.region}${network}_${endpoint.ip ?? 'unknown'}:${endpoint.port ?? 'none'}`;
}

/**
 * The purchase's ClientToken: stable across retries and continue-as-new of one setup
 * (first run id), new for a later setup of the same pair. ASCII, at most 64 characters.
 */
export function purchaseClientToken(firstExecutionRunId: string): string {
  return `rds-${firstExecutionRunId}`.slice(0, 64);
}

/** The task queue of a setup's DTS calls: the worker that holds the DTS rate limit listens there. */
export function dtsTaskQueue(taskQueue: string): string {
  return `${taskQueue}.dts`;
}

/**
 * The preflight's R-KVStore reads: another product with its own quota, so they have their own budget
 * (RKVSTORE_MAX_CALLS_PER_SECOND) and queue instead of waiting behind DTS calls.
 */
export function rkvstoreTaskQueue(taskQueue: string): string {
  return `${taskQueue}.rkvstore`;
}

/**
 * A POST's preflight (workflow tasks and its DTS and visibility reads): a person waits on it, so it has its own
 * queue and worker slots instead of waiting behind the setups' workflow tasks and DTS activities.
 */
export function preflightTaskQueue(taskQueue: string): string {
  return `${taskQueue}${PREFLIGHT_QUEUE_SUFFIX}`;
}

const PREFLIGHT_QUEUE_SUFFIX = '.preflight';

/** The setups' queue of a workflow running on it or on its preflight queue. */
export function setupsTaskQueue(taskQueue: string): string {
  return taskQueue.endsWith(PREFLIGHT_QUEUE_SUFFIX) ? taskQueue.slice(0, -PREFLIGHT_QUEUE_SUFFIX.length) : taskQueue;
}

/** Canaries: one long-running activity per setup, mostly asleep. */
export function canaryTaskQueue(taskQueue: string): string {
  return `${taskQueue}.canary`;
}

/** Data verifications (long, heartbeating Redis reads) have their own queue and concurrency cap. */
export function verifyTaskQueue(taskQueue: string): string {
  return `${taskQueue}.verify`;
}
