import { Client } from '@temporalio/client';
import { DefaultLogger, type LogLevel, type LogMetadata, NativeConnection, Runtime } from '@temporalio/worker';
import { encryptingDataConverter } from '../common/codec';
import { connectClient, describeConnection } from '../common/temporal-config';
import { loadWorkerConfig } from './config';
import { dtsCallMetrics, watcherRoundMetrics } from './metrics';
import { createWorkers } from './workers';

// The worker process. Temporal's runtime turns SIGTERM/SIGINT into a graceful shutdown.
async function main(): Promise<void> {
  const config = loadWorkerConfig();
  Runtime.install({
    logger: new WorkerLogger(config.logLevel),
    // Prometheus /metrics: the SDK's worker metrics, DTS calls, workflow phases. 0 turns it off.
    ...(config.metricsPort > 0
      ? {
          telemetryOptions: { metrics: { prometheus: { bindAddress: `${config.metricsHost}:${config.metricsPort}` } } },
        }
      : {}),
  });
  const connection = await NativeConnection.connect(config.temporal.connection);
  const clientConnection = await connectClient(config.temporal);
  const client = new Client({
    connection: clientConnection,
    namespace: config.temporal.namespace,
    dataConverter: encryptingDataConverter(config.payloadKeys),
  });
  try {
    const workers = await createWorkers(config, {
      connection,
      client,
      observeDtsCall: dtsCallMetrics(),
      onWatchRound: watcherRoundMetrics(),
    });
    console.log(
      `worker: polling ${config.temporal.taskQueue} on ${describeConnection(config.temporal)}, DTS at ${config.dts.endpoint}`,
    );
    await workers.run();
  } finally {
    await connection.close();
    await clientConnection.close();
  }
}

// Each of the two workers polls one kind of task by design (worker/workers.ts), so the SDK's
// "No workflows/activities registered, not polling" warnings describe the design, not a problem.
class WorkerLogger extends DefaultLogger {
  override log(level: LogLevel, message: string, meta?: LogMetadata): void {
    if (!/^No (workflows|activities) registered, not polling/.test(message)) super.log(level, message, meta);
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
