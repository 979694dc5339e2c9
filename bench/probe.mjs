// Preloaded into the worker process (node --import): reports its memory and CPU to the bench
// once a second over IPC, so the figures are the worker's alone, not the bench's.
// It also stamps each DTS request (not R-KVStore's) when its bytes were handed to the OS ('finish'), so the bench can tell
// the rate the worker sent at from the rate the emulator stamped on arrival.
// Plain JS: Node passes --import on to the SDK's workflow thread, where TypeScript is not loaded.
import { subscribe } from 'node:diagnostics_channel';
import { isMainThread } from 'node:worker_threads';

if (isMainThread && process.send) {
  let sentAt = [];
  // Every HTTP request of the bench's worker goes to the emulator (Temporal is gRPC, metrics are off), DTS's and
  // R-KVStore's alike: R-KVStore's (its API version, emulator/rkvstore/operations.ts) have their own budget.
  subscribe('http.client.request.start', ({ request }) => {
    if (request.getHeader('x-acs-version') === '2015-01-01') return;
    request.once('finish', () => sentAt.push(Date.now()));
  });
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
      sentAt,
    });
    sentAt = [];
  }, 1000);
  timer.unref();
}
