// A short workflow that reads what the preflight needs on the worker (which holds the cloud credentials)
// and answers the report. Nothing is bought; the API runs it before every purchase.
import { ActivityFailure, patched, proxyActivities, workflowInfo, type ActivityOptions } from '@temporalio/workflow';
import type { PreflightActivities } from '../activities/preflight';
import {
  evaluatePreflight,
  type PreflightFacts,
  type PreflightInput,
  type PreflightReport,
  type Read,
  type ReadError,
} from '../core/preflight-checks';
import { dtsTaskQueue, rkvstoreTaskQueue } from '../core/ids';

export type { PreflightInput, PreflightReport } from '../core/preflight-checks';

/**
 * R-KVStore reads on their own queue and budget, not behind DTS calls. A preflight lives 15 s at most, but one
 * started before this replays on its old queue.
 */
export const PREFLIGHT_RKVSTORE_QUEUE_PATCH = 'preflight-rkvstore-queue-v1';

/** DTS reads on the DTS task queue, R-KVStore reads on theirs (each rate-limited), then the pure rules. */
export async function preflight(input: PreflightInput): Promise<PreflightReport> {
  const options: ActivityOptions = {
    startToCloseTimeout: '10s',
    // A preflight answers an HTTP request: retry transient errors briefly, then report them.
    scheduleToCloseTimeout: '20s',
    retry: { initialInterval: '200ms', maximumInterval: '2s' },
  };
  const reads = proxyActivities<PreflightActivities>({ ...options, taskQueue: dtsTaskQueue(workflowInfo().taskQueue) });
  const rkvstoreReads = proxyActivities<PreflightActivities>({
    ...options,
    taskQueue: rkvstoreTaskQueue(workflowInfo().taskQueue),
  });
  const cloud = (e: PreflightInput['source']) => (e.kind === 'enterprise' || e.kind === 'community') && e.instanceId;
  const describe = async (e: PreflightInput['source']): Promise<PreflightFacts['source']> => {
    if (!cloud(e)) return undefined;
    return (patched(PREFLIGHT_RKVSTORE_QUEUE_PATCH) ? rkvstoreReads : reads)
      .preflightDescribeInstance({ instanceId: e.instanceId as string, regionId: e.region })
      .catch((err) => failed(err, 'R-KVStore', 'DescribeInstanceAttribute'));
  };
  const ids = [input.source, input.destination].map((e) => e.instanceId ?? `${e.ip}:${e.port}`);
  const [source, destination, dtsDirections, ownDirections] = await Promise.all([
    describe(input.source),
    describe(input.destination),
    reads
      .preflightListDtsDirections({
        ...(input.api ? { api: input.api } : {}),
        regionIds: [input.region, input.source.region, input.destination.region],
        instanceIds: ids,
      })
      .catch((err) => failed(err, 'DTS', input.api === 'dtsjob' ? 'DescribeDtsJobs' : 'DescribeSynchronizationJobs')),
    reads.preflightListOwnDirections({ instanceIds: ids }),
  ]);
  return evaluatePreflight(input, { source, destination, dtsDirections, ownDirections });
}

function failed(err: unknown, api: ReadError['api'], action: string): Read<never> {
  if (!(err instanceof ActivityFailure)) throw err;
  const cause = err.cause as { type?: string; message?: string } | undefined;
  return {
    ok: false,
    error: { api, action, type: cause?.type ?? 'unavailable', message: cause?.message ?? 'no answer in time' },
  };
}
