import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../../emulator';
import {
  callError,
  configureParams,
  createJob,
  createParams,
  dtsClient,
  type DtsClient,
  startTestEmulator,
} from './helpers';

describe('parameter validation', () => {
  let emulator: RunningEmulator;
  let client: DtsClient;
  beforeAll(async () => {
    emulator = await startTestEmulator();
    client = dtsClient(emulator);
  });
  afterAll(() => emulator.close());

  const rejectsCreate = async (overrides: Record<string, unknown>, code: string) => {
    const error = await callError(client, 'CreateSynchronizationJob', createParams(overrides));
    expect(error.code).toBe(code);
    expect(error.entry.response.statusCode).toBe(400);
  };

  it('refuses missing required parameters of CreateSynchronizationJob', async () => {
    const { SourceRegion: _s, ...withoutSource } = createParams();
    expect((await callError(client, 'CreateSynchronizationJob', withoutSource)).code).toBe('MissingSourceRegion');
    const { PayType: _p, ...withoutPayType } = createParams();
    expect((await callError(client, 'CreateSynchronizationJob', withoutPayType)).code).toBe('MissingPayType');
  });

  it('refuses values outside their enums with InvalidParameter naming the parameter', async () => {
    for (const [name, value] of [
      ['SynchronizationJobClass', 'huge'],
      ['Topology', 'ring'],
      ['PayType', 'Free'],
      ['networkType', 'Internet'],
      ['SourceEndpoint.InstanceType', 'Oracle'],
    ] as const) {
      const error = await callError(client, 'CreateSynchronizationJob', createParams({ [name]: value }));
      expect([error.code, error.entry.response.statusCode]).toEqual(['InvalidParameter', 400]);
      expect(error.data.Message).toContain(`"${name}"`);
    }
    await rejectsCreate(
      { Topology: 'bidirectional', 'DestinationEndpoint.InstanceType': 'MaxCompute' },
      'InvalidTopology',
    );
    await rejectsCreate({ SourceRegion: 'cn-hongkong', DestRegion: 'cn-hangzhou' }, 'InvalidDestRegion');
  });

  it('accepts PayType in either capitalisation and requires Period/UsedTime for PrePaid', async () => {
    expect(await createJob(client, { PayType: 'Postpaid' })).toMatch(/^dts/);
    await rejectsCreate({ PayType: 'Prepaid' }, 'MissingPeriod');
    await rejectsCreate({ PayType: 'PrePaid', Period: 'Month' }, 'MissingUsedTime');
    await rejectsCreate({ PayType: 'PrePaid', Period: 'Year', UsedTime: 6 }, 'InvalidUsedTime');
    await rejectsCreate({ PayType: 'PrePaid', Period: 'Month', UsedTime: 61 }, 'InvalidParameter');
    const jobId = await createJob(client, { PayType: 'PrePaid', Period: 'Month', UsedTime: 2 });
    const status = await client.call('DescribeSynchronizationJobStatus', { SynchronizationJobId: jobId });
    expect(status.PayType).toBe('PrePaid');
    expect(status.ExpireTime).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
  });

  it('refuses the literal strings undefined, null and [object Object]', async () => {
    await rejectsCreate({ RegionId: undefined }, 'InvalidRegionId');
    await rejectsCreate({ SourceRegion: null }, 'InvalidSourceRegion');
    await rejectsCreate({ ClientToken: { token: 1 } }, 'InvalidClientToken');
  });

  it('refuses a ClientToken longer than 64 characters', async () => {
    await rejectsCreate({ ClientToken: 'x'.repeat(65) }, 'InvalidParameter');
  });

  it('refuses JSON parameters that do not parse or have the wrong shape', async () => {
    const jobId = await createJob(client);
    const configure = (overrides: Record<string, unknown>) =>
      callError(client, 'ConfigureSynchronizationJob', configureParams(jobId, overrides));
    expect((await configure({ SynchronizationObjects: '[{"DBName":"0"' })).code).toBe('InvalidParameter');
    expect((await configure({ SynchronizationObjects: '{"DBName":"0"}' })).code).toBe('InvalidSynchronizationObjects');
    expect((await configure({ SynchronizationObjects: '' })).code).toBe('MissingSynchronizationObjects');
    expect((await configure({ MigrationReserved: '{autoStart' })).code).toBe('InvalidParameter');
    expect((await configure({ MigrationReserved: '{"autoStartModulesAfterConfig":"later"}' })).code).toBe(
      'InvalidMigrationReserved',
    );
  });

  it('refuses bad ConfigureSynchronizationJob parameters', async () => {
    const jobId = await createJob(client);
    const configure = (overrides: Record<string, unknown>) =>
      callError(client, 'ConfigureSynchronizationJob', configureParams(jobId, overrides));
    expect((await configure({ StructureInitialization: 'yes' })).code).toBe('InvalidParameter');
    expect((await configure({ DataInitialization: undefined })).code).toBe('InvalidDataInitialization');
    expect((await configure({ SynchronizationDirection: 'forward' })).code).toBe('InvalidParameter');
    expect((await configure({ SynchronizationDirection: 'Reverse' })).code).toBe('InvalidSynchronizationDirection');
    expect((await configure({ 'SourceEndpoint.InstanceType': 'RDS' })).code).toBe('InvalidSourceEndpoint.InstanceType');
    expect((await configure({ 'SourceEndpoint.InstanceId': '' })).code).toBe('MissingSourceEndpoint.InstanceId');
    expect((await configure({ 'DestinationEndpoint.InstanceType': 'Express' })).code).toBe(
      'MissingDestinationEndpoint.IP',
    );
    expect(
      (
        await configure({
          'SourceEndpoint.InstanceType': 'ECS',
          'SourceEndpoint.Port': 70000,
          'SourceEndpoint.UserName': 'default',
        })
      ).code,
    ).toBe('InvalidParameter');
    // The SDK model requires an account for self-managed kinds (ECS, Express, dg, cen), not for Redis.
    expect((await configure({ 'SourceEndpoint.InstanceType': 'ECS', 'SourceEndpoint.Port': 6379 })).code).toBe(
      'MissingSourceEndpoint.UserName',
    );
    expect(
      (
        await configure({
          'DestinationEndpoint.InstanceType': 'Express',
          'DestinationEndpoint.IP': '10.0.0.9',
          'DestinationEndpoint.Port': 6379,
        })
      ).code,
    ).toBe('MissingDestinationEndpoint.UserName');
    // Nothing was configured by the refused calls.
    const status = await client.call('DescribeSynchronizationJobStatus', { SynchronizationJobId: jobId });
    expect(status.Status).toBe('NotConfigured');
  });

  it('answers Forbidden.InstanceNotFound (404) for an unknown job id', async () => {
    const error = await callError(client, 'DescribeSynchronizationJobStatus', {
      SynchronizationJobId: 'dtsdoesnotexist',
    });
    expect(error.code).toBe('Forbidden.InstanceNotFound');
    expect(error.entry.response.statusCode).toBe(404);
    expect((await callError(client, 'StartSynchronizationJob', {})).code).toBe('MissingSynchronizationJobId');
  });
});

