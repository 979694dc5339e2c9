// Records the histories that test/replay/replay.test.ts replays against the current workflow code.
//
//   npx tsx test/replay/record-histories.ts
//
// Re-record ONLY when a workflow change is meant to be incompatible with running setups (none are
// in production yet, or all were drained). Otherwise a failing replay test means: guard the change
// with patched() instead. Runs its own Temporal dev server, emulator and worker (test/chaos/stack.ts);
// payloads are encrypted with the test key (test/chaos/keys.ts = TEST_PAYLOAD_KEYS).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { historyToJson } from './history-json';
import { syncWorkflowId } from '../../workflows/ids';
import { releaseSignal, retrySignal, statusQuery } from '../../workflows/messages';
import { redisSync } from '../../workflows/redis-sync';
import type { SyncPhase, SyncRequest, Topology } from '../../workflows/types';
import { sleep } from '../chaos/processes';
import { startChaosStack, type ChaosStack } from '../chaos/stack';

const OUT = join(__dirname, '../histories');
const TUNING = { firstPoll: '200ms', maxPoll: '1s', monitorInterval: '1s', restartBackoff: '200ms' };

function request(name: string, topology: Topology): SyncRequest {
  const endpoint = (side: string) => ({ kind: 'enterprise' as const, region: 'cn-hangzhou', instanceId: `r-replay-${name}-${side}`, password: `${name}-${side}-Pa55` });
  return {
    name: `replay-${name}`, topology, region: 'cn-hangzhou', source: endpoint('src'), destination: endpoint('dst'),
    databases: [{ from: 0, to: 0 }], jobClass: 'small', payType: 'PostPaid', keepInstanceOnFailure: false, waitDeadline: '1h', attentionDeadline: '1h',
  };
}

async function register(stack: ChaosStack, req: SyncRequest, destinationPassword = req.destination.password): Promise<void> {
  const entry = (instanceId: string, password: string) => ({ instanceId, password, region: 'cn-hangzhou', edition: 'enterprise' });
  await stack.admin('instances', [entry(req.source.instanceId!, req.source.password), entry(req.destination.instanceId!, destinationPassword)]);
}

async function untilPhase(handle: WorkflowHandle<typeof redisSync>, phase: SyncPhase): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if ((await handle.query(statusQuery).catch(() => undefined))?.phase === phase) return;
    await sleep(200);
  }
  throw new Error(`${handle.workflowId} never reached ${phase}`);
}

type Scenario = (stack: ChaosStack, start: (req: SyncRequest) => Promise<WorkflowHandle<typeof redisSync>>) => Promise<WorkflowHandle<typeof redisSync>>;

/** The plain path: set up, reach synchronizing, tear down. */
async function synchronizedThenReleased(stack: ChaosStack, start: Parameters<Scenario>[1], req: SyncRequest) {
  await register(stack, req);
  const handle = await start(req);
  await untilPhase(handle, 'synchronizing');
  await handle.signal(releaseSignal);
  await handle.result();
  return handle;
}

const SCENARIOS: Record<string, Scenario> = {
  'oneway-released': (stack, start) => synchronizedThenReleased(stack, start, request('oneway', 'oneway')),
  'twoway-released': (stack, start) => synchronizedThenReleased(stack, start, request('twoway', 'bidirectional')),
  'precheck-failed-retried': async (stack, start) => {
    const req = request('precheck', 'oneway');
    await register(stack, req, 'not-the-password');
    const handle = await start(req);
    await untilPhase(handle, 'needs-attention');
    await register(stack, req); // the operator fixes the password
    await handle.signal(retrySignal);
    await untilPhase(handle, 'synchronizing');
    await handle.signal(releaseSignal);
    await handle.result();
    return handle;
  },
  'keeper-restarted-released': async (stack, start) => {
    const req = request('keeper', 'oneway');
    await register(stack, req);
    const handle = await start(req);
    await untilPhase(handle, 'synchronizing');
    // The direction fails after Synchronizing: the keeper restarts it (Start), then we release.
    await stack.admin('faults', { kind: 'fail-later', instanceId: req.source.instanceId, afterMs: 100, message: 'recorded failure' });
    await untilPhase(handle, 'waiting-forward');
    await untilPhase(handle, 'synchronizing');
    await handle.signal(releaseSignal);
    await handle.result();
    return handle;
  },
  'twoway-cancelled': async (stack, start) => {
    const req = request('cancelled', 'bidirectional');
    await register(stack, req);
    const handle = await start(req);
    await untilPhase(handle, 'waiting-forward');
    await handle.cancel();
    await handle.result().catch(() => undefined); // ends cancelled, after releasing the instance
    return handle;
  },
};

async function main(): Promise<void> {
  const stack = await startChaosStack({ timeScale: 0.05, dtsTimeoutMs: 5_000 });
  try {
    const client = stack.client();
    const start = (req: SyncRequest) =>
      client.workflow.start(redisSync, { workflowId: syncWorkflowId(req), taskQueue: stack.taskQueue, args: [{ request: req, tuning: TUNING }] });
    for (const [name, scenario] of Object.entries(SCENARIOS)) {
      const handle = await scenario(stack, start);
      const history = await client.workflow.getHandle(handle.workflowId).fetchHistory();
      writeFileSync(join(OUT, `${name}.json`), `${historyToJson(history)}\n`);
      console.log(`recorded ${name}: ${history.events?.length ?? 0} events`);
    }
  } finally {
    await stack.close();
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
