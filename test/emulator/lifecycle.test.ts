import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../../emulator';
import {
  admin,
  adminJob,
  callError,
  configureParams,
  createJob,
  describeStatus,
  dtsClient,
  type DtsClient,
  reverseParams,
  SOURCE,
  startTestEmulator,
  TARGET,
  waitForStatus,
} from './helpers';

const failedItems = (status: Record<string, any>) =>
  (status.PrecheckStatus.Detail as Array<Record<string, string>>)
    .filter((i) => i.CheckStatus === 'Failed')
    .map((i) => i.ItemName);

describe('lifecycle', () => {
  let emulator: RunningEmulator;
  let client: DtsClient;
  beforeAll(async () => {
    emulator = await startTestEmulator();
    client = dtsClient(emulator);
  });
  beforeEach(async () => {
    await admin(emulator, 'POST', 'reset');
  });
  afterAll(() => emulator.close());

  it('runs a one-way job through precheck, initialization and synchronization', async () => {
    const jobId = await createJob(client);
    expect((await describeStatus(client, jobId)).Status).toBe('NotConfigured');
    await client.call('ConfigureSynchronizationJob', configureParams(jobId));

    const prechecking = await describeStatus(client, jobId);
    expect(prechecking.Status).toBe('Prechecking');
    const initializing = await waitForStatus(client, jobId, 'Initializing');
    expect(initializing.PrecheckStatus).toMatchObject({ Status: 'Success', Percent: '100' });
    const synchronizing = await waitForStatus(client, jobId, 'Synchronizing');
    expect(synchronizing).toMatchObject({
      Success: true,
      SynchronizationJobName: 'redis-sync-test',
      StructureInitialization: 'true',
      StructureInitializationStatus: { Status: 'Finished', Percent: '100' },
      DataInitializationStatus: { Status: 'Finished', Percent: '100' },
      DataSynchronizationStatus: { Status: 'Migrating' },
      SourceEndpoint: { InstanceId: SOURCE.id },
      DestinationEndpoint: { InstanceId: TARGET.id },
    });
    expect(synchronizing.Delay).toMatch(/^\d+$/);
    expect(Number(synchronizing.Checkpoint)).toBeGreaterThan(Date.now() / 1000 - 60);

    const job = await adminJob(emulator, jobId);
    expect(job.directions.Forward.history.map((h: { status: string }) => h.status)).toEqual([
      'NotConfigured',
      'Prechecking',
      'Initializing',
      'Synchronizing',
    ]);
    expect(job.directions.Forward.configureCount).toBe(1);
    expect(JSON.stringify(job)).not.toContain(SOURCE.password);
  });

  it('reports initialization progress rising', async () => {
    const jobId = await createJob(client);
    await client.call('ConfigureSynchronizationJob', configureParams(jobId));
    await waitForStatus(client, jobId, 'Initializing');
    const seen = new Set<number>();
    for (let i = 0; i < 40; i++) {
      const status = await describeStatus(client, jobId);
      if (status.Status !== 'Initializing') break;
      seen.add(Number(status.DataInitializationStatus.Percent) + Number(status.StructureInitializationStatus.Percent));
      await new Promise((r) => setTimeout(r, 5));
    }
    expect(seen.size).toBeGreaterThan(1);
  });

  it('refuses to configure a direction twice', async () => {
    const jobId = await createJob(client);
    await client.call('ConfigureSynchronizationJob', configureParams(jobId));
    const error = await callError(client, 'ConfigureSynchronizationJob', configureParams(jobId));
    expect(error.code).toBe('OperationDenied.JobStatus');
    expect(error.entry.response.statusCode).toBe(403);
    expect((await adminJob(emulator, jobId)).directions.Forward.configureCount).toBe(1);
  });

  it('does not start when autoStartModulesAfterConfig is none, then starts on StartSynchronizationJob', async () => {
    const jobId = await createJob(client);
    await client.call(
      'ConfigureSynchronizationJob',
      configureParams(jobId, { MigrationReserved: '{"autoStartModulesAfterConfig":"none"}' }),
    );
    await new Promise((r) => setTimeout(r, 60));
    const idle = await describeStatus(client, jobId);
    expect(idle.Status).toBe('NotStarted');
    expect(idle.PrecheckStatus.Status).toBe('NotStarted');
    await client.call('StartSynchronizationJob', { SynchronizationJobId: jobId });
    expect((await describeStatus(client, jobId)).Status).toBe('Prechecking');
    await waitForStatus(client, jobId, 'Synchronizing');
    expect((await adminJob(emulator, jobId)).directions.Forward.startCount).toBe(1);
  });

  it('fails the precheck for an unknown instance and for a wrong password', async () => {
    const unknown = await createJob(client);
    await client.call(
      'ConfigureSynchronizationJob',
      configureParams(unknown, { 'DestinationEndpoint.InstanceId': 'r-missing' }),
    );
    const failed = await waitForStatus(client, unknown, 'PrecheckFailed');
    expect(failedItems(failed)).toContain('CHECK_CONN_DEST');
    expect(failed.ErrorMessage).toContain('DTS-');
    for (const item of failed.PrecheckStatus.Detail)
      expect(Object.keys(item).sort()).toEqual(['CheckStatus', 'ErrorMessage', 'ItemName', 'RepairMethod']);

    await admin(emulator, 'POST', 'reset');
    const wrongPassword = await createJob(client);
    await client.call(
      'ConfigureSynchronizationJob',
      configureParams(wrongPassword, { 'SourceEndpoint.Password': 'nope' }),
    );
    const denied = await waitForStatus(client, wrongPassword, 'PrecheckFailed');
    expect(failedItems(denied)).toEqual(['CHECK_AUTH_SRC']);
    expect(denied.StructureInitializationStatus.Status).toBe('NotStarted');
  });

  it('re-runs the precheck on Start after PrecheckFailed, with the registry as it is now', async () => {
    const jobId = await createJob(client);
    await client.call(
      'ConfigureSynchronizationJob',
      configureParams(jobId, { 'SourceEndpoint.Password': 'rotated-Pa55' }),
    );
    await waitForStatus(client, jobId, 'PrecheckFailed');
    await admin(emulator, 'POST', 'instances', { instanceId: SOURCE.id, password: 'rotated-Pa55' });
    await client.call('StartSynchronizationJob', { SynchronizationJobId: jobId });
    await waitForStatus(client, jobId, 'Synchronizing');
  });

  it('warns but passes when the destination maxmemory-policy is not noeviction', async () => {
    await admin(emulator, 'POST', 'instances', {
      instanceId: TARGET.id,
      password: TARGET.password,
      maxmemoryPolicy: 'volatile-lru',
    });
    const jobId = await createJob(client);
    await client.call('ConfigureSynchronizationJob', configureParams(jobId));
    const status = await waitForStatus(client, jobId, 'Initializing');
    const item = status.PrecheckStatus.Detail.find(
      (i: { ItemName: string }) => i.ItemName === 'CHECK_DEST_EVICTION_POLICY',
    );
    expect(item.CheckStatus).toBe('Warning');
  });

  it('fails the precheck of a cascading one-way sync', async () => {
    await admin(emulator, 'POST', 'instances', { instanceId: 'r-third-0003', password: 'third-Pa55' });
    const first = await createJob(client);
    await client.call('ConfigureSynchronizationJob', configureParams(first));
    const second = await createJob(client);
    await client.call(
      'ConfigureSynchronizationJob',
      configureParams(second, {
        'SourceEndpoint.InstanceId': TARGET.id,
        'SourceEndpoint.Password': TARGET.password,
        'DestinationEndpoint.InstanceId': 'r-third-0003',
        'DestinationEndpoint.Password': 'third-Pa55',
      }),
    );
    const failed = await waitForStatus(client, second, 'PrecheckFailed');
    expect(failedItems(failed)).toEqual(['CHECK_TOPOLOGY']);
    // Once the first job is released the chain is gone.
    await client.call('DeleteSynchronizationJob', { SynchronizationJobId: first });
    await client.call('StartSynchronizationJob', { SynchronizationJobId: second });
    await waitForStatus(client, second, 'Synchronizing');
  });

  it('suspends and resumes, and refuses operations in the wrong state', async () => {
    const jobId = await createJob(client);
    expect((await callError(client, 'StartSynchronizationJob', { SynchronizationJobId: jobId })).code).toBe(
      'OperationDenied.JobStatus',
    );
    await client.call('ConfigureSynchronizationJob', configureParams(jobId));
    expect((await callError(client, 'SuspendSynchronizationJob', { SynchronizationJobId: jobId })).code).toBe(
      'OperationDenied.JobStatus',
    );
    expect((await callError(client, 'StartSynchronizationJob', { SynchronizationJobId: jobId })).code).toBe(
      'OperationDenied.JobStatus',
    );
    await waitForStatus(client, jobId, 'Synchronizing');
    expect((await callError(client, 'StartSynchronizationJob', { SynchronizationJobId: jobId })).code).toBe(
      'OperationDenied.JobStatus',
    );
    await client.call('SuspendSynchronizationJob', { SynchronizationJobId: jobId });
    const paused = await describeStatus(client, jobId);
    expect(paused.Status).toBe('Suspending');
    await client.call('StartSynchronizationJob', { SynchronizationJobId: jobId });
    expect((await describeStatus(client, jobId)).Status).toBe('Synchronizing');
  });

  it('resets a direction so it can be configured again, and deletes the instance', async () => {
    const jobId = await createJob(client);
    await client.call('ConfigureSynchronizationJob', configureParams(jobId, { 'SourceEndpoint.Password': 'wrong' }));
    await waitForStatus(client, jobId, 'PrecheckFailed');
    await client.call('ResetSynchronizationJob', { SynchronizationJobId: jobId, SynchronizationDirection: 'Forward' });
    expect((await describeStatus(client, jobId)).Status).toBe('NotConfigured');
    await client.call('ConfigureSynchronizationJob', configureParams(jobId));
    await waitForStatus(client, jobId, 'Synchronizing');
    expect((await adminJob(emulator, jobId)).directions.Forward.configureCount).toBe(2);

    await client.call('DeleteSynchronizationJob', { SynchronizationJobId: jobId });
    expect((await callError(client, 'DescribeSynchronizationJobStatus', { SynchronizationJobId: jobId })).code).toBe(
      'Forbidden.InstanceNotFound',
    );
    expect((await callError(client, 'DeleteSynchronizationJob', { SynchronizationJobId: jobId })).code).toBe(
      'Forbidden.InstanceNotFound',
    );
    const job = await adminJob(emulator, jobId);
    expect(job.released).toBe(true);
    expect(job.releasedAt).toEqual(expect.any(String));
  });
});

