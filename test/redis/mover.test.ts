import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import type { RunningEmulator } from '../../emulator';
import { connectRedis, type RedisAddress } from '../../common/redis';
import { verifyData } from '../../activities/verify/verify';
import {
  admin,
  configureParams,
  createJob,
  describeStatus,
  dtsClient,
  reverseParams,
  SOURCE,
  startTestEmulator,
  TARGET,
  waitForStatus,
} from '../emulator/helpers';
import { redisAvailable } from './helpers';

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function writeMixed(client: Redis, prefix: string, count: number): Promise<void> {
  const batch = client.pipeline();
  for (let i = 0; i < count; i++) {
    const key = `${prefix}:${i}`;
    switch (i % 6) {
      case 0:
        batch.set(key, `v${i}`);
        break;
      case 1:
        batch.hset(key, 'a', String(i), 'b', 'x');
        break;
      case 2:
        batch.rpush(key, 'x', String(i), 'x');
        break;
      case 3:
        batch.sadd(key, 'm1', String(i));
        break;
      case 4:
        batch.zadd(key, i, 'z1', i + 1, 'z2');
        break;
      default:
        batch.xadd(key, '*', 'f', String(i));
    }
    if (i % 10 === 0) batch.pexpire(key, 600_000);
  }
  await batch.exec();
}

const settings = {
  bothDirections: false,
  depth: 'value' as const,
  ttlToleranceMs: 2000,
  maxKeysPerSecond: 100_000,
  recheckRounds: 5,
  recheckPauseMs: 300,
};

describe.skipIf(!redisAvailable)('the emulator moves real data', () => {
  let emulator: RunningEmulator;
  let source: Redis;
  let target: Redis;
  const ends = {} as Record<'source' | 'target', RedisAddress>;
  beforeAll(async () => {
    emulator = await startTestEmulator({ redis: true, precheckMs: 100_000 });
    const address = (id: string) => emulator.redisServers().find((s) => s.instanceId === id)!;
    ends.source = { ...address(SOURCE.id), password: SOURCE.password };
    ends.target = { ...address(TARGET.id), password: TARGET.password };
    source = await connectRedis(ends.source);
    target = await connectRedis(ends.target);
  });
  afterAll(async () => {
    source?.disconnect();
    target?.disconnect();
    await emulator?.close();
  });

  it('full load, changes both ways without echo, and delay from the real lag', async () => {
    await writeMixed(source, 'before', 600);
    const client = dtsClient(emulator);
    const jobId = await createJob(client, { Topology: 'bidirectional' });
    await client.call('ConfigureSynchronizationJob', configureParams(jobId));
    await writeMixed(source, 'during', 120);
    await waitForStatus(client, jobId, 'Synchronizing', 'Forward', 20_000);
    await writeMixed(source, 'after', 60);
    await source.del('before:0');
    const first = await verifyData({
      ...settings,
      bothDirections: true,
      source: ends.source,
      destination: ends.target,
    });
    expect(first).toMatchObject({ outcome: 'consistent', keysCompared: 779, keysDiffering: 0 });
    expect(await target.pttl('before:10')).toBeGreaterThan(500_000);
    expect(await target.exists('before:0')).toBe(0);

    await client.call('ConfigureSynchronizationJob', reverseParams(jobId));
    await waitForStatus(client, jobId, 'Synchronizing', 'Reverse', 20_000);
    await target.set('from-target', 'B');
    await source.set('from-source', 'A');
    await until('both writes at both ends', async () =>
      (await source.get('from-target')) === 'B' && (await target.get('from-source')) === 'A' ? true : undefined,
    );
    // No echo: once quiet, the servers see no further writes from the movers.
    const writes = async (c: Redis) =>
      Number(/cmdstat_restore:calls=(\d+)/.exec(await c.info('commandstats'))?.[1] ?? 0);
    await new Promise((r) => setTimeout(r, 300));
    const before = [await writes(source), await writes(target)];
    await new Promise((r) => setTimeout(r, 500));
    expect([await writes(source), await writes(target)]).toEqual(before);

    // Replication held back by one second: the change arrives late, and Delay says so.
    await admin(emulator, 'POST', `jobs/${jobId}/delay`, { direction: 'Forward', seconds: 1 });
    const written = Date.now();
    await source.set('late', '1');
    await until('the held-back change', async () => ((await target.get('late')) === '1' ? true : undefined));
    expect(Date.now() - written).toBeGreaterThanOrEqual(950);
    expect(Number((await describeStatus(client, jobId)).DataSynchronizationStatus.DelayMillis)).toBeGreaterThanOrEqual(
      950,
    );
  }, 60_000);
});
