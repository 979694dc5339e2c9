import { createServer, type Server } from 'node:http';
import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { configureDirection } from '../../activities/dts/configure';
import { DtsClient, type DtsClientConfig } from '../../activities/dts/client';
import { DtsFailure } from '../../activities/dts/errors';
import { purchaseInstance } from '../../activities/dts/purchase';
import { synchronizationJobFamily } from '../../activities/dts/synchronization-job';
import { releaseInstance } from '../../activities/dts/release';
import { startEmulator } from '../../emulator';
import { DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET } from '../../emulator/options';

let emulator: Awaited<ReturnType<typeof startEmulator>>;
let config: DtsClientConfig;
const PASSWORD = 'client-test-Pa55-secret';

beforeAll(async () => {
  emulator = await startEmulator({ port: 0, timeScale: 0.01, log: () => {} });
  config = {
    endpoint: emulator.url,
    apiVersion: '2020-01-01',
    accessKeyId: DEFAULT_ACCESS_KEY_ID,
    accessKeySecret: DEFAULT_ACCESS_KEY_SECRET,
    timeoutMs: 1_000,
  };
});
afterAll(() => emulator?.close());
beforeEach(() => admin('reset', {}));

async function admin<T = unknown>(path: string, body?: unknown): Promise<T> {
  const res = await fetch(
    `${emulator.url}/__emulator/${path}`,
    body === undefined
      ? {}
      : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) },
  );
  return (await res.json()) as T;
}

async function failureOf(promise: Promise<unknown>): Promise<ApplicationFailure> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ApplicationFailure);
  return err as ApplicationFailure;
}

const purchase = (client: DtsClient, clientToken = `t-${Math.random()}`) =>
  purchaseInstance(synchronizationJobFamily(client), {
    clientToken,
    regionId: 'cn-hangzhou',
    sourceRegion: 'cn-hangzhou',
    destinationRegion: 'cn-hangzhou',
    topology: 'bidirectional',
    jobClass: 'small',
    payType: 'PostPaid',
  });

const configure = (client: DtsClient, dtsJobId: string) =>
  configureDirection(client, {
    dtsJobId,
    regionId: 'cn-hangzhou',
    direction: 'Forward',
    jobName: 'client-test',
    source: { kind: 'enterprise', instanceId: 'r-demo-source-0001', region: 'cn-hangzhou', password: PASSWORD },
    destination: { kind: 'enterprise', instanceId: 'r-demo-target-0002', region: 'cn-hangzhou', password: PASSWORD },
    databases: [{ from: 0, to: 0 }],
  });

