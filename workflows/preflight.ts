// A short workflow that reads what the preflight needs on the worker (which holds the cloud credentials)
// and answers the report. Nothing is bought; the API runs it before every purchase.
import { ActivityFailure, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { PreflightActivities } from '../activities/preflight';
import {
  evaluatePreflight,
  type PreflightFacts,
  type PreflightInput,
  type PreflightReport,
  type Read,
  type ReadError,
} from '../core/preflight-checks';
import { dtsTaskQueue } from '../core/ids';
import { ANSWER_CALL } from '../core/timing';

export type { PreflightInput, PreflightReport } from '../core/preflight-checks';

/** Reads on the DTS task queue (rate-limited like every cloud call), then the pure rules. */
export async function preflight(input: PreflightInput): Promise<PreflightReport> {
  const reads = proxyActivities<PreflightActivities>({
    taskQueue: dtsTaskQueue(workflowInfo().taskQueue),
    ...ANSWER_CALL,
  });
  const cloud = (e: PreflightInput['source']) => (e.kind === 'enterprise' || e.kind === 'community') && e.instanceId;
  const describe = async (e: PreflightInput['source']): Promise<PreflightFacts['source']> => {
    if (!cloud(e)) return undefined;
    return reads
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
