import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RedisInstance, type RunningEmulator } from '../../emulator';
import { DtsClient } from '../../activities/dts/client';
import { RkvstoreClient } from '../../activities/rkvstore/client';
import { refreshingCredentials, workerCredentials, type ExpiringCredentials } from '../../worker/credentials';
import { tairInstance } from '../support/requests';

// Two STS credentials the emulator knows; the first expires during the run and must be replaced before then.
const STS: { accessKeyId: string; accessKeySecret: string; securityToken: string }[] = [
  {
    accessKeyId: 'STS.first-key-id',
    accessKeySecret: 'first-sts-secret-not-real',
    securityToken: 'first-sts-token-not-real',
  },
  {
    accessKeyId: 'STS.second-key-id',
    accessKeySecret: 'second-sts-secret-not-real',
    securityToken: 'second-sts-token-not-real',
  },
];
let emulator: RunningEmulator;
beforeAll(async () => {
  emulator = await startEmulator({
    port: 0,
    log: () => {},
    accessKeys: Object.fromEntries(STS.map((k) => [k.accessKeyId, k.accessKeySecret])),
    instances: [tairInstance('r-cred-0001', 'pw') as RedisInstance],
  });
});
afterAll(async () => emulator?.close());

describe('worker credentials', () => {
  it('replaces an expiring STS credential before expiry, for DTS and R-KVStore, without a failed call', async () => {
    const lifetimeMs = 1_500;
    const marginMs = 500;
    const issued: ExpiringCredentials[] = [];
    const getter = refreshingCredentials(
      async () => {
        const next: ExpiringCredentials = {
          ...STS[Math.min(issued.length, STS.length - 1)]!,
          expiresAt: Date.now() + (issued.length === 0 ? lifetimeMs : 60_000),
        };
        issued.push(next);
        return next;
      },
      { marginMs },
    );
    const dts = new DtsClient(
      { endpoint: emulator.url, apiVersion: '2020-01-01', accessKeyId: '', accessKeySecret: '', timeoutMs: 2_000 },
      () => {},
      undefined,
      getter,
    );
    const rkvstore = new RkvstoreClient({ endpoint: emulator.url, timeoutMs: 2_000 }, getter);

    const deadline = Date.now() + lifetimeMs + 800;
    const failures: unknown[] = [];
    while (Date.now() < deadline) {
      await Promise.all([
        dts
          .call('DescribeSynchronizationJobs', { RegionId: 'cn-hangzhou', PageSize: 10 })
          .catch((e: unknown) => failures.push(e)),
        rkvstore.describeInstance('r-cred-0001', 'cn-hangzhou').catch((e: unknown) => failures.push(e)),
      ]);
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(failures).toEqual([]);
    expect(issued).toHaveLength(2); // fetched once, refreshed once (single flight), not per call

    const calls = ((await (await fetch(`${emulator.url}/__emulator/calls`)).json()) as { calls: unknown }).calls as {
      time: string;
      params: Record<string, string>;
    }[];
    const firstExpiry = issued[0]!.expiresAt as number;
    const usedFirst = calls.filter((c) => c.params.AccessKeyId === STS[0]!.accessKeyId);
    const usedSecond = calls.filter((c) => c.params.AccessKeyId === STS[1]!.accessKeyId);
    expect(usedFirst.length).toBeGreaterThan(0);
    expect(usedSecond.length).toBeGreaterThan(0);
    // No call signed with the first credential at or after its expiry; both APIs moved to the second.
    expect(usedFirst.every((c) => Date.parse(c.time) < firstExpiry)).toBe(true);
    expect(new Set(usedSecond.map((c) => c.params.Version))).toEqual(new Set(['2020-01-01', '2015-01-01']));
    // Tokens are sent (SecurityToken) but masked in the emulator's log.
    expect(calls.every((c) => c.params.SecurityToken === '***')).toBe(true);
    expect(JSON.stringify(calls)).not.toMatch(/sts-secret|sts-token/);
  });

  it('uses an AccessKey from the configuration as is, and the default chain otherwise', async () => {
    const fixed = workerCredentials({ accessKeyId: 'id-1', accessKeySecret: 'secret-1' });
    expect(await fixed()).toEqual({ accessKeyId: 'id-1', accessKeySecret: 'secret-1' });
    const saved = { ...process.env };
    try {
      process.env.ALIBABA_CLOUD_ACCESS_KEY_ID = 'env-id';
      process.env.ALIBABA_CLOUD_ACCESS_KEY_SECRET = 'env-secret';
      process.env.ALIBABA_CLOUD_SECURITY_TOKEN = 'env-token';
      expect(await workerCredentials({ accessKeyId: '', accessKeySecret: '' })()).toEqual({
        accessKeyId: 'env-id',
        accessKeySecret: 'env-secret',
        securityToken: 'env-token',
      });
    } finally {
      process.env = saved;
    }
  });
});
