import { Client, Connection } from '@temporalio/client';
import { buildApp } from './app';
import { loadApiConfig } from './config';

// The API process: stateless, so any number can run behind a load balancer.
async function main(): Promise<void> {
  const config = loadApiConfig();
  const connection = await Connection.connect({ address: config.temporal.address });
  const client = new Client({ connection, namespace: config.temporal.namespace });
  const app = await buildApp({
    temporal: { client, namespace: config.temporal.namespace, taskQueue: config.temporal.taskQueue },
    logger: { level: config.logLevel },
  });
  const close = async () => {
    await app.close();
    await connection.close();
    process.exit(0);
  };
  process.once('SIGTERM', close);
  process.once('SIGINT', close);
  await app.listen({ host: config.host, port: config.port });
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
