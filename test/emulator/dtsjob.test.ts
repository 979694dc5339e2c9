// The DtsJob family over real HTTP with the real pop-core client: the reference table's limits, RAM, both
// families on one job model, the new dialect switches, and a task's way to Synchronizing with real data.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import type { RunningEmulator } from '../../emulator';
import { SHIPPED_RAM_POLICY } from '../../emulator/ram';
import { DTS_ACTIONS } from '../../emulator/reference/dts';
import { connectRedis } from '../../common/redis';
import { redisAvailable } from '../redis/helpers';
import {
  admin,
  type Body,
  callError,
  configureParams,
  createJob,
  describeStatus,
  dtsClient,
  type DtsClient,
  SOURCE,
  startTestEmulator,
  TARGET,
  waitForStatus,
} from './helpers';

const dir = mkdtempSync(join(tmpdir(), 'dtsjob-policy-'));

/** The shipped policy plus every DtsJob action of the reference table, less the ones named. */
function policy(without: string[] = []): string {
  const document = JSON.parse(readFileSync(SHIPPED_RAM_POLICY, 'utf8')) as { Statement: { Action: string[] }[] };
  const dtsJob = Object.entries(DTS_ACTIONS)
    .filter(([, spec]) => spec.family === 'dtsjob')
    .map(([action]) => `dts:${action}`);
  const first = document.Statement[0] as { Action: string[] };
  first.Action = [...new Set([...first.Action, ...dtsJob])].filter((a) => !without.includes(a));
  const path = join(dir, `policy-${without.join('-') || 'all'}.json`);
  writeFileSync(path, JSON.stringify(document));
  return path;
}

const createInstance = (overrides: Record<string, unknown> = {}) => ({
  RegionId: 'cn-hangzhou',
  Type: 'SYNC',
  SourceRegion: 'cn-hangzhou',
  DestinationRegion: 'cn-hangzhou',
  SourceEndpointEngineName: 'Redis',
  DestinationEndpointEngineName: 'Redis',
  InstanceClass: 'small',
  PayType: 'PostPaid',
  SyncArchitecture: 'oneway',
  Quantity: 1,
  ...overrides,
});

const configureTask = (instanceId: string, overrides: Record<string, unknown> = {}) => ({
  RegionId: 'cn-hangzhou',
  DtsInstanceId: instanceId,
  DtsJobName: 'redis-dtsjob-test',
  JobType: 'SYNC',
  SynchronizationDirection: 'Forward',
  StructureInitialization: true,
  DataInitialization: true,
  DataSynchronization: true,
  DbList: '{"0":{"name":"0","all":true}}',
  SourceEndpointInstanceType: 'REDIS',
  SourceEndpointEngineName: 'REDIS',
  SourceEndpointRegion: 'cn-hangzhou',
  SourceEndpointInstanceID: SOURCE.id,
  SourceEndpointPassword: SOURCE.password,
  DestinationEndpointInstanceType: 'REDIS',
  DestinationEndpointEngineName: 'REDIS',
  DestinationEndpointRegion: 'cn-hangzhou',
  DestinationEndpointInstanceID: TARGET.id,
  DestinationEndpointPassword: TARGET.password,
  ...overrides,
});

const reverseTask = (instanceId: string, overrides: Record<string, unknown> = {}) =>
  configureTask(instanceId, {
    SynchronizationDirection: 'Reverse',
    SourceEndpointInstanceID: TARGET.id,
    SourceEndpointPassword: TARGET.password,
    DestinationEndpointInstanceID: SOURCE.id,
    DestinationEndpointPassword: SOURCE.password,
    ...overrides,
  });

async function buy(client: DtsClient, overrides: Record<string, unknown> = {}) {
  const body = await client.call('CreateDtsInstance', createInstance(overrides));
  return { instanceId: body.InstanceId as string, jobId: body.JobId as string };
}

const detail = (client: DtsClient, jobId: string, direction = 'Forward') =>
  client.call('DescribeDtsJobDetail', {
    RegionId: 'cn-hangzhou',
    DtsJobId: jobId,
    SynchronizationDirection: direction,
  });

