// Where the bench's emulator runs: in this process (startEmulator) or in a child (emulator-child.ts).
import { fork } from 'node:child_process';
import { join } from 'node:path';
import { startEmulator } from '../emulator';

export interface BenchEmulator {
  url: string;
  /** Worst event-loop stall of the emulator's process, when it runs apart. */
  lag(): Promise<{ lagMaxMs: number; lagP99Ms: number } | undefined>;
  close(): Promise<void>;
}

export async function startBenchEmulator(where: 'child' | 'inline', timeScale: number): Promise<BenchEmulator> {
  if (where === 'inline') {
    const emulator = await startEmulator({ port: 0, timeScale, log: () => {} });
    return { url: emulator.url, lag: async () => undefined, close: () => emulator.close() };
  }
  const child = fork(join(__dirname, 'emulator-child.ts'), [], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, BENCH_TIME_SCALE: String(timeScale) },
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    child.once('message', (m: { url?: string }) =>
      m.url ? resolve(m.url) : reject(new Error('emulator child: no url')),
    );
    child.once('exit', (code) => reject(new Error(`emulator child exited with ${code}`)));
  });
  return {
    url,
    lag: () =>
      new Promise((resolve) => {
        child.once('message', (m: { lagMaxMs: number; lagP99Ms: number }) => resolve(m));
        child.send({ report: true });
      }),
    close: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}
