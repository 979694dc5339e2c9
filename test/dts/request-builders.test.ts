// Every request the client builds, checked against the reference table the emulator enforces
// (emulator/reference/dts.ts): a parameter or value the reference does not allow fails here, without a server.
import { describe, expect, it } from 'vitest';
import type { DtsClient, DtsParams, DtsResponse } from '../../activities/dts/client';
import { configureDirection } from '../../activities/dts/configure';
import { describeJob } from '../../activities/dts/describe-job';
import { describeDirection } from '../../activities/dts/describe';
import { dtsJobFamily } from '../../activities/dts/dts-job';
import { listInstances } from '../../activities/dts/list-instances';
import { purchaseInstance } from '../../activities/dts/purchase';
import { synchronizationJobFamily } from '../../activities/dts/synchronization-job';
import { releaseInstance } from '../../activities/dts/release';
import { resetDirection } from '../../activities/dts/reset';
import { startDirection } from '../../activities/dts/start';
import { describeStatusList } from '../../activities/dts/status-list';
import { suspendDirection } from '../../activities/dts/suspend';
import { preflightListDtsDirections } from '../../activities/preflight/reads';
import { actionSpec, checkParams, unknownParams } from '../../emulator/reference/validate';
import type { RedisEndpoint } from '../../core/types';

interface Sent {
  action: string;
  params: Record<string, string>;
}

/** Records each call as the real client would put it on the wire (undefined dropped, values as strings). */
function recorder(answer: (action: string) => DtsResponse = () => ({})) {
  const sent: Sent[] = [];
  const client = {
    call: (action: string, params: DtsParams) => {
      const wire: Record<string, string> = {};
      for (const [key, value] of Object.entries(params)) if (value !== undefined) wire[key] = String(value);
      sent.push({ action, params: wire });
      return Promise.resolve(answer(action));
    },
  };
  return { client: client as unknown as DtsClient, sent };
}

function expectAllowed(sent: Sent[]): void {
  expect(sent.length).toBeGreaterThan(0);
  for (const { action, params } of sent) {
    const spec = actionSpec(action);
    expect(spec, `${action} is in the reference table`).toBeDefined();
    if (!spec) continue;
    expect(unknownParams(spec, params), `${action}: parameters the reference does not name`).toEqual([]);
    expect(checkParams(spec, params), `${action}: ${JSON.stringify(params)}`).toBeUndefined();
  }
}

const ENDPOINTS: Record<string, RedisEndpoint> = {
  enterprise: { kind: 'enterprise', instanceId: 'r-source-0001', region: 'cn-hangzhou', password: 'pw-1' },
  tairAccount: {
    kind: 'enterprise',
    instanceId: 'r-source-0002',
    region: 'cn-hangzhou',
    password: 'pw-2',
    username: 'app_user',
  },
  community: { kind: 'community', instanceId: 'r-source-0003', region: 'cn-hangzhou', password: 'pw-3' },
  ecs: { kind: 'ecs', instanceId: 'i-ecs-0001', region: 'cn-hangzhou', password: 'pw-4', port: 6379 },
  ecsWithIp: {
    kind: 'ecs',
    instanceId: 'i-ecs-0002',
    region: 'cn-hangzhou',
    password: 'pw-5',
    ip: '10.0.0.5',
    port: 6380,
    username: 'replicator',
  },
  express: { kind: 'express', region: 'cn-hangzhou', password: 'pw-6', ip: '10.0.0.6', port: 6379 },
};

