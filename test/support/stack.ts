import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { inject } from 'vitest';
import { startEmulator } from '../../emulator';
import type { EmulatorOptions } from '../../emulator/options';
import { DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET } from '../../emulator/options';
import { AesGcmPayloadCodec, encryptingDataConverter, type PayloadKeys } from '../../common/codec';
import type { WorkerConfig } from '../../worker/config';
import { TEST_PAYLOAD_KEY_BYTES, TEST_TOKEN_VALUE } from './secret-scan';
import { freePort } from './ports';
import { dtsCallMetrics } from '../../worker/metrics';
import { statusWatcherId } from '../../core/watcher';
import { createWorkers, type Workers } from '../../worker/workers';

let metricsUrl: string | undefined;
/** Once per test process, like worker/main.ts: quiet logs, Prometheus metrics on a free port. */
async function installRuntime(): Promise<string> {
  if (metricsUrl) return metricsUrl;
  const port = await freePort();
  Runtime.install({
    logger: new DefaultLogger('ERROR'),
    telemetryOptions: { metrics: { prometheus: { bindAddress: `127.0.0.1:${port}` } } },
  });
  metricsUrl = `http://127.0.0.1:${port}/metrics`;
  return metricsUrl;
}

/** Test-only key material, made per run: never a real secret. */
export const TEST_PAYLOAD_KEYS: PayloadKeys = {
  currentKeyId: 'test-key',
  keys: new Map([['test-key', TEST_PAYLOAD_KEY_BYTES]]),
};
export const TEST_TOKEN = TEST_TOKEN_VALUE;

export interface Stack {
  emulatorUrl: string;
  /** The worker runtime's Prometheus endpoint. */
  workerMetricsUrl: string;
  client: Client;
  codec: AesGcmPayloadCodec;
  taskQueue: string;
  namespace: string;
  workerConfig: WorkerConfig;
  /** Starts (again) a worker process equivalent in this process. */
  startWorker(): Promise<void>;
  stopWorker(): Promise<void>;
  admin<T = unknown>(path: string, body?: unknown): Promise<T>;
  stop(): Promise<void>;
}

/**
 * The real pieces for one test file: the run's Temporal server, an emulator over real HTTP,
 * the production workers on a task queue of their own, and a client.
 */
export async function startStack(
  options: { emulator?: EmulatorOptions; worker?: Partial<WorkerConfig> } = {},
): Promise<Stack> {
  const address = inject('temporalAddress');
  const workerMetricsUrl = await installRuntime();
  const emulator = await startEmulator({
    port: 0,
    timeScale: 0.02,
    log: () => {},
    instancesFile: join(__dirname, '../../emulator/demo-instances.json'),
    ...options.emulator,
  });
  const namespace = 'default';
  const taskQueue = `test-${randomUUID()}`;
  const workerConfig: WorkerConfig = {
    temporal: { address, namespace, taskQueue, connection: { address } },
    dts: {
      endpoint: emulator.url,
      apiVersion: '2020-01-01',
      accessKeyId: DEFAULT_ACCESS_KEY_ID,
      accessKeySecret: DEFAULT_ACCESS_KEY_SECRET,
      timeoutMs: 2_000,
    },
    dtsMaxCallsPerSecond: 200,
    dtsWorkers: 1,
    statusWatchIntervalMs: 300,
    statusBatchSize: 50,
    maxConcurrentDtsCalls: 50,
    maxCachedWorkflows: 100,
    metricsPort: 0,
    metricsHost: '127.0.0.1',
    logLevel: 'WARN',
    payloadKeys: TEST_PAYLOAD_KEYS,
    dtsApi: 'synchronizationjob',
    ...options.worker,
  };
  const connection = await Connection.connect({ address });
  const client = new Client({
    connection,
    namespace,
    dataConverter: encryptingDataConverter(workerConfig.payloadKeys),
  });
  let worker: { workers: Workers; running: Promise<void>; connection: NativeConnection } | undefined;

  const stack: Stack = {
    emulatorUrl: emulator.url,
    workerMetricsUrl,
    client,
    codec: new AesGcmPayloadCodec(workerConfig.payloadKeys),
    taskQueue,
    namespace,
    workerConfig,
    async startWorker() {
      const nativeConnection = await NativeConnection.connect({ address });
      const workers = await createWorkers(workerConfig, {
        connection: nativeConnection,
        client,
        workflowBundle: { codePath: inject('workflowBundlePath') },
        observeDtsCall: dtsCallMetrics(),
      });
      worker = { workers, running: workers.run(), connection: nativeConnection };
    },
    async stopWorker() {
      if (!worker) return;
      worker.workers.shutdown();
      await worker.running;
      await worker.connection.close();
      worker = undefined;
    },
    async admin<T>(path: string, body?: unknown): Promise<T> {
      const res = await fetch(
        `${emulator.url}/__emulator/${path}`,
        body === undefined
          ? {}
          : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) },
      );
      if (!res.ok) throw new Error(`emulator admin ${path}: ${res.status} ${await res.text()}`);
      return (await res.json()) as T;
    },
    async stop() {
      await client.workflow
        .getHandle(statusWatcherId(taskQueue))
        .terminate('test stack stopped')
        .catch(() => undefined);
      await stack.stopWorker();
      await connection.close();
      await emulator.close();
    },
  };
  await stack.startWorker();
  return stack;
}

export { eventually } from './eventually';
export { tairInstance } from './requests';
