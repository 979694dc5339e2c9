import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET } from '../../emulator/options';
import { ensureTemporalCli } from '../../scripts/temporal-cli';
import { encryptingDataConverter } from '../../common/codec';
import { SEARCH_ATTRIBUTES } from '../../core/search-attributes';
import { CHAOS_PAYLOAD_KEYS, payloadKeysEnv } from './keys';
import { freePort, ManagedProcess, portOpen, tsxCommand } from './processes';

export interface ChaosStackOptions {
  /** Emulator lifecycle speed; 0.2 makes a two-way setup take ~15 s. */
  timeScale: number;
  /** Short, so answers delayed by faults become ambiguous timeouts. */
  dtsTimeoutMs: number;
  dir?: string;
}

/** The three real processes of a deployment, each on its own port, state on disk. */
export interface ChaosStack {
  dir: string;
  temporal: ManagedProcess;
  emulator: ManagedProcess;
  worker: ManagedProcess;
  temporalAddress: string;
  emulatorUrl: string;
  taskQueue: string;
  client(): Client;
  admin<T = unknown>(path: string, body?: unknown, method?: string): Promise<T>;
  close(): Promise<void>;
}

const TASK_QUEUE = 'chaos';
const namespace = 'default';

export async function startChaosStack(options: ChaosStackOptions): Promise<ChaosStack> {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'redis-dts-chaos-'));
  mkdirSync(dir, { recursive: true });
  const cli = ensureTemporalCli();
  if (!cli) throw new Error('the chaos run needs the pinned Temporal CLI (scripts/temporal-cli.ts)');
  const [temporalPort, emulatorPort] = [await freePort(), await freePort()];
  const temporalAddress = `127.0.0.1:${temporalPort}`;
  const emulatorUrl = `http://127.0.0.1:${emulatorPort}`;
  let connection: Connection | undefined;

  const temporal = new ManagedProcess({
    name: 'temporal',
    command: cli,
    args: [
      'server',
      'start-dev',
      '--headless',
      '--ip',
      '127.0.0.1',
      '--port',
      String(temporalPort),
      '--db-filename',
      join(dir, 'temporal.db'),
      '--log-level',
      'error',
      ...SEARCH_ATTRIBUTES.flatMap((key) => ['--search-attribute', `${key.name}=Keyword`]),
    ],
    logFile: join(dir, 'temporal.log'),
    readyTimeoutMs: 60_000,
    ready: async () => {
      if (!(await portOpen(temporalPort))) return false;
      connection ??= await Connection.connect({ address: temporalAddress });
      await connection.workflowService.describeNamespace({ namespace });
      return true;
    },
  });
  const emulator = new ManagedProcess({
    name: 'emulator',
    ...tsxCommand('emulator/main.ts'),
    env: {
      EMULATOR_PORT: String(emulatorPort),
      EMULATOR_STATE_FILE: join(dir, 'emulator-state.json'),
      EMULATOR_TIME_SCALE: String(options.timeScale),
    },
    logFile: join(dir, 'emulator.log'),
    ready: async () => (await fetch(`${emulatorUrl}/__emulator/health`)).ok,
  });
  const worker = new ManagedProcess({
    name: 'worker',
    ...tsxCommand('worker/main.ts'),
    env: {
      TEMPORAL_ADDRESS: temporalAddress,
      TEMPORAL_NAMESPACE: namespace,
      TEMPORAL_TASK_QUEUE: TASK_QUEUE,
      DTS_ENDPOINT: emulatorUrl,
      ALIBABA_CLOUD_ACCESS_KEY_ID: DEFAULT_ACCESS_KEY_ID,
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: DEFAULT_ACCESS_KEY_SECRET,
      DTS_TIMEOUT_MS: String(options.dtsTimeoutMs),
      DTS_MAX_CALLS_PER_SECOND: '50',
      PAYLOAD_KEYS: payloadKeysEnv(),
      WORKER_METRICS_PORT: '0',
      LOG_LEVEL: 'warn',
    },
    logFile: join(dir, 'worker.log'),
    readyLine: /worker: polling/,
    // Bundling the workflows on a busy 2-core machine takes a while.
    readyTimeoutMs: 120_000,
  });

  // Server and emulator first, in parallel; the worker needs both addresses to answer.
  await Promise.all([temporal.start(), emulator.start()]);
  await worker.start();
  const client = new Client({
    connection: connection!,
    namespace,
    dataConverter: encryptingDataConverter(CHAOS_PAYLOAD_KEYS),
  });

  return {
    dir,
    temporal,
    emulator,
    worker,
    temporalAddress,
    emulatorUrl,
    taskQueue: TASK_QUEUE,
    client: () => client,
    async admin<T>(path: string, body?: unknown, method?: string): Promise<T> {
      const init: RequestInit =
        body === undefined
          ? { method: method ?? 'GET' }
          : { method: method ?? 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
      const res = await fetch(`${emulatorUrl}/__emulator/${path}`, { ...init, signal: AbortSignal.timeout(10_000) });
      if (!res.ok) throw new Error(`emulator admin ${path}: ${res.status} ${await res.text()}`);
      return (await res.json()) as T;
    },
    async close() {
      // Worker first, so nothing calls a server that is going away.
      await worker.stop('SIGTERM', 5_000);
      await Promise.all([emulator.stop('SIGTERM', 5_000), temporal.stop('SIGTERM', 5_000)]);
      await connection?.close().catch(() => {});
      for (const p of [worker, emulator, temporal]) p.close();
    },
  };
}