const listSync = (client: DtsClient, params: Record<string, unknown> = {}) =>
  client.call('DescribeDtsJobs', { Region: 'cn-hangzhou', JobType: 'SYNC', PageSize: 30, PageNumber: 1, ...params });

/** Polls DescribeDtsJobDetail until Status matches, recording every status seen on the way. */
async function waitForTask(client: DtsClient, jobId: string, status: string, direction = 'Forward', timeoutMs = 8000) {
  const seen: string[] = [];
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const body = await detail(client, jobId, direction);
    if (seen.at(-1) !== body.Status) seen.push(body.Status as string);
    if (String(body.Status).toLowerCase() === status.toLowerCase()) return { body, seen };
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`task ${jobId} did not reach ${status}; seen ${seen.join(' → ')}`);
}

describe('the DtsJob family', () => {
  const running: RunningEmulator[] = [];
  const start = async (dialect?: string, ramPolicy = policy(), extra = {}) => {
    const emulator = await startTestEmulator({ ramPolicy, ...(dialect ? { dialect } : {}), ...extra });
    running.push(emulator);
    return { emulator, client: dtsClient(emulator) };
  };
  let client: DtsClient;
  beforeAll(async () => {
    ({ client } = await start());
  });
  afterAll(() => Promise.all(running.map((e) => e.close())));

  it('buys an instance whose task is NotConfigured, lists it only as SYNC, and runs it to Synchronizing', async () => {
    const { instanceId, jobId } = await buy(client);
    expect(instanceId).toBe(`dts${jobId}`);
    const before = await listSync(client, { DtsInstanceId: instanceId });
    expect(before.DtsJobList).toHaveLength(1);
    expect(before.DtsJobList[0]).toMatchObject({ DtsJobId: jobId, DtsInstanceID: instanceId, Status: 'NotConfigured' });
    // The list's JobType defaults to MIGRATION.
    const migrations = await client.call('DescribeDtsJobs', { Region: 'cn-hangzhou', DtsInstanceId: instanceId });
    expect(migrations.TotalRecordCount).toBe(0);

    const configured = await client.call('ConfigureDtsJob', configureTask(instanceId));
    expect(configured).toMatchObject({ DtsInstanceId: instanceId, DtsJobId: jobId, Success: 'true' });
    const { body, seen } = await waitForTask(client, jobId, 'Synchronizing');
    expect(seen).toEqual(['Prechecking', 'Initializing', 'Synchronizing']);
    expect(body).toMatchObject({
      DtsJobId: jobId,
      DtsInstanceID: instanceId,
      DtsJobName: 'redis-dtsjob-test',
      SynchronizationDirection: 'Forward',
      PayType: 'PostPaid',
      MigrationMode: { StructureInitialization: true, DataInitialization: true, DataSynchronization: true },
      SourceEndpoint: { InstanceID: SOURCE.id, InstanceType: 'REDIS', EngineName: 'REDIS', Region: 'cn-hangzhou' },
      DataSynchronizationStatus: { Status: 'Migrating' },
    });
    expect(typeof body.Delay).toBe('number');
    const item = (await listSync(client, { DtsJobId: jobId })).DtsJobList[0] as Body;
    expect(item.PrecheckStatus).toMatchObject({ Status: 'Finished', Percent: '100' });
    expect(item.PrecheckStatus.Detail[0]).toMatchObject({ CheckItem: 'CHECK_CONN_SRC', CheckResult: 'Success' });
    expect(item.DbObject).toBe('{"0":{"name":"0","all":true}}');
  });

  it('answers PageSize outside 10/20/30 with InvalidParameter', async () => {
    for (const PageSize of [100, 50, 5]) {
      const error = await callError(client, 'DescribeDtsJobs', { JobType: 'SYNC', PageSize });
      expect([error.code, error.entry.response.statusCode]).toEqual(['InvalidParameter', 400]);
      expect(error.data.Message).toContain('"PageSize"');
    }
    expect((await listSync(client, { PageSize: 10 })).Success).toBe(true);
  });

  it('answers a missing required parameter with Missing<Name>, and values outside the table with InvalidParameter', async () => {
    const { instanceId, jobId } = await buy(client);
    const missing = async (action: string, params: Record<string, unknown>, name: string) => {
      const { [name]: _dropped, ...rest } = params;
      const error = await callError(client, action, rest);
      expect([error.code, error.entry.response.statusCode], `${action} without ${name}`).toEqual([
        `Missing${name}`,
        400,
      ]);
    };
    await missing('CreateDtsInstance', createInstance(), 'PayType');
    await missing('CreateDtsInstance', createInstance(), 'SourceRegion');
    await missing('CreateDtsInstance', createInstance({ PayType: 'PrePaid', Period: 'Month', UsedTime: 1 }), 'Period');
    for (const name of ['DtsJobName', 'JobType', 'DataSynchronization', 'SourceEndpointInstanceType']) {
      await missing('ConfigureDtsJob', configureTask(instanceId), name);
    }
    await missing('ConfigureDtsJob', configureTask(instanceId), 'SourceEndpointInstanceID');
    await missing('ConfigureDtsJob', configureTask(instanceId), 'DestinationEndpointRegion');
    for (const action of ['DescribeDtsJobDetail', 'StartDtsJob', 'SuspendDtsJob', 'ResetDtsJob', 'DeleteDtsJob']) {
      await missing(action, { DtsJobId: jobId, RegionId: 'cn-hangzhou' }, 'DtsJobId');
    }
    const invalid = async (action: string, params: Record<string, unknown>, name: string) => {
      const error = await callError(client, action, params);
      expect([error.code, error.entry.response.statusCode], `${action} ${name}`).toEqual(['InvalidParameter', 400]);
      expect(error.data.Message).toContain(`"${name}"`);
    };
    await invalid('CreateDtsInstance', createInstance({ Quantity: 2 }), 'Quantity');
    await invalid('CreateDtsInstance', createInstance({ SyncArchitecture: 'ring' }), 'SyncArchitecture');
    await invalid('CreateDtsInstance', createInstance({ PayType: 'PrePaid', Period: 'Year', UsedTime: 4 }), 'UsedTime');
    await invalid('ConfigureDtsJob', configureTask(instanceId, { DbList: '{"0":' }), 'DbList');
    await invalid(
      'ConfigureDtsJob',
      configureTask(instanceId, { SourceEndpointEngineName: 'MYSQL' }),
      'SourceEndpointEngineName',
    );
    await invalid(
      'DeleteDtsJobs',
      { DtsJobIds: Array.from({ length: 11 }, (_, i) => `job${i}`).join(',') },
      'DtsJobIds',
    );
    expect((await callError(client, 'StartDtsJob', { DtsJobId: 'nosuchtask' })).code).toBe(
      'Forbidden.InstanceNotFound',
    );
  });

  it('refuses an action the policy lacks with Forbidden.RAM 403; the shipped policy grants only what the client sends', async () => {
    const { client: limited } = await start(undefined, policy(['dts:StartDtsJob']));
    const { jobId } = await buy(limited);
    const error = await callError(limited, 'StartDtsJob', { DtsJobId: jobId });
    expect([error.code, error.entry.response.statusCode]).toEqual(['Forbidden.RAM', 403]);
    expect(error.data.Message).toContain('dts:StartDtsJob');
    const shipped = JSON.parse(readFileSync(SHIPPED_RAM_POLICY, 'utf8')) as { Statement: { Action: string[] }[] };
    if (!shipped.Statement.some((s) => s.Action.includes('dts:CreateDtsInstance'))) {
      const { client: underShipped } = await start(undefined, SHIPPED_RAM_POLICY);
      expect((await callError(underShipped, 'CreateDtsInstance', createInstance())).code).toBe('Forbidden.RAM');
    }
  });

  it('shares one job model with the legacy family by default, and keeps them apart with familyView=separate', async () => {
    const legacyId = await createJob(client);
    await client.call('ConfigureSynchronizationJob', configureParams(legacyId));
    await waitForStatus(client, legacyId, 'Synchronizing');
    const item = (await listSync(client, { DtsInstanceId: legacyId })).DtsJobList[0] as Body;
    expect(item).toMatchObject({ DtsInstanceID: legacyId, DtsJobId: legacyId.slice(3), Status: 'Synchronizing' });
    const { instanceId } = await buy(client, {
      SourceRegion: 'cn-hongkong',
      DestinationRegion: 'ap-southeast-1',
      RegionId: 'ap-southeast-1',
    });
    expect((await describeStatus(client, instanceId)).Status).toBe('NotConfigured');

    const { client: apart } = await start('familyView=separate');
    const legacy = await createJob(apart);
    const bought = await buy(apart);
    expect(
      (await callError(apart, 'DescribeSynchronizationJobStatus', { SynchronizationJobId: bought.instanceId })).code,
    ).toBe('Forbidden.InstanceNotFound');
    expect((await callError(apart, 'DescribeDtsJobDetail', { DtsJobId: legacy.slice(3) })).code).toBe(
      'Forbidden.InstanceNotFound',
    );
    expect((await apart.call('DescribeDtsJobs', { JobType: 'SYNC' })).TotalRecordCount).toBe(1);
    expect((await apart.call('DescribeSynchronizationJobs', { PageSize: 30 })).TotalRecordCount).toBe(1);
  });

  it('answers a refusal in the body with errorEnvelope=body', async () => {
    const { client: body } = await start('errorEnvelope=body');
    const { jobId } = await buy(body);
    const answer = await body.call('StartDtsJob', { DtsJobId: jobId });
    expect(answer).toMatchObject({ Success: 'false', ErrCode: 'OperationDenied.JobStatus', HttpStatusCode: 403 });
  });

  it('refuses a second Configure by the reconfigure switch, and gives a reset task a new id with resetJobId=new', async () => {
    const { client: strict } = await start('reconfigure=invalidParameter,resetJobId=new');
    const { instanceId, jobId } = await buy(strict);
    await strict.call('ConfigureDtsJob', configureTask(instanceId));
    const again = await callError(strict, 'ConfigureDtsJob', configureTask(instanceId));
    expect([again.code, again.entry.response.statusCode]).toEqual(['InvalidParameter', 403]);
    expect(
      (await callError(client, 'ConfigureDtsJob', configureTask((await buy(client)).instanceId, { DtsJobId: 'x' })))
        .code,
    ).toBe('Forbidden.InstanceNotFound');
    await strict.call('ResetDtsJob', { DtsJobId: jobId, DtsInstanceId: instanceId });
    expect((await callError(strict, 'DescribeDtsJobDetail', { DtsJobId: jobId })).code).toBe(
      'Forbidden.InstanceNotFound',
    );
    const fresh = (await strict.call('DescribeDtsJobs', { JobType: 'SYNC', DtsInstanceId: instanceId }))
      .DtsJobList[0] as Body;
    expect(fresh.DtsJobId).not.toBe(jobId);
    expect(fresh.Status).toBe('NotConfigured');
    const configured = await strict.call('ConfigureDtsJob', configureTask(instanceId));
    expect(configured.DtsJobId).toBe(fresh.DtsJobId);

    const { client: kept } = await start();
    const other = await buy(kept);
    await kept.call('ConfigureDtsJob', configureTask(other.instanceId));
    expect((await callError(kept, 'ConfigureDtsJob', configureTask(other.instanceId))).code).toBe(
      'OperationDenied.JobStatus',
    );
    await kept.call('ResetDtsJob', { DtsJobId: other.jobId });
    expect((await detail(kept, other.jobId)).Status).toBe('NotConfigured');
  });

  it('runs a two-way instance: Reverse as ReverseJob, listed before it is configured only with unconfiguredReverse=listed', async () => {
    for (const [dialect, listedBefore] of [
      ['unconfiguredReverse=listed', true],
      ['unconfiguredReverse=omitted', false],
    ] as const) {
      const { client: c } = await start(dialect);
      const { instanceId, jobId } = await buy(c, { SyncArchitecture: 'bidirectional' });
      const first = (await c.call('DescribeDtsJobs', { JobType: 'SYNC', DtsInstanceId: instanceId }))
        .DtsJobList[0] as Body;
      expect(first.ReverseJob !== undefined, dialect).toBe(listedBefore);
      const legacyItems = (await c.call('DescribeSynchronizationJobs', { PageSize: 30 }))
        .SynchronizationInstances as Body[];
      expect(legacyItems.filter((i) => i.SynchronizationJobId === instanceId)).toHaveLength(listedBefore ? 2 : 1);
      // Reverse waits for Forward to synchronize.
      expect((await callError(c, 'ConfigureDtsJob', reverseTask(instanceId))).code).toBe('OperationDenied.JobStatus');
      await c.call('ConfigureDtsJob', configureTask(instanceId));
      await waitForTask(c, jobId, 'Synchronizing');
      const reverse = await c.call('ConfigureDtsJob', reverseTask(instanceId));
      expect(reverse.DtsJobId).not.toBe(jobId);
      await waitForTask(c, reverse.DtsJobId as string, 'Synchronizing', 'Reverse');
      const item = (await c.call('DescribeDtsJobs', { JobType: 'SYNC', DtsJobId: reverse.DtsJobId }))
        .DtsJobList[0] as Body;
      expect(item).toMatchObject({
        DtsJobId: jobId,
        ReverseJob: { DtsJobId: reverse.DtsJobId, DtsJobDirection: 'Reverse', Status: 'Synchronizing' },
      });
      // The Reverse task alone is deleted; the instance stays.
      await c.call('DeleteDtsJob', { DtsJobId: reverse.DtsJobId });
      expect((await detail(c, jobId)).Status).toBe('Synchronizing');
      await c.call('DeleteDtsJob', { DtsJobId: jobId });
      expect((await callError(c, 'DescribeDtsJobDetail', { DtsJobId: jobId })).code).toBe('Forbidden.InstanceNotFound');
    }
  });

  it('suspends and starts a task, and refuses to release a PrePaid instance', async () => {
    const { instanceId, jobId } = await buy(client, { PayType: 'PrePaid', Period: 'Month', UsedTime: 1 });
    await client.call('ConfigureDtsJob', configureTask(instanceId, { SourceEndpointInstanceID: SOURCE.id }));
    await waitForTask(client, jobId, 'Synchronizing');
    await client.call('SuspendDtsJob', { DtsJobId: jobId });
    expect((await detail(client, jobId)).Status).toBe('Suspending');
    await client.call('StartDtsJob', { DtsJobId: jobId });
    expect((await detail(client, jobId)).Status).toBe('Synchronizing');
    const refused = await callError(client, 'DeleteDtsJob', { DtsJobId: jobId });
    expect([refused.code, refused.entry.response.statusCode]).toEqual(['OperationDenied.PayType', 403]);
    expect((await detail(client, jobId)).ExpireTime).toMatch(/Z$/);
    expect((await adminJob(running[0] as RunningEmulator, instanceId)).released).toBe(false);
  });

  it('takes a Hong Kong source to Singapore with the DtsJob family; the legacy purchase refuses it', async () => {
    const { emulator, client: c } = await start();
    const hk = { instanceId: 'r-hk-source-0001', password: 'hk-Pa55', region: 'cn-hongkong' };
    const sg = { instanceId: 'r-sg-target-0002', password: 'sg-Pa55', region: 'ap-southeast-1' };
    expect((await admin(emulator, 'POST', 'instances', [hk, sg])).status).toBe(200);
    const legacy = await callError(c, 'CreateSynchronizationJob', {
      RegionId: 'ap-southeast-1',
      SourceRegion: 'cn-hongkong',
      DestRegion: 'ap-southeast-1',
      SynchronizationJobClass: 'small',
      PayType: 'PostPaid',
      'SourceEndpoint.InstanceType': 'Redis',
      'DestinationEndpoint.InstanceType': 'Redis',
    });
    expect(legacy.code).toBe('InvalidDestRegion');
    const { instanceId, jobId } = await buy(c, {
      RegionId: 'ap-southeast-1',
      SourceRegion: 'cn-hongkong',
      DestinationRegion: 'ap-southeast-1',
    });
    await c.call(
      'ConfigureDtsJob',
      configureTask(instanceId, {
        RegionId: 'ap-southeast-1',
        SourceEndpointRegion: 'cn-hongkong',
        SourceEndpointInstanceID: hk.instanceId,
        SourceEndpointPassword: hk.password,
        DestinationEndpointRegion: 'ap-southeast-1',
        DestinationEndpointInstanceID: sg.instanceId,
        DestinationEndpointPassword: sg.password,
      }),
    );
    await waitForTask(c, jobId, 'Synchronizing');
    const listed = await c.call('DescribeDtsJobs', { JobType: 'SYNC', Region: 'ap-southeast-1' });
    expect((listed.DtsJobList as Body[]).map((i) => i.DtsInstanceID)).toEqual([instanceId]);
    expect((await c.call('DescribeDtsJobs', { JobType: 'SYNC', Region: 'cn-hongkong' })).TotalRecordCount).toBe(0);
  });

  it('applies faults to DtsJob calls and logs each call with its instance', async () => {
    const { emulator, client: c } = await start();
    const { instanceId, jobId } = await buy(c);
    await admin(emulator, 'POST', 'faults', { kind: 'throttling', action: 'DescribeDtsJobs', count: 1 });
    expect((await callError(c, 'DescribeDtsJobs', { JobType: 'SYNC' })).code).toBe('Throttling.User');
    await admin(emulator, 'POST', 'faults', { kind: 'precheck-fail', action: 'ConfigureDtsJob', jobId: instanceId });
    await c.call('ConfigureDtsJob', configureTask(instanceId));
    const { body } = await waitForTask(c, jobId, 'PrecheckFailed');
    expect(body.ErrorMessage).toContain('injected fault');
    const item = (await listSync(c, { DtsJobId: jobId })).DtsJobList[0] as Body;
    expect(item.PrecheckStatus).toMatchObject({ Status: 'Failed' });
    expect(item.PrecheckStatus.Detail).toContainEqual(expect.objectContaining({ CheckResult: 'Failed' }));
    await c.call('StartDtsJob', { DtsJobId: jobId });
    await waitForTask(c, jobId, 'Synchronizing');
    const calls = (await admin(emulator, 'GET', 'calls')).body.calls as Body[];
    const start_ = calls.find((call) => call.action === 'StartDtsJob');
    expect(start_).toMatchObject({ jobId: instanceId, outcome: 'OK' });
  });

  it('keeps the task ids across a restart (state file)', async () => {
    const stateFile = join(mkdtempSync(join(tmpdir(), 'dtsjob-state-')), 'state.json');
    const { emulator: first, client: c } = await start(undefined, policy(), { stateFile });
    const { instanceId, jobId } = await buy(c, { SyncArchitecture: 'bidirectional' });
    const reverseId = (await admin(first, 'GET', 'jobs')).body.jobs[0].directions.Reverse.dtsJobId as string;
    await c.call('ConfigureDtsJob', configureTask(instanceId));
    await first.close();
    const { client: again } = await start(undefined, policy(), { stateFile });
    expect((await detail(again, jobId)).DtsInstanceID).toBe(instanceId);
    expect((await detail(again, reverseId, 'Reverse')).Status).toBe('NotConfigured');
  });

  describe.skipIf(!redisAvailable)('with real redis-server behind each instance', () => {
    let source: Redis;
    let target: Redis;
    let c: DtsClient;
    beforeAll(async () => {
      const started = await start(undefined, policy(), { redis: true, precheckMs: 100_000 });
      c = started.client;
      const address = (id: string) => {
        const server = started.emulator.redisServers().find((s) => s.instanceId === id);
        if (!server) throw new Error(`no redis-server for ${id}`);
        return server;
      };
      source = await connectRedis({ ...address(SOURCE.id), password: SOURCE.password });
      target = await connectRedis({ ...address(TARGET.id), password: TARGET.password });
    });
    afterAll(async () => {
      source?.disconnect();
      target?.disconnect();
    });

    it('moves the data of a DtsJob task: the full load, then each change while Synchronizing', async () => {
      await source.set('dtsjob:before', 'loaded');
      const { instanceId, jobId } = await buy(c);
      await c.call('ConfigureDtsJob', configureTask(instanceId));
      await waitForTask(c, jobId, 'Synchronizing', 'Forward', 15_000);
      await until(async () => (await target.get('dtsjob:before')) === 'loaded');
      await source.set('dtsjob:after', 'moved');
      await until(async () => (await target.get('dtsjob:after')) === 'moved');
    });
  });
});

async function until(probe: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function adminJob(emulator: RunningEmulator, jobId: string): Promise<Body> {
  const jobs = (await admin(emulator, 'GET', 'jobs')).body.jobs as Body[];
  return jobs.find((j) => j.jobId === jobId) as Body;
}
