import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApplicationFailure } from '@temporalio/common';
import {
  startEmulator,
  DEFAULT_ACCESS_KEY_ID,
  DEFAULT_ACCESS_KEY_SECRET,
  type RedisInstance,
  type RunningEmulator,
} from '../../emulator';
import { RkvstoreClient } from '../../activities/rkvstore/client';
import { tairInstance } from '../support/requests';

// The R-KVStore emulator through Alibaba's typed SDK (@alicloud/r-kvstore20150101) over real HTTP.
let emulator: RunningEmulator;
const key = async () => ({ accessKeyId: DEFAULT_ACCESS_KEY_ID, accessKeySecret: DEFAULT_ACCESS_KEY_SECRET });
beforeAll(async () => {
  emulator = await startEmulator({
    port: 0,
    log: () => {},
    instances: [
      tairInstance('r-rkv-tair-0001', 'pw-1', {
        engineVersion: '6.0',
        directConnection: true,
        architecture: 'cluster',
      }),
      tairInstance('r-rkv-comm-0002', 'pw-2', {
        edition: 'community',
        maxmemoryPolicy: 'allkeys-lru',
        region: 'cn-shanghai',
        status: 'Changing',
      }),
    ] as RedisInstance[],
  });
});
afterAll(async () => emulator?.close());

async function admin<T>(path: string, body?: unknown): Promise<T> {
  const res = await fetch(
    `${emulator.url}/__emulator/${path}`,
    body === undefined
      ? {}
      : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) },
  );
  return (await res.json()) as T;
}

describe('R-KVStore in the emulator, through the typed SDK', () => {
  it('answers DescribeInstanceAttribute, DescribeParameters, DescribeDBInstanceNetInfo from the registry', async () => {
    const client = new RkvstoreClient({ endpoint: emulator.url, timeoutMs: 2000 }, key);
    expect(await client.describeInstance('r-rkv-tair-0001', 'cn-hangzhou')).toEqual({
      instanceId: 'r-rkv-tair-0001',
      status: 'Normal',
      regionId: 'cn-hangzhou',
      instanceType: 'Tair',
      engineVersion: '6.0',
      architecture: 'cluster',
      maxmemoryPolicy: 'noeviction',
      directConnection: true,
    });
    expect(await client.describeInstance('r-rkv-comm-0002', 'cn-shanghai')).toMatchObject({
      status: 'Changing',
      regionId: 'cn-shanghai',
      instanceType: 'Redis',
      maxmemoryPolicy: 'allkeys-lru',
      directConnection: false,
    });
    const calls = (
      await admin<{ calls: { action: string; outcome: string; params: Record<string, string> }[] }>('calls')
    ).calls;
    expect(calls.map((c) => c.action)).toEqual(
      expect.arrayContaining(['DescribeInstanceAttribute', 'DescribeParameters', 'DescribeDBInstanceNetInfo']),
    );
    expect(calls.every((c) => c.params.Version === '2015-01-01' && c.outcome === 'OK')).toBe(true);
  });

  it('reads the same registry the DTS precheck uses: an admin change shows at once', async () => {
    await admin('instances', tairInstance('r-rkv-tair-0001', 'pw-1', { maxmemoryPolicy: 'volatile-lru' }));
    const client = new RkvstoreClient({ endpoint: emulator.url, timeoutMs: 2000 }, key);
    expect((await client.describeInstance('r-rkv-tair-0001', 'cn-hangzhou')).maxmemoryPolicy).toBe('volatile-lru');
  });

  it('classifies a missing instance and bad credentials, without the secret or token in the error', async () => {
    const client = new RkvstoreClient({ endpoint: emulator.url, timeoutMs: 2000 }, key);
    const missing = await client.describeInstance('r-rkv-none-0009', 'cn-hangzhou').catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(ApplicationFailure);
    expect(missing).toMatchObject({
      nonRetryable: true,
      message: expect.stringContaining('InvalidInstanceId.NotFound'),
    });

    const secret = 'wrong-secret-Zq81x';
    const token = 'sts-token-Zq81x-abcdef';
    const bad = new RkvstoreClient({ endpoint: emulator.url, timeoutMs: 2000 }, async () => ({
      accessKeyId: DEFAULT_ACCESS_KEY_ID,
      accessKeySecret: secret,
      securityToken: token,
    }));
    const denied = (await bad
      .describeInstance('r-rkv-tair-0001', 'cn-hangzhou')
      .catch((e: unknown) => e)) as ApplicationFailure;
    expect(denied.type).toBe('DtsCredentialsError');
    expect(denied.nonRetryable).toBe(true);
    expect(JSON.stringify({ m: denied.message, d: denied.details })).not.toMatch(/Zq81x/);
  });

  it('refuses an unknown R-KVStore action and a reused nonce like the DTS gateway', async () => {
    const { signRpc } = await import('../../emulator');
    const params: Record<string, string> = {
      Action: 'DescribeInstances',
      Version: '2015-01-01',
      Format: 'JSON',
      AccessKeyId: DEFAULT_ACCESS_KEY_ID,
      SignatureMethod: 'HMAC-SHA1',
      SignatureVersion: '1.0',
      SignatureNonce: 'nonce-rkv-1',
      Timestamp: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    };
    params.Signature = signRpc('GET', params, DEFAULT_ACCESS_KEY_SECRET);
    const res = await fetch(`${emulator.url}/?${new URLSearchParams(params).toString()}`);
    expect(res.status).toBe(404);
    expect(((await res.json()) as { Code: string }).Code).toBe('InvalidAction.NotFound');
    const again = await fetch(`${emulator.url}/?${new URLSearchParams(params).toString()}`);
    expect(((await again.json()) as { Code: string }).Code).toBe('SignatureNonceUsed');
  });
});
