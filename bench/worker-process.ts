// Runs the production worker entry (worker/main.ts) as a child process, so its RSS, heap and CPU
// are measured apart from the bench, the emulator and the client. By default it runs as the image
// runs it: compiled by scripts/build.ts, with the workflow bundle built ahead.
import { fork, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { dirname, join } from 'node:path';
import { buildWorker } from '../scripts/build';
import { DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET } from '../emulator';
import { payloadKeysEnv } from './keys';

export interface WorkerSample {
  at: number;
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  cpuMs: number;
}

export interface WorkerProcess {
  pid: number;
  samples: WorkerSample[];
  /** When each DTS request left the worker (its bytes handed to the OS), by bench/probe.mjs. */
  sentAtMs: number[];
  stop(): Promise<void>;
}

export interface WorkerProcessOptions {
  temporalAddress: string;
  taskQueue: string;
  dtsEndpoint: string;
  dtsMaxCallsPerSecond: number;
  logFile: string;
  /**
   * How the worker runs: `js` as the image runs it (scripts/build.ts: compiled, the workflow bundle built ahead
   * next to it), `tsx` from the TypeScript, bundling the workflows at start.
   */
  runtime?: WorkerRuntime;
  /** More environment for the worker (settings under test). */
  env?: Record<string, string>;
}

export type WorkerRuntime = 'js' | 'tsx';
export const WORKER_RUNTIMES: WorkerRuntime[] = ['js', 'tsx'];

export async function startWorkerProcess(options: WorkerProcessOptions): Promise<WorkerProcess> {
  const root = join(__dirname, '..');
  const runtime = options.runtime ?? 'js';
  // Built into the output directory, not dist/, which a worker started from this checkout would pick up.
  const built = runtime === 'js' ? await buildWorker(join(dirname(options.logFile), 'build')) : undefined;
  const log = createWriteStream(options.logFile);
  const child: ChildProcess = fork(built?.entry ?? join(root, 'worker/main.ts'), [], {
    cwd: root,
    execArgv: [...(runtime === 'js' ? [] : ['--import', 'tsx']), '--import', join(__dirname, 'probe.mjs')],
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    env: {
      ...process.env,
      TEMPORAL_ADDRESS: options.temporalAddress,
      TEMPORAL_NAMESPACE: 'default',
      TEMPORAL_TASK_QUEUE: options.taskQueue,
      DTS_ENDPOINT: options.dtsEndpoint,
      ALIBABA_CLOUD_ACCESS_KEY_ID: DEFAULT_ACCESS_KEY_ID,
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: DEFAULT_ACCESS_KEY_SECRET,
      DTS_MAX_CALLS_PER_SECOND: String(options.dtsMaxCallsPerSecond),
      PAYLOAD_KEYS: payloadKeysEnv(),
      // No Prometheus port (it could clash with other runs on this machine); quiet log.
      WORKER_METRICS_PORT: '0',
      LOG_LEVEL: 'warn',
      // The build sits in --out, which may be outside the project: its imports resolve from here.
      ...(built ? { NODE_PATH: join(root, 'node_modules') } : {}),
      ...options.env,
    },
  });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  const samples: WorkerSample[] = [];
  const sentAtMs: number[] = [];
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.on('message', (message: unknown) => {
    const m = message as WorkerSample & { probe?: boolean; sentAt?: number[] };
    if (m?.probe) sentAtMs.push(...(m.sentAt ?? []));
    if (m?.probe)
      samples.push({
        at: m.at,
        rss: m.rss,
        heapUsed: m.heapUsed,
        heapTotal: m.heapTotal,
        external: m.external,
        cpuMs: m.cpuMs,
      });
  });
  // worker/main.ts prints one line once both workers poll.
  await new Promise<void>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('worker: polling')) resolve();
    });
    child.once('exit', (code) =>
      reject(new Error(`worker exited with ${code} before polling; see ${options.logFile}`)),
    );
  });
  return {
    pid: child.pid!,
    samples,
    sentAtMs,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
      log.end();
    },
  };
}