describe('DTS client over real HTTP (pop-core → emulator)', () => {
  it('sends POST with exact dotted wire names and JSON parameters as strings, and returns plain JSON', async () => {
    const client = new DtsClient(config);
    const { dtsJobId } = await purchase(client);
    await configure(client, dtsJobId);
    const { calls } = await admin<{ calls: { action: string; method: string; params: Record<string, string> }[] }>(
      'calls',
    );
    const configureCall = calls.find((c) => c.action === 'ConfigureSynchronizationJob')!;
    expect(configureCall.method).toBe('POST');
    expect(configureCall.params).toMatchObject({
      'SourceEndpoint.InstanceType': 'Redis',
      'SourceEndpoint.InstanceId': 'r-demo-source-0001',
      SynchronizationObjects: '[{"DBName":"0","NewDBName":"0"}]',
      MigrationReserved: '{"srcRedisType":"enterprise","destRedisType":"enterprise"}',
      SynchronizationDirection: 'Forward',
    });
    expect(Object.values(configureCall.params)).not.toContain('undefined');
    const body = await client.call('DescribeSynchronizationJobStatus', {
      SynchronizationJobId: dtsJobId,
      SynchronizationDirection: 'Forward',
    });
    expect(Object.getPrototypeOf(body)).toBe(Object.prototype);
  });

  it('asks DTS not to start by itself for the initialization window, keeping the Tair types', async () => {
    const client = new DtsClient(config);
    const { dtsJobId } = await purchase(client);
    await configureDirection(client, {
      dtsJobId,
      regionId: 'cn-hangzhou',
      direction: 'Forward',
      jobName: 'client-test',
      source: { kind: 'enterprise', instanceId: 'r-demo-source-0001', region: 'cn-hangzhou', password: PASSWORD },
      destination: { kind: 'enterprise', instanceId: 'r-demo-target-0002', region: 'cn-hangzhou', password: PASSWORD },
      databases: [{ from: 0, to: 0 }],
      startAutomatically: false,
    });
    const { calls } = await admin<{ calls: { action: string; params: Record<string, string> }[] }>('calls');
    const reserved = calls.find((c) => c.action === 'ConfigureSynchronizationJob')!.params.MigrationReserved!;
    expect(JSON.parse(reserved)).toEqual({
      srcRedisType: 'enterprise',
      destRedisType: 'enterprise',
      autoStartModulesAfterConfig: 'none',
    });
    const body = await client.call('DescribeSynchronizationJobStatus', {
      SynchronizationJobId: dtsJobId,
      SynchronizationDirection: 'Forward',
    });
    expect(body.Status).toBe('NotStarted');
  });

  it.each([
    ['throttling', DtsFailure.Throttled],
    ['unavailable', DtsFailure.Unavailable],
    ['internal-error', DtsFailure.Unavailable],
    ['bad-gateway-html', DtsFailure.Unavailable],
    ['reset-connection', DtsFailure.Network],
  ])('classifies a %s answer as retryable %s', async (kind, type) => {
    await admin('faults', { action: 'CreateSynchronizationJob', kind, count: 1 });
    const failure = await failureOf(purchase(new DtsClient(config)));
    expect(failure.type).toBe(type);
    expect(failure.nonRetryable).toBe(false);
  });

  it('classifies a slow answer as a retryable timeout', async () => {
    await admin('faults', { action: 'CreateSynchronizationJob', kind: 'delay-before', delayMs: 2_000, count: 1 });
    const failure = await failureOf(purchase(new DtsClient(config)));
    expect(failure.type).toBe(DtsFailure.Timeout);
    expect(failure.nonRetryable).toBe(false);
  });

  it('classifies wrong credentials, bad parameters and token reuse as permanent, keeping code and RequestId', async () => {
    const wrongSecret = await failureOf(purchase(new DtsClient({ ...config, accessKeySecret: 'not-the-secret' })));
    expect(wrongSecret).toMatchObject({ type: DtsFailure.Credentials, nonRetryable: true });
    expect(wrongSecret.details?.[0]).toMatchObject({ code: 'SignatureDoesNotMatch', requestId: expect.any(String) });

    const unknownKey = await failureOf(purchase(new DtsClient({ ...config, accessKeyId: 'nobody' })));
    expect(unknownKey).toMatchObject({ type: DtsFailure.Credentials, nonRetryable: true });

    const client = new DtsClient(config);
    const badClass = await failureOf(
      purchaseInstance(synchronizationJobFamily(client), {
        clientToken: 'x',
        regionId: 'cn-hangzhou',
        sourceRegion: 'cn-hangzhou',
        destinationRegion: 'cn-hangzhou',
        topology: 'oneway',
        jobClass: 'huge' as never,
        payType: 'PostPaid',
      }),
    );
    expect(badClass).toMatchObject({ type: DtsFailure.InvalidParameter, nonRetryable: true });

    await purchase(client, 'same-token');
    const mismatch = await failureOf(
      purchaseInstance(synchronizationJobFamily(client), {
        clientToken: 'same-token',
        regionId: 'cn-hangzhou',
        sourceRegion: 'cn-hangzhou',
        destinationRegion: 'cn-hangzhou',
        topology: 'oneway',
        jobClass: 'large',
        payType: 'PostPaid',
      }),
    );
    expect(mismatch).toMatchObject({ type: DtsFailure.IdempotencyMismatch, nonRetryable: true });
  });

  it('treats configuring a configured direction as a job-status conflict and a released instance as already gone', async () => {
    const client = new DtsClient(config);
    const { dtsJobId } = await purchase(client);
    await configure(client, dtsJobId);
    const twice = await failureOf(configure(client, dtsJobId));
    expect(twice).toMatchObject({ type: DtsFailure.JobStatusConflict, nonRetryable: true });
    expect(await releaseInstance(client, { dtsJobId, regionId: 'cn-hangzhou' })).toEqual({ outcome: 'released' });
    expect(await releaseInstance(client, { dtsJobId, regionId: 'cn-hangzhou' })).toEqual({ outcome: 'already-gone' });
  });

  it('keeps passwords, URLs and signatures out of error messages', async () => {
    const client = new DtsClient({ ...config, accessKeySecret: 'wrong-secret-value' });
    const failure = await failureOf(configure(client, 'dtsdoesnotexist'));
    const text = JSON.stringify({ message: failure.message, details: failure.details, stack: failure.stack });
    expect(text).not.toContain(PASSWORD);
    expect(text).not.toContain('wrong-secret-value');
    expect(text).not.toMatch(/Signature=|http:\/\/127\.0\.0\.1/);
  });
});

describe('DTS client against a gateway that answers Success:false', () => {
  let server: Server;
  let url: string;
  beforeAll(async () => {
    server = createServer((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(
        JSON.stringify({
          RequestId: 'req-1',
          Success: false,
          ErrCode: 'InvalidParameter.JobClass',
          ErrMessage: 'bad class',
        }),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('turns a 2xx business failure into a typed permanent failure', async () => {
    const failure = await failureOf(new DtsClient({ ...config, endpoint: url }).call('CreateSynchronizationJob', {}));
    expect(failure).toMatchObject({ type: DtsFailure.InvalidParameter, nonRetryable: true });
    expect(failure.details?.[0]).toMatchObject({ code: 'InvalidParameter.JobClass', requestId: 'req-1' });
  });
});
