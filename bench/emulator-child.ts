// The DTS emulator in a process of its own (`--emulator child`): in the bench process its event
// loop competes with the bench's own work, and a stalled emulator shows up as DTS bursts and timeouts.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { startEmulator } from '../emulator';

async function main(): Promise<void> {
  const lag = monitorEventLoopDelay({ resolution: 20 });
  lag.enable();
  const emulator = await startEmulator({
    port: 0,
    timeScale: Number(process.env.BENCH_TIME_SCALE ?? 1),
    log: () => {},
  });
  process.send?.({ url: emulator.url });
  process.on('message', (message: { report?: boolean }) => {
    if (message?.report) process.send?.({ lagMaxMs: lag.max / 1e6, lagP99Ms: lag.percentile(99) / 1e6 });
  });
  process.once('SIGTERM', () => void emulator.close().then(() => process.exit(0)));
}

void main();
