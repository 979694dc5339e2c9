// npm run bench:verify [-- --keys 1000000 --capped-keys 20000 --cap 5000]
// Keys compared per second at each depth between two real redis-servers (the emulator's, on loopback) holding
// the same mixed keys, without and with the QPS cap, and the CPU each server spent (INFO cpu).
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { startEmulator } from '../emulator';
import { connectRedis, type RedisAddress } from '../common/redis';
import { verifyData, type VerifyInput } from '../activities/verify/verify';
import type { Depth } from '../activities/verify/compare';

function option(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  const value = at >= 0 ? Number(process.argv[at + 1]) : fallback;
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a number above 0`);
  return value;
}

async function fill(client: Redis, count: number): Promise<void> {
  for (let from = 0; from < count; from += 5000) {
    const batch = client.pipeline();
    for (let i = from; i < Math.min(count, from + 5000); i++) {
      const key = `bench:${i}`;
      const kind = i % 5;
      if (kind === 0) batch.set(key, `value-${i}`);
      else if (kind === 1) batch.hset(key, 'a', String(i), 'b', 'x', 'c', 'y');
      else if (kind === 2) batch.rpush(key, 'x', String(i), 'z');
      else if (kind === 3) batch.sadd(key, 'm1', 'm2', String(i));
      else batch.zadd(key, i, 'z1', i + 1, 'z2');
    }
    await batch.exec();
  }
}

async function cpuSeconds(client: Redis): Promise<number> {
  const info = await client.info('cpu');
  const read = (name: string) => Number(new RegExp(`${name}:([0-9.]+)`).exec(info)?.[1] ?? 0);
  return read('used_cpu_user') + read('used_cpu_sys');
}

async function main(): Promise<void> {
  const keys = option('keys', 1_000_000);
  const cappedKeys = option('capped-keys', 20_000);
  const cap = option('cap', 5000);
  const emulator = await startEmulator({
    port: 0,
    redis: true,
    log: () => {},
    instancesFile: join(__dirname, '../emulator/demo-instances.json'),
  });
  try {
    const servers = emulator.redisServers();
    const address = (id: string, password: string): RedisAddress => {
      const s = servers.find((x) => x.instanceId === id)!;
      return { host: s.host, port: s.port, password };
    };
    const source = address('r-demo-source-0001', 'demo-source-Pa55');
    const destination = address('r-demo-target-0002', 'demo-target-Pa55');
    const [a, b] = [await connectRedis(source), await connectRedis(destination)];
    await Promise.all([a.flushall(), b.flushall()]);
    const started = Date.now();
    await Promise.all([fill(a, keys), fill(b, keys)]);
    console.log(`wrote ${keys} mixed keys to each server in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    const base: Omit<VerifyInput, 'depth'> = {
      source,
      destination,
      bothDirections: false,
      ttlToleranceMs: 5000,
      maxKeysPerSecond: 1e9,
      recheckRounds: 3,
      recheckPauseMs: 0,
    };
    const rows: Record<string, unknown>[] = [];
    const run = async (label: string, input: VerifyInput) => {
      const [ca, cb] = [await cpuSeconds(a), await cpuSeconds(b)];
      const t = Date.now();
      const result = await verifyData(input);
      const seconds = (Date.now() - t) / 1000;
      const row = {
        run: label,
        depth: input.depth,
        outcome: result.outcome,
        keysCompared: result.keysCompared,
        seconds: Number(seconds.toFixed(1)),
        keysPerSecond: Math.round(result.keysCompared / seconds),
        sourceCpuSeconds: Number(((await cpuSeconds(a)) - ca).toFixed(2)),
        destinationCpuSeconds: Number(((await cpuSeconds(b)) - cb).toFixed(2)),
      };
      rows.push(row);
      console.log(JSON.stringify(row));
    };
    for (const depth of ['type', 'length', 'value'] as Depth[]) await run('uncapped', { ...base, depth });
    // The cap: a smaller keyspace, so the run stays short.
    await Promise.all([a.flushall(), b.flushall()]);
    await Promise.all([fill(a, cappedKeys), fill(b, cappedKeys)]);
    await run(`capped at ${cap} keys/s`, { ...base, depth: 'value', maxKeysPerSecond: cap });
    a.disconnect();
    b.disconnect();
    console.table(rows);
  } finally {
    await emulator.close();
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
