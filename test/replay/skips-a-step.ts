// A deliberately wrong `redisSync` for test/replay/replay.int.test.ts: it buys the instance without
// first announcing the purchasing phase (the search-attribute upsert the real workflow records).
// Replaying a recorded history against it must fail: proof that the replay test would catch an
// incompatible change.
import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import { dtsTaskQueue, purchaseClientToken } from '../../core/ids';
import type { RedisSyncInput } from '../../workflows/redis-sync';

export async function redisSync({ request }: RedisSyncInput): Promise<void> {
  const info = workflowInfo();
  const dts = proxyActivities<Activities>({ startToCloseTimeout: '30s', taskQueue: dtsTaskQueue(info.taskQueue) });
  await dts.purchaseInstance({
    clientToken: purchaseClientToken(info.firstExecutionRunId),
    regionId: request.region,
    sourceRegion: request.source.region,
    destinationRegion: request.destination.region,
    topology: request.topology,
    jobClass: request.jobClass,
    payType: request.payType,
  });
}