describe('request builders against the reference table', () => {
  it('Configure: every endpoint kind, both directions, with and without the automatic start', async () => {
    const { client, sent } = recorder();
    for (const source of Object.values(ENDPOINTS)) {
      for (const destination of Object.values(ENDPOINTS)) {
        for (const direction of ['Forward', 'Reverse'] as const) {
          await configureDirection(client, {
            dtsJobId: 'dtsjob0001',
            regionId: 'cn-hangzhou',
            direction,
            jobName: 'orders-cache',
            source,
            destination,
            databases: [{ from: 0, to: 0 }],
            startAutomatically: direction === 'Reverse',
          });
        }
      }
    }
    expectAllowed(sent);
  });

  it('Configure sends the account for self-managed kinds, and a Tair account inside the password', async () => {
    const { client, sent } = recorder();
    const configure = (source: RedisEndpoint, destination: RedisEndpoint) =>
      configureDirection(client, {
        dtsJobId: 'dtsjob0001',
        regionId: 'cn-hangzhou',
        direction: 'Forward',
        jobName: 'n',
        source,
        destination,
        databases: [{ from: 0, to: 0 }],
      });
    await configure(ENDPOINTS.ecs as RedisEndpoint, ENDPOINTS.tairAccount as RedisEndpoint);
    await configure(ENDPOINTS.express as RedisEndpoint, ENDPOINTS.ecsWithIp as RedisEndpoint);
    const [first, second] = sent.map((s) => s.params);
    expect(first).toMatchObject({
      'SourceEndpoint.UserName': 'default',
      'DestinationEndpoint.Password': 'app_user:pw-2',
    });
    expect(first).not.toHaveProperty('DestinationEndpoint.UserName');
    expect(second).toMatchObject({
      'SourceEndpoint.UserName': 'default',
      'DestinationEndpoint.UserName': 'replicator',
      'DestinationEndpoint.IP': '10.0.0.5',
    });
  });

  it('Create: both pay types and topologies', async () => {
    const { client, sent } = recorder(() => ({ SynchronizationJobId: 'dtsbought0001' }));
    for (const topology of ['oneway', 'bidirectional'] as const) {
      for (const pay of [
        { payType: 'PostPaid' as const },
        { payType: 'PrePaid' as const, period: 'Month' as const, usedTime: 60 },
        { payType: 'PrePaid' as const, period: 'Year' as const, usedTime: 5 },
      ]) {
        await purchaseInstance(synchronizationJobFamily(client), {
          clientToken: 'a'.repeat(64),
          regionId: 'cn-hangzhou',
          sourceRegion: 'cn-hangzhou',
          destinationRegion: 'cn-hangzhou',
          topology,
          jobClass: 'small',
          ...pay,
        });
      }
    }
    expectAllowed(sent);
  });

  it('per-direction calls, release, status list pages, and every list the product reads', async () => {
    const { client, sent } = recorder((action) =>
      action === 'DescribeSynchronizationJobStatusList'
        ? {
            TotalRecordCount: 2,
            SynchronizationJobListStatusList: [{ SynchronizationJobId: 'dtsa', SynchronizationDirectionInfoList: [] }],
          }
        : action === 'DescribeSynchronizationJobs'
          ? { TotalRecordCount: 0, SynchronizationInstances: [] }
          : { Status: 'Synchronizing', SynchronizationJobName: 'n' },
    );
    const job = { dtsJobId: 'dtsjob0001', regionId: 'cn-hangzhou' };
    for (const direction of ['Forward', 'Reverse'] as const) {
      await describeDirection(client, { ...job, direction });
      await startDirection(client, { ...job, direction });
      await suspendDirection(client, { ...job, direction });
      await resetDirection(client, { ...job, direction });
    }
    await releaseInstance(client, job);
    await describeStatusList(client, 'cn-hangzhou', ['dtsa', 'dtsb']);
    await listInstances(client, 'cn-hangzhou');
    await describeJob(client, job);
    await preflightListDtsDirections(synchronizationJobFamily(client), {
      regionIds: ['cn-hangzhou'],
      instanceIds: ['r-a'],
    });
    expect(new Set(sent.map((s) => s.action))).toEqual(
      new Set([
        'DescribeSynchronizationJobStatus',
        'StartSynchronizationJob',
        'SuspendSynchronizationJob',
        'ResetSynchronizationJob',
        'DeleteSynchronizationJob',
        'DescribeSynchronizationJobStatusList',
        'DescribeSynchronizationJobs',
      ]),
    );
    expect(sent.some((s) => s.params.PageNumber === '2')).toBe(true);
    expectAllowed(sent);
  });

  it('the table refuses what the reference refuses (the checks the client relies on are real)', () => {
    const list = actionSpec('DescribeSynchronizationJobs');
    expect(list && checkParams(list, { PageSize: '100' })).toMatchObject({
      code: 'InvalidParameter',
      name: 'PageSize',
    });
    const configure = actionSpec('ConfigureSynchronizationJob');
    expect(
      configure &&
        checkParams(configure, {
          SynchronizationJobId: 'dtsx',
          SynchronizationObjects: '[]',
          StructureInitialization: 'true',
          DataInitialization: 'true',
          'SourceEndpoint.InstanceType': 'ECS',
          'SourceEndpoint.InstanceId': 'i-1',
          'SourceEndpoint.Port': '6379',
          'SourceEndpoint.Password': 'p',
        }),
    ).toMatchObject({ code: 'MissingSourceEndpoint.UserName' });
    expect(list && unknownParams(list, { PageSize: '10', PageSzie: '10' })).toEqual(['PageSzie']);
  });
});

