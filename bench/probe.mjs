// Preloaded into the worker process (node --import): reports its memory and CPU to the bench
// once a second over IPC, so the figures are the worker's alone, not the bench's.
// Plain JS: Node passes --import on to the SDK's workflow thread, where TypeScript is not loaded.
import { isMainThread } from 'node:worker_threads';

if (isMainThread && process.send) {
  const timer = setInterval(() => {
    const memory = process.memoryUsage();
    const cpu = process.cpuUsage();
    process.send?.({
      probe: true,
      at: Date.now(),
      rss: memory.rss,
      heapUsed: memory.heapUsed,
      heapTotal: memory.heapTotal,
      external: memory.external,
      cpuMs: (cpu.user + cpu.system) / 1000,
    });
  }, 1000);
  timer.unref();
}
