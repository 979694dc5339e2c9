import RPCClient from '@alicloud/pop-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../../emulator';
import { signRpc } from '../../emulator/signature';
import { callError, createParams, dtsClient, rawPost, signedParams, startTestEmulator, type Body } from './helpers';

describe('signature v1.0', () => {
  it('reproduces the published test vector of docs/dts-api.md §5.1', () => {
    const params = {
      Action: 'DescribeRegions',
      Format: 'XML',
      Version: '2014-05-26',
      SignatureMethod: 'HMAC-SHA1',
      SignatureVersion: '1.0',
      SignatureNonce: '3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf',
      Timestamp: '2016-02-23T12:46:24Z',
      AccessKeyId: 'testid',
    };
    expect(signRpc('GET', params, 'testsecret')).toBe('OLeaidS1JvxuMvnyHOwuJ+uX5qY=');
  });
});

describe('API gateway', () => {
  let emulator: RunningEmulator;
  beforeAll(async () => {
    emulator = await startTestEmulator();
  });
  afterAll(() => emulator.close());

  it('accepts the real client over POST and over GET', async () => {
    for (const method of ['POST', 'GET'] as const) {
      const body = await dtsClient(emulator, method).call('CreateSynchronizationJob', createParams());
      expect(body.Success).toBe(true);
      expect(body.SynchronizationJobId).toMatch(/^dts[a-z0-9]+$/);
      expect(body.RequestId).toEqual(expect.any(String));
    }
  });

  it('answers JSON with the charset pop-core expects', async () => {
    const response = await fetch(`${emulator.url}/`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(signedParams('DescribeSynchronizationJobs')).toString(),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json;charset=utf-8');
  });

  it('accepts the signature in the query with the other parameters in the form body', async () => {
    const params = signedParams('DescribeSynchronizationJobs', { PageSize: '10' });
    const { Signature, ...rest } = params;
    const response = await fetch(`${emulator.url}/?Signature=${encodeURIComponent(Signature as string)}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(rest).toString(),
    });
    expect(response.status).toBe(200);
  });

  it('rejects an unknown AccessKeyId with InvalidAccessKeyId.NotFound (404) and the full error shape', async () => {
    const client = new RPCClient({
      endpoint: emulator.url,
      apiVersion: '2020-01-01',
      accessKeyId: 'nobody',
      accessKeySecret: 'x',
    });
    const error = (await client
      .request('DescribeSynchronizationJobs', {}, { method: 'POST', formatParams: false })
      .catch((e: unknown) => e)) as Body;
    expect(error.code).toBe('InvalidAccessKeyId.NotFound');
    expect(error.entry.response.statusCode).toBe(404);
    expect(Object.keys(error.data).sort()).toEqual(['Code', 'HostId', 'Message', 'Recommend', 'RequestId']);
  });

  it('rejects a wrong secret with SignatureDoesNotMatch (400) and echoes the string to sign', async () => {
    const client = new RPCClient({
      endpoint: emulator.url,
      apiVersion: '2020-01-01',
      accessKeyId: 'emulator-key-id',
      accessKeySecret: 'wrong',
    });
    const error = (await client
      .request('DescribeSynchronizationJobs', {}, { method: 'POST', formatParams: false })
      .catch((e: unknown) => e)) as Body;
    expect(error.code).toBe('SignatureDoesNotMatch');
    expect(error.entry.response.statusCode).toBe(400);
    expect(error.data.Message).toContain('server string to sign is:POST&%2F&');
  });

  it('rejects a parameter changed after signing', async () => {
    const params = signedParams('DescribeSynchronizationJobs', { PageSize: '10' });
    const { status, body } = await rawPost(emulator, { ...params, PageSize: '20' });
    expect([status, body.Code]).toEqual([400, 'SignatureDoesNotMatch']);
  });

  it('rejects a request signed for GET but sent as POST', async () => {
    const { body } = await rawPost(emulator, signedParams('DescribeSynchronizationJobs', {}, { method: 'GET' }));
    expect(body.Code).toBe('SignatureDoesNotMatch');
  });

  it('rejects a missing Signature with IncompleteSignature', async () => {
    const { Signature: _dropped, ...params } = signedParams('DescribeSynchronizationJobs');
    const { status, body } = await rawPost(emulator, params);
    expect([status, body.Code]).toEqual([400, 'IncompleteSignature']);
  });

  it.each(['SignatureNonce', 'Timestamp', 'AccessKeyId', 'SignatureMethod', 'SignatureVersion', 'Version', 'Action'])(
    'rejects a request without %s',
    async (name) => {
      const params = signedParams('DescribeSynchronizationJobs');
      delete params[name];
      const { status, body } = await rawPost(emulator, params);
      expect([status, body.Code]).toEqual([400, `Missing${name}`]);
    },
  );

  it('rejects a timestamp more than 15 minutes off with InvalidTimeStamp.Expired', async () => {
    for (const offset of [-16 * 60_000, 16 * 60_000]) {
      const timestamp = new Date(Date.now() + offset).toISOString().replace(/\.\d{3}Z$/, 'Z');
      const { status, body } = await rawPost(emulator, signedParams('DescribeSynchronizationJobs', {}, { timestamp }));
      expect([status, body.Code]).toEqual([400, 'InvalidTimeStamp.Expired']);
    }
    const nearEdge = new Date(Date.now() - 14 * 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    expect(
      (await rawPost(emulator, signedParams('DescribeSynchronizationJobs', {}, { timestamp: nearEdge }))).status,
    ).toBe(200);
  });

  it('rejects a malformed timestamp with InvalidTimeStamp.Format', async () => {
    const { body } = await rawPost(
      emulator,
      signedParams('DescribeSynchronizationJobs', {}, { timestamp: '2024-01-01 10:00:00' }),
    );
    expect(body.Code).toBe('InvalidTimeStamp.Format');
  });

  it('rejects a reused nonce with SignatureNonceUsed', async () => {
    const params = signedParams('DescribeSynchronizationJobs');
    expect((await rawPost(emulator, params)).status).toBe(200);
    const replay = await rawPost(emulator, params);
    expect([replay.status, replay.body.Code]).toEqual([400, 'SignatureNonceUsed']);
  });

  it('rejects an unknown action with InvalidAction.NotFound (404)', async () => {
    const error = await callError(dtsClient(emulator), 'DescribeDtsJobDetails', {});
    expect(error.code).toBe('InvalidAction.NotFound');
    expect(error.entry.response.statusCode).toBe(404);
  });

  it('rejects an unknown version, and the phased-out 2018-08-01 unless allowed', async () => {
    const unknown = await rawPost(emulator, signedParams('DescribeSynchronizationJobs', {}, { version: '2099-01-01' }));
    expect(unknown.body.Code).toBe('InvalidVersion');
    const legacy = await rawPost(emulator, signedParams('DescribeSynchronizationJobs', {}, { version: '2018-08-01' }));
    expect([legacy.status, legacy.body.Code]).toEqual([400, 'InvalidVersion']);
    expect(legacy.body.Message).toContain('phased out');

    const lenient = await startTestEmulator({ allowLegacyVersion: true });
    try {
      const accepted = await rawPost(
        lenient,
        signedParams('DescribeSynchronizationJobs', {}, { version: '2018-08-01' }),
      );
      expect(accepted.status).toBe(200);
    } finally {
      await lenient.close();
    }
  });

  it('rejects Format=XML and other HTTP methods', async () => {
    const xml = await rawPost(emulator, signedParams('DescribeSynchronizationJobs', { Format: 'XML' }));
    expect(xml.status).toBe(400);
    const put = await fetch(`${emulator.url}/`, { method: 'PUT' });
    expect(((await put.json()) as Body).Code).toBe('UnsupportedHTTPMethod');
  });

  it('hides the admin API when admin is false', async () => {
    const locked = await startTestEmulator({ admin: false });
    try {
      const response = await fetch(`${locked.url}/__emulator/health`);
      expect(response.status).toBe(404);
    } finally {
      await locked.close();
    }
  });
});