describe('DtsJob family requests against the reference table', () => {
  /** One listed two-way instance (Forward task, Reverse as ReverseJob), as DescribeDtsJobs answers. */
  const listed = (action: string): DtsResponse =>
    action === 'DescribeDtsJobs'
      ? {
          TotalRecordCount: 31,
          DtsJobList: [
            {
              DtsInstanceID: 'dtsjob0001',
              DtsJobId: 'job0001',
              Status: 'Synchronizing',
              ReverseJob: { DtsInstanceID: 'dtsjob0001', DtsJobId: 'rev0001', Status: 'NotConfigured' },
            },
          ],
        }
      : action === 'CreateDtsInstance'
        ? { InstanceId: 'dtsbought0001', JobId: 'bought0001' }
        : {};

  it('Create: both pay types and topologies, every class; no ClientToken (the action takes none)', async () => {
    const { client, sent } = recorder(listed);
    const family = dtsJobFamily(client);
    for (const topology of ['oneway', 'bidirectional'] as const) {
      for (const pay of [
        { payType: 'PostPaid' as const },
        { payType: 'PrePaid' as const, period: 'Month' as const, usedTime: 9 },
        { payType: 'PrePaid' as const, period: 'Year' as const, usedTime: 5 },
      ]) {
        for (const jobClass of ['micro', 'small', 'medium', 'large'] as const) {
          const id = await family.create({
            clientToken: 'a'.repeat(64),
            regionId: 'cn-hongkong',
            sourceRegion: 'cn-hongkong',
            destinationRegion: 'ap-southeast-1',
            topology,
            jobClass,
            ...pay,
          });
          expect(id).toBe('dtsbought0001');
        }
      }
    }
    expect(sent.every((s) => s.action === 'CreateDtsInstance' && !('ClientToken' in s.params))).toBe(true);
    expectAllowed(sent);
  });

  it('Configure: every endpoint kind, both directions, with and without the automatic start', async () => {
    const { client, sent } = recorder(listed);
    const family = dtsJobFamily(client);
    for (const source of Object.values(ENDPOINTS)) {
      for (const destination of Object.values(ENDPOINTS)) {
        for (const direction of ['Forward', 'Reverse'] as const) {
          await family.configure({
            dtsJobId: 'dtsjob0001',
            regionId: 'cn-hangzhou',
            direction,
            jobName: 'orders-cache',
            source,
            destination,
            databases: [
              { from: 0, to: 0 },
              { from: 3, to: 5 },
            ],
            startAutomatically: direction === 'Reverse',
          });
        }
      }
    }
    expectAllowed(sent);
    const first = sent[0]?.params ?? {};
    expect(JSON.parse(first.DbList ?? '')).toEqual({ '0': { name: '0', all: true }, '3': { name: '5', all: true } });
    expect(first).toMatchObject({ JobType: 'SYNC', DataSynchronization: 'true', SourceEndpointEngineName: 'REDIS' });
  });

  it('Configure names the account in UserName: a Tair account, and the default one for self-managed kinds', async () => {
    const { client, sent } = recorder(listed);
    const configure = (source: RedisEndpoint, destination: RedisEndpoint) =>
      dtsJobFamily(client).configure({
        dtsJobId: 'dtsjob0001',
        regionId: 'cn-hangzhou',
        direction: 'Forward',
        jobName: 'n',
        source,
        destination,
        databases: [{ from: 0, to: 0 }],
      });
    await configure(ENDPOINTS.ecs as RedisEndpoint, ENDPOINTS.tairAccount as RedisEndpoint);
    expect(sent[0]?.params).toMatchObject({
      SourceEndpointInstanceType: 'ECS',
      SourceEndpointUserName: 'default',
      DestinationEndpointInstanceType: 'REDIS',
      DestinationEndpointUserName: 'app_user',
      DestinationEndpointPassword: 'pw-2',
    });
  });

  it('per-task calls name the direction’s own task; reads, lists, adoption and the preflight', async () => {
    const { client, sent } = recorder(listed);
    const family = dtsJobFamily(client);
    const job = { dtsJobId: 'dtsjob0001', regionId: 'cn-hangzhou' };
    for (const direction of ['Forward', 'Reverse'] as const) {
      await family.describe({ ...job, direction });
      await family.start({ ...job, direction });
      await family.suspend({ ...job, direction });
      await family.reset({ ...job, direction });
    }
    await family.release(job);
    const ids = Array.from({ length: 31 }, (_, i) => `dts0${i}`);
    await family.statuses('cn-hangzhou', ids);
    await family.list('cn-hangzhou');
    await family.job(job);
    await preflightListDtsDirections(family, { regionIds: ['cn-hangzhou'], instanceIds: ['r-a'] });
    expect(new Set(sent.map((s) => s.action))).toEqual(
      new Set(['DescribeDtsJobs', 'StartDtsJob', 'SuspendDtsJob', 'ResetDtsJob', 'DeleteDtsJob']),
    );
    const starts = sent.filter((s) => s.action === 'StartDtsJob').map((s) => s.params);
    expect(starts).toEqual([
      {
        DtsJobId: 'job0001',
        DtsInstanceId: 'dtsjob0001',
        RegionId: 'cn-hangzhou',
        SynchronizationDirection: 'Forward',
      },
      {
        DtsJobId: 'rev0001',
        DtsInstanceId: 'dtsjob0001',
        RegionId: 'cn-hangzhou',
        SynchronizationDirection: 'Reverse',
      },
    ]);
    // 31 ids: two filtered reads of at most a page of ids each.
    const byIds = sent.filter((s) => s.params.DtsInstanceId?.startsWith('dts0'));
    expect(byIds.map((s) => s.params.DtsInstanceId?.split(',').length)).toEqual([30, 1]);
    expectAllowed(sent);
  });

  it('the table refuses a page of 100 and a Configure without the task type', () => {
    const list = actionSpec('DescribeDtsJobs');
    expect(list && checkParams(list, { PageSize: '100' })).toMatchObject({ code: 'InvalidParameter' });
    const create = actionSpec('CreateDtsInstance');
    expect(create && unknownParams(create, { PayType: 'PostPaid', ClientToken: 'x' })).toEqual(['ClientToken']);
  });
});
