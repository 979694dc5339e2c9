import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import type { RunningEmulator } from '../../emulator';
import { connectRedis, type RedisAddress } from '../../common/redis';
import { verifyData, type VerifyInput, type VerifyProgress } from '../../activities/verify/verify';
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

async function writeMixed(client: Redis, prefix: string, count: number): Promise<void> {
  for (let from = 0; from < count; from += 1000) {
    const batch = client.pipeline();
    for (let i = from; i < Math.min(count, from + 1000); i++) {
      const key = `${prefix}:${i}`;
      const kind = i % 6;
      if (kind === 0) batch.set(key, `v${i}`);
      else if (kind === 1) batch.hset(key, 'a', String(i), 'b', 'x');
      else if (kind === 2) batch.rpush(key, 'x', String(i), 'x');
      else if (kind === 3) batch.sadd(key, 'm1', String(i));
      else if (kind === 4) batch.zadd(key, i, 'z1', i + 1, 'z2');
      else batch.xadd(key, '*', 'f', String(i));
      if (i % 10 === 0) batch.pexpire(key, 600_000);
    }
    await batch.exec();
  }
}

describe.skipIf(!redisAvailable)('verification against real redis-server pairs', () => {
  let emulator: RunningEmulator;
  let source: Redis;
  let target: Redis;
  let input: VerifyInput;
  let jobId: string;
  beforeAll(async () => {
    emulator = await startTestEmulator({ redis: true, precheckMs: 100_000 });
    const address = (id: string, password: string): RedisAddress => ({
      ...emulator.redisServers().find((s) => s.instanceId === id)!,
      password,
    });
    input = {
      source: address(SOURCE.id, SOURCE.password),
      destination: address(TARGET.id, TARGET.password),
      bothDirections: false,
      depth: 'value',
      ttlToleranceMs: 2000,
      maxKeysPerSecond: 200_000,
      recheckRounds: 5,
      recheckPauseMs: 300,
    };
    source = await connectRedis(input.source);
    target = await connectRedis(input.destination);
  });
  afterAll(async () => {
    source?.disconnect();
    target?.disconnect();
    await emulator?.close();
  });

  it('10,000 keys of every type written before, during the full load and during sync: consistent', async () => {
    await writeMixed(source, 'before', 8000);
    const client = dtsClient(emulator);
    jobId = await createJob(client);
    await client.call('ConfigureSynchronizationJob', configureParams(jobId));
    await writeMixed(source, 'during', 1000);
    await waitForStatus(client, jobId, 'Synchronizing', 'Forward', 30_000);
    await writeMixed(source, 'after', 1000);
    const result = await verifyData(input);
    expect(result).toMatchObject({ outcome: 'consistent', keysCompared: 10_000, keysDiffering: 0 });
  }, 90_000);

  it('a key changed at the destination: inconsistent, naming exactly that key (at every depth that sees it)', async () => {
    await target.hset('before:1', 'b', 'changed');
    const result = await verifyData(input);
    expect(result).toMatchObject({ outcome: 'inconsistent', keysDiffering: 1 });
    expect(result.examples).toEqual([{ key: 'before:1', reason: 'value differs' }]);
    expect((await verifyData({ ...input, depth: 'length' })).outcome).toBe('consistent');
    await target.hset('before:1', 'c', 'extra');
    expect((await verifyData({ ...input, depth: 'length' })).examples).toEqual([
      { key: 'before:1', reason: 'length 2 vs 3' },
    ]);
    // Only at the destination: seen when the destination is scanned too (as for two-way setups).
    await target.set('stray', 'x');
    expect((await verifyData(input)).examples.map((d) => d.key)).toEqual(['before:1']);
    const both = await verifyData({ ...input, bothDirections: true });
    expect(both.examples).toContainEqual({ key: 'stray', reason: 'only at the destination' });
    expect(both.keysDiffering).toBe(2);
    // Repaired for the next tests: the stray key goes, and a write at the source copies the hash over again.
    await target.del('stray');
    await source.hset('before:1', 'b', 'x');
  }, 60_000);

  it('a key whose TTL runs out during the check is not a difference', async () => {
    await source.set('short-lived', '1', 'PX', 400);
    const result = await verifyData({ ...input, recheckPauseMs: 600 });
    expect(result.outcome).toBe('consistent');
  }, 60_000);

  it('resumes from its last SCAN cursor after a crash and finishes', async () => {
    let last: VerifyProgress | undefined;
    const crash = new Error('worker killed');
    const first = await verifyData({ ...input, scanCount: 100 }, (p) => {
      last = structuredClone(p);
      if (p.keysCompared >= 2000) throw crash;
    });
    expect(first.outcome).toBe('unverifiable');
    expect(last?.pass).toBe('source');
    const compared = last!.keysCompared;
    const resumed = await verifyData({ ...input, scanCount: 100 }, () => {}, last);
    expect(resumed.outcome).toBe('consistent');
    // SCAN may return a key twice, never skip one: at least every key once.
    expect(resumed.keysCompared).toBeGreaterThanOrEqual(10_000);
    expect(compared).toBeLessThan(10_000);
  }, 60_000);

  it('an unreachable instance: unverifiable with the reason, and the sync untouched', async () => {
    const client = dtsClient(emulator);
    await admin(emulator, 'POST', `redis/${TARGET.id}/stop`);
    try {
      const result = await verifyData(input);
      expect(result.outcome).toBe('unverifiable');
      expect(result.reason).toMatch(/cannot reach Redis at 127\.0\.0\.1:\d+/);
      expect((await describeStatus(client, jobId)).Status).toBe('Synchronizing');
    } finally {
      await admin(emulator, 'POST', `redis/${TARGET.id}/start`);
    }
  });

  it('a two-way sync with writes at both ends: consistent in both directions', async () => {
    const client = dtsClient(emulator);
    // The restarted server closed the old connections.
    source.disconnect();
    target.disconnect();
    source = await connectRedis(input.source);
    target = await connectRedis(input.destination);
    await admin(emulator, 'POST', 'reset');
    await Promise.all([source.flushdb(), target.flushdb()]);
    const twoWay = await createJob(client, { Topology: 'bidirectional' });
    await client.call('ConfigureSynchronizationJob', configureParams(twoWay));
    await writeMixed(source, 'a', 600);
    await waitForStatus(client, twoWay, 'Synchronizing', 'Forward', 30_000);
    await client.call('ConfigureSynchronizationJob', reverseParams(twoWay));
    await waitForStatus(client, twoWay, 'Synchronizing', 'Reverse', 30_000);
    await Promise.all([writeMixed(source, 'left', 300), writeMixed(target, 'right', 300)]);
    // Rounds end as soon as nothing differs; more of them leave room for a mover slowed by a loaded machine.
    const result = await verifyData({ ...input, bothDirections: true, recheckRounds: 20, recheckPauseMs: 500 });
    expect(result).toMatchObject({ outcome: 'consistent', keysDiffering: 0 });
  }, 90_000);
});
