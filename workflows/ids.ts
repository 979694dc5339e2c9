import type { SyncRequest } from './types';

/**
 * One setup per instance pair at a time: the workflow id is the pair, order-free, so
 * A→B and B→A (or A↔B) cannot be set up concurrently.
 */
export function syncWorkflowId(request: Pick<SyncRequest, 'source' | 'destination'>): string {
  const [a, b] = [endpointKey(request.source), endpointKey(request.destination)].sort();
  return `redis-sync.${a}.${b}`;
}

function endpointKey(endpoint: SyncRequest['source']): string {
  const where = endpoint.instanceId ?? endpoint.ip ?? 'unknown';
  return endpoint.port === undefined ? where : `${where}:${endpoint.port}`;
}

/**
 * The purchase's ClientToken: stable across retries and continue-as-new of one setup
 * (first run id), new for a later setup of the same pair. ASCII, at most 64 characters.
 */
export function purchaseClientToken(firstExecutionRunId: string): string {
  return `rds-${firstExecutionRunId}`.slice(0, 64);
}
