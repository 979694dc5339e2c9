import type { WorkflowStartOptions } from '@temporalio/client';
import type { redisSync } from '../workflows/redis-sync';
import {
  DestinationInstanceIdKey,
  SourceInstanceIdKey,
  SyncNameKey,
  SyncPhaseKey,
  SyncRegionKey,
  SyncTagsKey,
  SyncTopologyKey,
} from '../core/search-attributes';
import type { WaitTuning } from '../core/tuning';
import type { DtsApi } from '../core/types';
import { summarizeEndpoint, type EndpointSummary, type RedisEndpoint, type SetupRequest } from '../core/types';
import { setupWorkflowId } from '../core/ids';

/** A request without its passwords: kept in the workflow memo to compare later requests and describe closed setups. */
export type PublicRequest = Omit<SetupRequest, 'source' | 'destination'> & {
  source: EndpointSummary;
  destination: EndpointSummary;
};

export const REQUEST_MEMO = 'request';

export function publicRequest(request: SetupRequest): PublicRequest {
  return { ...request, source: summarizeEndpoint(request.source), destination: summarizeEndpoint(request.destination) };
}

/** How every setup is started (the API, and the chaos run that stands in for it). */
export function setupStartOptions(
  request: SetupRequest,
  taskQueue: string,
  tuning?: Partial<WaitTuning>,
  tags: readonly string[] = [],
  /** The DTS API family the setup speaks (DTS_API); absent: the legacy one. */
  api?: DtsApi,
): WorkflowStartOptions<typeof redisSync> {
  const arrow = request.topology === 'bidirectional' ? '↔' : '→';
  const databases = request.databases.map((d) => `${d.from}→${d.to}`).join(', ');
  const where = (e: RedisEndpoint) => e.instanceId ?? `${e.ip}:${e.port}`;
  return {
    workflowId: setupWorkflowId(request),
    taskQueue,
    args: [{ request, ...(tuning ? { tuning } : {}), ...(api ? { api } : {}) }],
    // One live setup per pair; a finished (released, failed) one may be set up again.
    workflowIdReusePolicy: 'ALLOW_DUPLICATE',
    workflowIdConflictPolicy: 'FAIL',
    memo: { [REQUEST_MEMO]: publicRequest(request) },
    staticSummary:
      `${where(request.source)} ${arrow} ${where(request.destination)} · ${request.name}` +
      (request.adopt ? ` · adopts ${request.adopt.dtsJobId}` : ''),
    staticDetails:
      `Redis ${request.topology} DTS sync in ${request.region}, ${request.jobClass}, ${request.payType}, ` +
      `databases ${databases}`,
    typedSearchAttributes: [
      { key: SyncPhaseKey, value: request.adopt ? 'adopting' : 'purchasing' },
      { key: SyncTopologyKey, value: request.topology },
      { key: SourceInstanceIdKey, value: where(request.source) },
      { key: DestinationInstanceIdKey, value: where(request.destination) },
      { key: SyncNameKey, value: request.name },
      { key: SyncRegionKey, value: request.region },
      // Labels for the fleet view only: the workflow never reads them, so they stay out of its request.
      ...(tags.length > 0 ? [{ key: SyncTagsKey, value: [...tags] }] : []),
    ],
  };
}
