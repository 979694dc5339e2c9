// A short workflow that reads what the preflight needs on the worker (which holds the cloud credentials)
// and answers the report. Nothing is bought; the API runs it before every purchase.
import { ActivityFailure, patched, proxyActivities, proxyLocalActivities, workflowInfo } from '@temporalio/workflow';
import type { PreflightActivities } from '../activities/preflight';
import {
  evaluatePreflight,
  type PreflightFacts,
  type PreflightInput,
  type PreflightReport,
  type Read,
  type ReadError,
} from '../core/preflight-checks';
import { dtsTaskQueue, preflightTaskQueue, rkvstoreTaskQueue, setupsTaskQueue } from '../core/ids';
import { ANSWER_CALL, ANSWER_LOCAL_CALL } from '../core/timing';

export type { PreflightInput, PreflightReport } from '../core/preflight-checks';

/**
 * R-KVStore reads on their own queue and budget, not behind DTS calls. A preflight lives 15 s at most, but one
 * started before this replays on its old queue.
 */
export const PREFLIGHT_RKVSTORE_QUEUE_PATCH = 'preflight-rkvstore-queue-v1';

/**
 * DTS's jobs read by the pair's instances when both are cloud instances (a few calls, not one per 30 jobs of the
 * region), and the look at our own setups on the workflows' queue, not behind the DTS queue's rate limit.
 */
export const PREFLIGHT_PAIR_READS_PATCH = 'preflight-pair-reads-v1';

/**
 * DTS's jobs and our own setups read on the preflight's own queue (core/ids.ts preflightTaskQueue), DTS's calls in
 * the limiter's answer lane, the source read from R-KVStore with one call instead of three: a person waits on them, so they no longer wait FIFO behind the setups' DTS activities
 * (and that queue's rate limit) nor behind their status reads and purchases in the limiter. The workflow itself may
 * run on that queue too (the API's choice); a run started before this keeps its queues.
 */
export const PREFLIGHT_OWN_QUEUE_PATCH = 'preflight-own-queue-v1';

/**
 * The reads as local activities, run by the worker that runs the workflow task (the preflight's own, or the
 * setups' when the API fell back to that queue; both register them, worker/workers.ts): one workflow task instead
 * of four activities each through the server and back, so a POST waits for fewer hops on a busy server. The
 * limiters are the same (DTS's answer lane, R-KVStore's budget); a run started before this keeps its activities.
 */
export const PREFLIGHT_LOCAL_READS_PATCH = 'preflight-local-reads-v1';

/** The reads (in-process since patch preflight-local-reads-v1, else on their task queues), then the pure rules. */
export async function preflight(input: PreflightInput): Promise<PreflightReport> {
  if (patched(PREFLIGHT_LOCAL_READS_PATCH)) {
    const local = proxyLocalActivities<PreflightActivities>(ANSWER_LOCAL_CALL);
    return readAndEvaluate(input, {
      instances: () => local,
      dts: local,
      own: local,
      sourceAttributeOnly: true,
      byPair: true,
    });
  }
  const ownQueue = patched(PREFLIGHT_OWN_QUEUE_PATCH);
  // Before the patch the workflow ran on the setups' queue only.
  const setups = ownQueue ? setupsTaskQueue(workflowInfo().taskQueue) : workflowInfo().taskQueue;
  const reads = proxyActivities<PreflightActivities>({
    ...ANSWER_CALL,
    taskQueue: ownQueue ? preflightTaskQueue(setups) : dtsTaskQueue(setups),
  });
  const rkvstoreReads = proxyActivities<PreflightActivities>({
    ...ANSWER_CALL,
    taskQueue: rkvstoreTaskQueue(setups),
  });
  const pairReads = patched(PREFLIGHT_PAIR_READS_PATCH);
  return readAndEvaluate(input, {
    // Asked as the first instance is read, as it always was: the order of a run's commands is its history.
    instances: () => (patched(PREFLIGHT_RKVSTORE_QUEUE_PATCH) ? rkvstoreReads : reads),
    dts: reads,
    own: ownQueue ? reads : pairReads ? proxyActivities<PreflightActivities>({ ...ANSWER_CALL }) : reads,
    sourceAttributeOnly: ownQueue,
    byPair: pairReads,
  });
}

/** Where each read runs, and how much it reads: what the patches changed. */
interface Lanes {
  instances: () => PreflightActivities;
  dts: PreflightActivities;
  own: PreflightActivities;
  /** Only the destination's eviction policy and direct connection are checked: a source costs one read. */
  sourceAttributeOnly: boolean;
  /** DTS's jobs read by the pair's instances when both are cloud instances, not every job of the region. */
  byPair: boolean;
}

/** The four reads together, then the pure rules. */
async function readAndEvaluate(input: PreflightInput, lanes: Lanes): Promise<PreflightReport> {
  const cloud = (e: PreflightInput['source']) => (e.kind === 'enterprise' || e.kind === 'community') && e.instanceId;
  const describe = async (e: PreflightInput['source'], side: 'source' | 'destination') => {
    if (!cloud(e)) return undefined;
    return lanes
      .instances()
      .preflightDescribeInstance({
        instanceId: e.instanceId as string,
        regionId: e.region,
        ...(lanes.sourceAttributeOnly && side === 'source' ? { attributeOnly: true } : {}),
      })
      .catch((err): PreflightFacts['source'] => failed(err, 'R-KVStore', 'DescribeInstanceAttribute'));
  };
  const ids = [input.source, input.destination].map((e) => e.instanceId ?? `${e.ip}:${e.port}`);
  const [source, destination, dtsDirections, ownDirections] = await Promise.all([
    describe(input.source, 'source'),
    describe(input.destination, 'destination'),
    lanes.dts
      .preflightListDtsDirections({
        ...(input.api ? { api: input.api } : {}),
        regionIds: [input.region, input.source.region, input.destination.region],
        instanceIds: ids,
        ...(lanes.byPair && cloud(input.source) && cloud(input.destination) ? { byInstance: true } : {}),
      })
      .catch((err) => failed(err, 'DTS', input.api === 'dtsjob' ? 'DescribeDtsJobs' : 'DescribeSynchronizationJobs')),
    lanes.own.preflightListOwnDirections({ instanceIds: ids }),
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
