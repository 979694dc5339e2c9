import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { encryptingDataConverter } from '../shared/codec';
import { loadWorkerConfig } from './config';
import { dtsCallMetrics, watcherRoundMetrics } from './metrics';
import { createSyncWorkers } from './workers';

// The worker process. Temporal's runtime turns SIGTERM/SIGINT into a graceful shutdown.
async function main(): Promise<void> {
  const config = loadWorkerConfig();
  Runtime.install({
    logger: new DefaultLogger(config.logLevel),
    // Prometheus /metrics: the SDK's worker metrics, DTS calls, workflow phases. 0 turns it off.
    ...(config.metricsPort > 0 ? { telemetryOptions: { metrics: { prometheus: { bindAddress: `${config.metricsHost}:${config.metricsPort}` } } } } : {}),
  });
  const connection = await NativeConnection.connect({ address: config.temporal.address });
  const clientConnection = await Connection.connect({ address: config.temporal.address });
  const client = new Client({ connection: clientConnection, namespace: config.temporal.namespace, dataConverter: encryptingDataConverter(config.payloadKeys) });
  try {
    const workers = await createSyncWorkers(config, { connection, client, observeDtsCall: dtsCallMetrics(), onWatchRound: watcherRoundMetrics() });
    console.log(`worker: polling ${config.temporal.taskQueue} on ${config.temporal.address}, DTS at ${config.dts.endpoint}`);
    await workers.run();
  } finally {
    await connection.close();
    await clientConnection.close();
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