describe('bidirectional', () => {
  let emulator: RunningEmulator;
  let client: DtsClient;
  beforeAll(async () => {
    emulator = await startTestEmulator();
    client = dtsClient(emulator);
  });
  beforeEach(async () => {
    await admin(emulator, 'POST', 'reset');
  });
  afterAll(() => emulator.close());

  it('configures Reverse only once Forward is Synchronizing, then syncs incrementally only', async () => {
    const jobId = await createJob(client, { Topology: 'bidirectional' });
    expect((await describeStatus(client, jobId, 'Reverse')).Status).toBe('NotConfigured');
    await client.call('ConfigureSynchronizationJob', configureParams(jobId));

    const early = await callError(client, 'ConfigureSynchronizationJob', reverseParams(jobId));
    expect(early.code).toBe('OperationDenied.JobStatus');
    expect(early.data.Message).toContain('Forward');

    await waitForStatus(client, jobId, 'Synchronizing');
    await admin(emulator, 'POST', 'instances', { instanceId: 'r-stranger-0009', password: 'stranger-Pa55' });
    const foreign = await callError(
      client,
      'ConfigureSynchronizationJob',
      reverseParams(jobId, {
        'DestinationEndpoint.InstanceId': 'r-stranger-0009',
        'DestinationEndpoint.Password': 'stranger-Pa55',
      }),
    );
    expect(foreign.code).toBe('InvalidDestinationEndpoint.InstanceId');

    await client.call('ConfigureSynchronizationJob', reverseParams(jobId));
    const reverse = await waitForStatus(client, jobId, 'Synchronizing', 'Reverse');
    expect(reverse.StructureInitializationStatus.Status).toBe('NotStarted');
    expect(reverse.DataInitializationStatus.Status).toBe('NotStarted');
    expect(reverse.SourceEndpoint.InstanceId).toBe(TARGET.id);
    const history = (await adminJob(emulator, jobId)).directions.Reverse.history.map(
      (h: { status: string }) => h.status,
    );
    expect(history).toEqual(['NotConfigured', 'Prechecking', 'Synchronizing']);

    const list = await client.call('DescribeSynchronizationJobStatusList', {
      SynchronizationJobIdListJsonStr: JSON.stringify([jobId]),
    });
    expect(
      list.SynchronizationJobListStatusList[0].SynchronizationDirectionInfoList.map(
        (d: { Status: string }) => d.Status,
      ),
    ).toEqual(['Synchronizing', 'Synchronizing']);
  });

  it('accepts the Forward pair in the same order for Reverse', async () => {
    const jobId = await createJob(client, { Topology: 'bidirectional' });
    await client.call(
      'ConfigureSynchronizationJob',
      configureParams(jobId, { StructureInitialization: false, DataInitialization: false }),
    );
    await waitForStatus(client, jobId, 'Synchronizing');
    await client.call('ConfigureSynchronizationJob', configureParams(jobId, { SynchronizationDirection: 'Reverse' }));
    await waitForStatus(client, jobId, 'Synchronizing', 'Reverse');
  });
});

