import { randomUUID } from 'node:crypto';
import { Client, Connection, type WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { afterAll, beforeAll, inject } from 'vitest';
import { encryptingDataConverter } from '../../common/codec';
import { dtsTaskQueue } from '../../core/ids';
import { redisSync, type RedisSyncInput } from '../../workflows/redis-sync';
import type { SetupPhase, SetupRequest, SetupStatus } from '../../core/types';
import { FAST, syncRequest } from '../support/requests';
import { untilPhase as untilSetupPhase, untilStatus } from '../support/setup-status';
import { TEST_PAYLOAD_KEYS } from '../support/stack';
import type { FakeDts } from './fake-dts';

// The real workflow bundle on the run's real Temporal server, with an in-memory DTS (fake-dts.ts)
// behind the real activity names. Call useFakeSetups() once at the top of a test file.

export type Handle = WorkflowHandleWithFirstExecutionRunId<typeof redisSync>;

const dataConverter = encryptingDataConverter(TEST_PAYLOAD_KEYS);
let client: Client;
let nativeConnection: NativeConnection;

export function useFakeSetups(): void {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  beforeAll(async () => {
    const address = inject('temporalAddress');
    client = new Client({ connection: await Connection.connect({ address }), dataConverter });
    nativeConnection = await NativeConnection.connect({ address });
  });
  afterAll(async () => {
    await nativeConnection?.close();
  });
}

/** The client useFakeSetups() connected, for a test that addresses a setup by its workflow id. */
export const fakeSetupClient = (): Client => client;

/** Runs `body` with workers on a fresh task queue whose DTS is `dts`. */
export async function withSetup(
  dts: FakeDts,
  request: Partial<SetupRequest>,
  body: (handle: Handle) => Promise<void>,
  tuning: Record<string, unknown> = {},
  extraInput: Partial<RedisSyncInput> = {},
): Promise<void> {
  const taskQueue = `fake-setup-${randomUUID()}`;
  const workflows = await Worker.create({
    connection: nativeConnection,
    taskQueue,
    workflowBundle: { codePath: inject('workflowBundlePath') },
    dataConverter,
  });
  const activities = await Worker.create({
    connection: nativeConnection,
    taskQueue: dtsTaskQueue(taskQueue),
    activities: dts.activities(),
    dataConverter,
  });
  const handle = await client.workflow.start(redisSync, {
    workflowId: `fake-setup-${randomUUID()}`,
    taskQueue,
    args: [{ request: syncRequest({ topology: 'oneway', ...request }), tuning: { ...FAST, ...tuning }, ...extraInput }],
  });
  let stopping = false;
  const running = Promise.all([workflows.run(), activities.run()]);
  try {
    await Promise.race([
      running.then(() => {
        if (!stopping) throw new Error('workers stopped');
      }),
      body(handle),
    ]);
  } finally {
    stopping = true;
    await handle.terminate('test over').catch(() => undefined);
    workflows.shutdown();
    activities.shutdown();
    await running;
  }
}

// The in-memory DTS answers at once: a fake setup that has not moved in 20 s is stuck.
const FAKE_TIMEOUT_MS = 20_000;
export const untilPhase = (handle: Handle, phase: SetupPhase, timeoutMs = FAKE_TIMEOUT_MS) =>
  untilSetupPhase(handle, phase, timeoutMs);
/** The status once `test` holds. */
export const until = (
  handle: Handle,
  test: (status: SetupStatus) => boolean,
  what: string,
  timeoutMs = FAKE_TIMEOUT_MS,
) => untilStatus(handle, test, what, timeoutMs);

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
