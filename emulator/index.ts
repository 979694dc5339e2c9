// startEmulator(): a local Alibaba Cloud DTS (legacy synchronization API) over real HTTP.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CallLog } from './calls';
import { FaultStore } from './faults';
import { loadInstancesFile, parseInstances } from './instances';
import type { RedisInstance } from './model';
import { NonceStore } from './nonces';
import { resolveOptions, type EmulatorOptions } from './options';
import { createRequestHandler } from './server';
import { EmulatorState } from './state';
import { findRedisServer, RedisFleet, type RedisServerView } from './redis/servers';
import { MoverManager } from './redis/movers';

export interface RunningEmulator {
  /** http://127.0.0.1:PORT — use as the pop-core endpoint. */
  url: string;
  port: number;
  /** The real redis-server behind each cloud instance (empty without redis-server). */
  redisServers(): RedisServerView[];
  close(): Promise<void>;
}

export type { EmulatorOptions } from './options';
export { DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET, DEFAULT_PORT } from './options';
export type { JobStatus, RedisInstance } from './model';
export type { FaultKind } from './faults';
export { signRpc } from './signature';

function seedInstances(options: EmulatorOptions): RedisInstance[] {
  const fromFile = options.instancesFile ? loadInstancesFile(options.instancesFile) : [];
  const byId = new Map<string, RedisInstance>();
  for (const instance of [...fromFile, ...parseInstances(options.instances ?? [])])
    byId.set(instance.instanceId, instance);
  return [...byId.values()];
}

export async function startEmulator(input: EmulatorOptions = {}): Promise<RunningEmulator> {
  const options = resolveOptions(input);
  const state = new EmulatorState(seedInstances(input), options.stateFile);
  const redisBinary = options.redis === false ? undefined : findRedisServer();
  if (options.redis === true && !redisBinary) throw new Error('redis: true, but no redis-server was found');
  if (redisBinary) {
    state.redis = new RedisFleet(redisBinary, options.redisDataDir);
    await state.redis.sync(state.registry.list());
  }
  const movers = state.redis && new MoverManager(state);
  movers?.start();
  const closing = new AbortController();
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      if (closing.signal.aborted) return resolve();
      const timer = setTimeout(resolve, ms);
      closing.signal.addEventListener(
        'abort',
        () => {
          clearTimeout(timer);
          resolve();
        },
        { once: true },
      );
    });
  const handler = createRequestHandler({
    state,
    faults: new FaultStore(),
    calls: new CallLog(),
    nonces: new NonceStore(),
    options,
    sleep,
  });

  const server = createServer((req, res) => void handler(req, res));
  // Longer than client keep-alive reuse windows, so idle sockets are not closed under a client.
  server.keepAliveTimeout = 65_000;
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port, options.host, () => resolve());
    });
  } catch (error) {
    await movers?.close();
    await state.redis?.close();
    throw error;
  }
  const port = (server.address() as AddressInfo).port;
  const host = options.host === '0.0.0.0' || options.host === '::' ? '127.0.0.1' : options.host;

  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    redisServers: () => state.redis?.list() ?? [],
    close: async () => {
      if (closing.signal.aborted) return;
      await new Promise<void>((resolve, reject) => {
        closing.abort();
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
      await movers?.close();
      await state.redis?.close();
    },
  };
}
