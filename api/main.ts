import { Client } from '@temporalio/client';
import { AesGcmPayloadCodec, encryptingDataConverter } from '../common/codec';
import { connectClient } from '../common/temporal-config';
import { buildApp } from './app';
import { loadApiConfig } from './config';
import { dtsJobLookup } from './dts-jobs';

// The API process: stateless, so any number can run behind a load balancer.
async function main(): Promise<void> {
  const config = loadApiConfig();
  const connection = await connectClient(config.temporal);
  const client = new Client({
    connection,
    namespace: config.temporal.namespace,
    dataConverter: encryptingDataConverter(config.payloadKeys),
  });
  const app = await buildApp({
    temporal: {
      client,
      namespace: config.temporal.namespace,
      taskQueue: config.temporal.taskQueue,
      dtsApi: config.dtsApi,
      viewCacheMs: config.viewCacheMs,
      viewCacheHotRate: config.viewCacheHotRate,
      viewCacheFullMs: config.viewCacheFullMs,
    },
    tokens: config.tokens,
    ...(config.jwt ? { jwt: config.jwt } : {}),
    ...(config.dts ? { dtsJobs: dtsJobLookup(config.dts) } : {}),
    codec: new AesGcmPayloadCodec(config.payloadKeys),
    codecCorsOrigins: config.codecCorsOrigins,
    codecRequiresToken: config.codecRequiresToken,
    rateLimitPerMinute: config.rateLimitPerMinute,
    logger: { level: config.logLevel, redact: ['req.headers.authorization', 'req.headers.cookie'] },
  });
  // A signal handler's promise goes nowhere: a failing close must exit non-zero, not become an unhandled rejection.
  const close = () => {
    app
      .close()
      .then(() => connection.close())
      .then(
        () => process.exit(0),
        (err: unknown) => {
          console.error(err instanceof Error ? err.message : err);
          process.exit(1);
        },
      );
  };
  process.once('SIGTERM', close);
  process.once('SIGINT', close);
  await app.listen({ host: config.host, port: config.port });
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
