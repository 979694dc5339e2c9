import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET, type RunningEmulator } from '../../emulator';
import { RkvstoreClient } from '../../activities/rkvstore/client';
import { probeRedis } from '../../common/redis';
import { redisAvailable } from './helpers';
import {
  admin,
  configureParams,
  createJob,
  describeStatus,
  dtsClient,
  SOURCE,
  startTestEmulator,
  TARGET,
  waitForStatus,
} from '../emulator/helpers';

const key = async () => ({ accessKeyId: DEFAULT_ACCESS_KEY_ID, accessKeySecret: DEFAULT_ACCESS_KEY_SECRET });

describe.skipIf(!redisAvailable)('a real redis-server per emulated instance', () => {
  let emulator: RunningEmulator;
  let rkv: RkvstoreClient;
  beforeAll(async () => {
    // Precheck 1.5 s: long enough for the connection check to land under a loaded machine.
    emulator = await startTestEmulator({ redis: true, precheckMs: 300_000 });
    rkv = new RkvstoreClient({ endpoint: emulator.url, timeoutMs: 3000 }, key);
  });
  afterAll(async () => emulator?.close());

  it('R-KVStore answers the server loopback address, which the password opens and no other does', async () => {
    const servers = emulator.redisServers();
    expect(servers.map((s) => s.instanceId).sort()).toEqual([SOURCE.id, TARGET.id]);
    const address = await rkv.describeAddress(SOURCE.id);
    expect(address).toEqual({ host: '127.0.0.1', port: servers.find((s) => s.instanceId === SOURCE.id)?.port });
    expect(await probeRedis({ ...address, password: SOURCE.password })).toBe('ok');
    expect(await probeRedis({ ...address, password: TARGET.password })).toBe('denied');
    expect(await probeRedis({ ...address })).toBe('denied');
  });

  it('a stopped instance is a closed loopback port, and the precheck fails to connect to it', async () => {
    const client = dtsClient(emulator);
    const address = await rkv.describeAddress(TARGET.id);
    await admin(emulator, 'POST', `redis/${TARGET.id}/stop`);
    try {
      expect(await probeRedis({ ...address, password: TARGET.password })).toBe('unreachable');
      const jobId = await createJob(client);
      await client.call('ConfigureSynchronizationJob', configureParams(jobId));
      await waitForStatus(client, jobId, 'PrecheckFailed', 'Forward', 10_000).catch(() => undefined);
      const status = await describeStatus(client, jobId);
      expect(status.Status).toBe('PrecheckFailed');
      const items = status.PrecheckStatus.Detail as Array<{ ItemName: string; CheckStatus: string }>;
      expect(items.find((i) => i.ItemName === 'CHECK_CONN_DEST')?.CheckStatus).toBe('Failed');
      expect(items.find((i) => i.ItemName === 'CHECK_CONN_SRC')?.CheckStatus).toBe('Success');
    } finally {
      await admin(emulator, 'POST', `redis/${TARGET.id}/start`);
    }
    expect(await probeRedis({ ...address, password: TARGET.password })).toBe('ok');
  });

  it('an instance added later gets its server before the admin call answers; close stops them all', async () => {
    await admin(emulator, 'POST', 'instances', { instanceId: 'r-added-0003', password: 'added-Pa55' });
    const address = await rkv.describeAddress('r-added-0003');
    expect(await probeRedis({ ...address, password: 'added-Pa55' })).toBe('ok');
    const ports = emulator.redisServers().map((s) => s.port);
    await emulator.close();
    for (const port of ports) expect(await probeRedis({ host: '127.0.0.1', port })).toBe('unreachable');
  });
});

describe('without redis-server', () => {
  it('R-KVStore still answers a loopback address', async () => {
    const emulator = await startTestEmulator({ redis: false });
    try {
      const rkv = new RkvstoreClient({ endpoint: emulator.url, timeoutMs: 3000 }, key);
      expect((await rkv.describeAddress(SOURCE.id)).host).toBe('127.0.0.1');
      expect(emulator.redisServers()).toEqual([]);
    } finally {
      await emulator.close();
    }
  });
});