describe('ClientToken on CreateSynchronizationJob', () => {
  let emulator: RunningEmulator;
  let client: DtsClient;
  beforeAll(async () => {
    emulator = await startTestEmulator();
    client = dtsClient(emulator);
  });
  afterAll(() => emulator.close());

  it('returns the same instance for the same token and parameters', async () => {
    const first = await createJob(client, { ClientToken: 'wf-1234-create' });
    const again = await createJob(client, { ClientToken: 'wf-1234-create' });
    const viaGet = (
      await dtsClient(emulator, 'GET').call('CreateSynchronizationJob', createParams({ ClientToken: 'wf-1234-create' }))
    ).SynchronizationJobId;
    expect(again).toBe(first);
    expect(viaGet).toBe(first);
    const list = await client.call('DescribeSynchronizationJobs', {});
    expect(list.TotalRecordCount).toBe(1);
  });

  it('refuses the same token with other parameters with IdempotentParameterMismatch', async () => {
    await createJob(client, { ClientToken: 'wf-5678-create' });
    const error = await callError(
      client,
      'CreateSynchronizationJob',
      createParams({ ClientToken: 'wf-5678-create', SynchronizationJobClass: 'large' }),
    );
    expect(error.code).toBe('IdempotentParameterMismatch');
    expect(error.entry.response.statusCode).toBe(400);
  });

  it('creates distinct instances without a token or with distinct tokens', async () => {
    const a = await createJob(client);
    const b = await createJob(client);
    const c = await createJob(client, { ClientToken: 'other-token' });
    expect(new Set([a, b, c]).size).toBe(3);
  });
});
