// One way to open a Redis connection (ioredis), shared by the worker's verification and the emulator's
// mover: fail fast instead of queueing commands while disconnected, and never retry behind the caller's back.
import { Redis, type RedisOptions } from 'ioredis';

export interface RedisAddress {
  host: string;
  port: number;
  password?: string;
  username?: string;
  /** Logical database (SELECT); 0 when absent. */
  db?: number;
}

export type RedisProbe = 'ok' | 'unreachable' | 'denied';

/** A connected client, or a rejection naming the address (never the password). */
export async function connectRedis(
  address: RedisAddress,
  options: { timeoutMs?: number; name?: string; extra?: RedisOptions } = {},
): Promise<Redis> {
  const timeoutMs = options.timeoutMs ?? 3000;
  const client = new Redis({
    host: address.host,
    port: address.port,
    ...(address.password ? { password: address.password } : {}),
    ...(address.username ? { username: address.username } : {}),
    ...(address.db ? { db: address.db } : {}),
    lazyConnect: true,
    connectTimeout: timeoutMs,
    commandTimeout: Math.max(timeoutMs, 10_000),
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    ...(options.name ? { connectionName: options.name } : {}),
    ...options.extra,
  });
  // Errors reach the caller through the failed command; an unhandled 'error' event would crash the process.
  // The first one is kept: a refused password shows there, and connect() only says the connection closed.
  let firstError: unknown;
  client.on('error', (error) => (firstError ??= error));
  try {
    await client.connect();
    return client;
  } catch (error) {
    client.disconnect();
    const reason = describeRedisError(firstError ?? error);
    throw new Error(`cannot reach Redis at ${address.host}:${address.port}: ${reason}`);
  }
}

/** Does this password open the instance? What DTS's precheck finds out by connecting. */
export async function probeRedis(address: RedisAddress, timeoutMs = 2000): Promise<RedisProbe> {
  let client: Redis | undefined;
  try {
    client = await connectRedis(address, { timeoutMs });
    await client.ping();
    return 'ok';
  } catch (error) {
    return /NOAUTH|WRONGPASS|invalid password|invalid username-password/i.test(String(error))
      ? 'denied'
      : 'unreachable';
  } finally {
    client?.disconnect();
  }
}

/** An error's message without anything the server echoed back of a command's arguments. */
export function describeRedisError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0]?.slice(0, 300) ?? '';
}