describe('listing', () => {
  let emulator: RunningEmulator;
  let client: DtsClient;
  beforeAll(async () => {
    emulator = await startTestEmulator();
    client = dtsClient(emulator);
  });
  afterAll(() => emulator.close());

  it('pages DescribeSynchronizationJobs and filters by name', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) ids.push(await createJob(client));
    const named = ids[0] as string;
    await client.call(
      'ConfigureSynchronizationJob',
      configureParams(named, {
        SynchronizationJobName: 'orders-cache-sync',
        MigrationReserved: '{"autoStartModulesAfterConfig":"none"}',
      }),
    );

    const first = await client.call('DescribeSynchronizationJobs', { PageSize: 10, PageNum: 1 });
    const second = await client.call('DescribeSynchronizationJobs', { PageSize: 10, PageNum: 2 });
    expect([first.TotalRecordCount, first.PageRecordCount, second.PageRecordCount]).toEqual([12, 10, 2]);
    expect(first.SynchronizationInstances[0]).toMatchObject({
      Status: 'NotConfigured',
      SynchronizationDirection: 'Forward',
    });
    expect(first.SynchronizationInstances[0].CreateTime).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.0$/);

    const filtered = await client.call('DescribeSynchronizationJobs', { SynchronizationJobName: 'cache' });
    expect(
      filtered.SynchronizationInstances.map((i: { SynchronizationJobId: string }) => i.SynchronizationJobId),
    ).toEqual([named]);
    // The reference allows 10, 20 and 30 only (an older page's 100 included).
    for (const PageSize of [7, 50, 100]) {
      const refused = await callError(client, 'DescribeSynchronizationJobs', { PageSize });
      expect([refused.code, refused.entry.response.statusCode]).toEqual(['InvalidParameter', 400]);
      expect(refused.data.Message).toContain('"PageSize"');
    }
  });
});
