import { NativeConnection } from '@temporalio/worker';
import { loadWorkerConfig } from './config';
import { createSyncWorkers } from './workers';

// The worker process. Temporal's runtime turns SIGTERM/SIGINT into a graceful shutdown.
async function main(): Promise<void> {
  const config = loadWorkerConfig();
  const connection = await NativeConnection.connect({ address: config.temporal.address });
  try {
    const workers = await createSyncWorkers(config, { connection });
    console.log(`worker: polling ${config.temporal.taskQueue} on ${config.temporal.address}, DTS at ${config.dts.endpoint}`);
    await workers.run();
  } finally {
    await connection.close();
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
