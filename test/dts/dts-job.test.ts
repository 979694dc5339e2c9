// The DtsJob family (activities/dts/dts-job.ts) against a scripted client: what each verb sends to DTS and what it
// decides from the answer. The emulator tests prove the same over HTTP; these run in milliseconds, so the mutation
// run (docs/reliability.md "Mutation testing") can use them.
import { ApplicationFailure } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import type { DtsParams } from '../../activities/dts/client';
import { databases, dtsJobFamily, object } from '../../activities/dts/dts-job';
import { DtsFailure } from '../../activities/dts/errors';
import type { RedisEndpoint } from '../../core/types';
import { scriptedClient, type Json } from '../support/scripted-dts';

/** The DtsJob family over a scripted client; every call is recorded as the family made it. */
function scripted(answer?: Parameters<typeof scriptedClient>[0]) {
  const { dts, calls } = scriptedClient(answer);
  return { family: dtsJobFamily(dts), calls };
}

/** DescribeDtsJobs answering these items (filtered by DtsInstanceId when the call names one). */
function listing(items: Json[], extra: Json = {}) {
  return (action: string, params: DtsParams): Json => {
    if (action !== 'DescribeDtsJobs') return {};
    const ids = params.DtsInstanceId === undefined ? undefined : String(params.DtsInstanceId).split(',');
    const found = ids ? items.filter((i) => ids.includes(String(i.DtsInstanceID))) : items;
    return { DtsJobList: found, TotalRecordCount: found.length, ...extra };
  };
}

const REF = { dtsJobId: 'dtsi-1', regionId: 'cn-hangzhou' };
const FORWARD = { DtsInstanceID: 'dtsi-1', DtsJobId: 'job-f', Status: 'Synchronizing' };
const TWO_WAY = { ...FORWARD, ReverseJob: { DtsJobId: 'job-r', Status: 'Failed' } };

async function failureOf(promise: Promise<unknown>): Promise<ApplicationFailure> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ApplicationFailure);
  return err as ApplicationFailure;
}

describe('DtsJob family: create', () => {
  const input = {
    regionId: 'cn-hangzhou',
    sourceRegion: 'cn-shanghai',
    destinationRegion: 'cn-beijing',
    topology: 'bidirectional' as const,
    jobClass: 'medium' as const,
    clientToken: 'token-1',
  };

  it('buys a PrePaid SYNC instance for Redis at both ends, never renewing by itself', async () => {
    const { family, calls } = scripted(() => ({ InstanceId: 'dtsi-new' }));
    const id = await family.create({
      ...input,
      payType: 'PrePaid',
      period: 'Month',
      usedTime: 3,
      resourceGroupId: 'rg-1',
    });
    expect(id).toBe('dtsi-new');
    expect(calls).toEqual([
      {
        action: 'CreateDtsInstance',
        secrets: undefined,
        params: {
          RegionId: 'cn-hangzhou',
          Type: 'SYNC',
          SourceRegion: 'cn-shanghai',
          DestinationRegion: 'cn-beijing',
          SourceEndpointEngineName: 'Redis',
          DestinationEndpointEngineName: 'Redis',
          SyncArchitecture: 'bidirectional',
          InstanceClass: 'medium',
          PayType: 'PrePaid',
          Period: 'Month',
          UsedTime: 3,
          Quantity: 1,
          AutoPay: false,
          ResourceGroupId: 'rg-1',
        },
      },
    ]);
  });

  it('sends no period for PostPaid, and refuses an answer without an InstanceId', async () => {
    const { family, calls } = scripted(() => ({ InstanceId: 'dtsi-new' }));
    await family.create({ ...input, payType: 'PostPaid', period: 'Month', usedTime: 3 });
    expect(calls[0]?.params.Period).toBeUndefined();
    expect(calls[0]?.params.UsedTime).toBeUndefined();
    expect(calls[0]?.params.PayType).toBe('PostPaid');

    const empty = scripted(() => ({ RequestId: 'r-1' }));
    await expect(empty.family.create({ ...input, payType: 'PostPaid' })).rejects.toThrow(
      'CreateDtsInstance answered without an InstanceId',
    );
  });
});

describe('DtsJob family: configure', () => {
  const enterprise: RedisEndpoint = { kind: 'enterprise', instanceId: 'r-a', region: 'cn-hangzhou', password: 'pa' };
  const base = {
    dtsJobId: 'dtsi-1',
    regionId: 'cn-hangzhou',
    direction: 'Reverse' as const,
    jobName: 'setup-1',
    databases: [
      { from: 0, to: 1 },
      { from: 2, to: 2 },
    ],
  };

  it('configures full and incremental sync with the mapping, the Tair types and the passwords as secrets', async () => {
    const { family, calls } = scripted();
    await family.configure({
      ...base,
      source: { ...enterprise, username: 'app' },
      destination: { ...enterprise, instanceId: 'r-b', region: 'cn-shanghai', password: 'pb' },
    });
    expect(calls).toEqual([
      {
        action: 'ConfigureDtsJob',
        secrets: ['pa', 'pb'],
        params: {
          DtsInstanceId: 'dtsi-1',
          RegionId: 'cn-hangzhou',
          SynchronizationDirection: 'Reverse',
          JobType: 'SYNC',
          DtsJobName: 'setup-1',
          StructureInitialization: true,
          DataInitialization: true,
          DataSynchronization: true,
          DbList: JSON.stringify({ '0': { name: '1', all: true }, '2': { name: '2', all: true } }),
          SourceEndpointEngineName: 'REDIS',
          SourceEndpointRegion: 'cn-hangzhou',
          SourceEndpointPassword: 'pa',
          SourceEndpointInstanceType: 'REDIS',
          SourceEndpointInstanceID: 'r-a',
          SourceEndpointUserName: 'app',
          DestinationEndpointEngineName: 'REDIS',
          DestinationEndpointRegion: 'cn-shanghai',
          DestinationEndpointPassword: 'pb',
          DestinationEndpointInstanceType: 'REDIS',
          DestinationEndpointInstanceID: 'r-b',
          DestinationEndpointUserName: undefined,
          Reserve: JSON.stringify({ srcRedisType: 'enterprise', destRedisType: 'enterprise' }),
        },
      },
    ]);
  });

  it('Reserve: none without Tair at both ends and an automatic start; the start held back when asked', async () => {
    const community: RedisEndpoint = { kind: 'community', instanceId: 'r-c', region: 'cn-hangzhou', password: 'pc' };
    const { family, calls } = scripted();
    await family.configure({ ...base, source: enterprise, destination: community });
    await family.configure({ ...base, source: community, destination: enterprise, startAutomatically: true });
    await family.configure({ ...base, source: community, destination: enterprise, startAutomatically: false });
    await family.configure({ ...base, source: enterprise, destination: enterprise, startAutomatically: false });
    expect(calls.map((c) => c.params.Reserve)).toEqual([
      undefined,
      undefined,
      JSON.stringify({ autoStartModulesAfterConfig: 'none' }),
      JSON.stringify({ srcRedisType: 'enterprise', destRedisType: 'enterprise', autoStartModulesAfterConfig: 'none' }),
    ]);
    expect(calls[0]?.params.SourceEndpointInstanceType).toBe('REDIS');
    expect(calls[0]?.params.DestinationEndpointInstanceType).toBe('REDIS');
    expect(calls[0]?.params.DestinationEndpointInstanceID).toBe('r-c');
  });

  it('self-managed endpoints: ECS by instance and address, Express by address; the default account when none', async () => {
    const ecs: RedisEndpoint = {
      kind: 'ecs',
      instanceId: 'i-1',
      region: 'cn-hangzhou',
      password: 'pe',
      ip: '10.0.0.1',
      port: 6380,
    };
    const express: RedisEndpoint = {
      kind: 'express',
      region: 'cn-shanghai',
      password: 'px',
      ip: '10.0.0.2',
      port: 6379,
    };
    const { family, calls } = scripted();
    await family.configure({ ...base, source: ecs, destination: express });
    await family.configure({
      ...base,
      source: { ...ecs, username: 'repl' },
      destination: { ...express, username: 'repl2' },
    });
    const [plain, named] = calls.map((c) => c.params);
    expect(plain).toMatchObject({
      SourceEndpointEngineName: 'REDIS',
      SourceEndpointRegion: 'cn-hangzhou',
      SourceEndpointPassword: 'pe',
      SourceEndpointInstanceType: 'ECS',
      SourceEndpointInstanceID: 'i-1',
      SourceEndpointIP: '10.0.0.1',
      SourceEndpointPort: 6380,
      SourceEndpointUserName: 'default',
      DestinationEndpointEngineName: 'REDIS',
      DestinationEndpointRegion: 'cn-shanghai',
      DestinationEndpointPassword: 'px',
      DestinationEndpointInstanceType: 'EXPRESS',
      DestinationEndpointIP: '10.0.0.2',
      DestinationEndpointPort: 6379,
      DestinationEndpointUserName: 'default',
      Reserve: undefined,
    });
    expect(plain).not.toHaveProperty('DestinationEndpointInstanceID');
    expect(named?.SourceEndpointUserName).toBe('repl');
    expect(named?.DestinationEndpointUserName).toBe('repl2');
  });
});

describe('DtsJob family: one direction', () => {
  it('reads a direction from the instance’s listed item, asking by instance id with the DbList', async () => {
    const item = {
      DtsInstanceID: 'dtsi-1',
      DtsJobId: 'job-f',
      Status: 'Prechecking',
      ErrorMessage: 'boom',
      Delay: 7,
      Checkpoint: '1700000000',
      ExpireTime: '2027-01-01T00:00:00Z',
      PrecheckStatus: {
        Percent: 50,
        Detail: [
          { CheckItem: 'CHECK_CONN', CheckResult: 'Failed', FailedReason: 'refused', RepairMethod: 'open it' },
          { CheckItem: 'CHECK_VERSION', CheckResult: 'Success' },
        ],
      },
    };
    const other = { DtsInstanceID: 'dtsi-other', DtsJobId: 'job-x', Status: 'Failed' };
    // DTS answering more than the filter asked: only the instance named counts.
    const { family, calls } = scripted(() => ({ DtsJobList: [other, item] }));
    const snapshot = await family.describe({ ...REF, direction: 'Forward' });
    expect(calls).toEqual([
      {
        action: 'DescribeDtsJobs',
        secrets: undefined,
        params: {
          Region: 'cn-hangzhou',
          JobType: 'SYNC',
          PageSize: 30,
          PageNumber: 1,
          WithoutDbList: undefined,
          DtsInstanceId: 'dtsi-1',
        },
      },
    ]);
    expect(snapshot).toEqual({
      status: 'prechecking',
      rawStatus: 'Prechecking',
      progress: 5,
      stage: 'precheck',
      stagePercent: 50,
      precheckFailures: [{ item: 'CHECK_CONN', message: 'refused', repairMethod: 'open it' }],
      errorMessage: 'boom',
      delaySeconds: 7,
      checkpoint: '1700000000',
      expireTime: '2027-01-01T00:00:00.000Z',
    });
  });

  it('reads the initialization stages, and the Reverse from ReverseJob', async () => {
    const item = {
      ...FORWARD,
      ReverseJob: {
        DtsJobId: 'job-r',
        Status: 'Initializing',
        StructureInitializationStatus: { Status: 'Finished', Percent: 100 },
        DataInitializationStatus: { Status: 'Migrating', Percent: 50 },
        DataSynchronizationStatus: { Delay: 3 },
      },
    };
    const { family } = scripted(() => ({ DtsJobList: [item] }));
    const reverse = await family.describe({ ...REF, direction: 'Reverse' });
    expect(reverse).toMatchObject({ status: 'initializing', stage: 'data', stagePercent: 50, progress: 50 });
    expect(reverse.delaySeconds).toBe(3);
    const forward = await family.describe({ ...REF, direction: 'Forward' });
    expect(forward).toMatchObject({ status: 'synchronizing', progress: 100 });
  });

  it('a Reverse not listed is not configured; an instance not listed is a permanent NotFound', async () => {
    const { family } = scripted(listing([FORWARD, { ...FORWARD, DtsInstanceID: 'dtsi-2', ReverseJob: 'junk' }]));
    expect((await family.describe({ ...REF, direction: 'Reverse' })).status).toBe('notconfigured');
    expect((await family.describe({ ...REF, dtsJobId: 'dtsi-2', direction: 'Reverse' })).status).toBe('notconfigured');
    const failure = await failureOf(family.describe({ ...REF, dtsJobId: 'dtsi-9', direction: 'Forward' }));
    expect(failure.type).toBe(DtsFailure.NotFound);
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toBe('DescribeDtsJobs: DTS lists no instance dtsi-9 in cn-hangzhou');
    expect(failure.details).toEqual([{ action: 'DescribeDtsJobs', code: 'Forbidden.InstanceNotFound' }]);
  });

  it('an answer without a list is an instance not listed', async () => {
    const { family } = scripted(() => ({ DtsJobList: 'nothing' }));
    expect((await failureOf(family.describe({ ...REF, direction: 'Forward' }))).type).toBe(DtsFailure.NotFound);
  });

  it('start, suspend and reset name the direction’s own task, with instance, region and direction', async () => {
    const { family, calls } = scripted(listing([TWO_WAY]));
    await family.start({ ...REF, direction: 'Forward' });
    await family.suspend({ ...REF, direction: 'Reverse' });
    await family.reset({ ...REF, direction: 'Reverse' });
    const acts = calls.filter((c) => c.action !== 'DescribeDtsJobs');
    expect(acts).toEqual([
      {
        action: 'StartDtsJob',
        secrets: undefined,
        params: {
          DtsJobId: 'job-f',
          DtsInstanceId: 'dtsi-1',
          RegionId: 'cn-hangzhou',
          SynchronizationDirection: 'Forward',
        },
      },
      {
        action: 'SuspendDtsJob',
        secrets: undefined,
        params: {
          DtsJobId: 'job-r',
          DtsInstanceId: 'dtsi-1',
          RegionId: 'cn-hangzhou',
          SynchronizationDirection: 'Reverse',
        },
      },
      {
        action: 'ResetDtsJob',
        secrets: undefined,
        params: {
          DtsJobId: 'job-r',
          DtsInstanceId: 'dtsi-1',
          RegionId: 'cn-hangzhou',
          SynchronizationDirection: 'Reverse',
        },
      },
    ]);
    // Each finds the tasks first: a task id is never kept.
    expect(calls.map((c) => c.action)).toEqual([
      'DescribeDtsJobs',
      'StartDtsJob',
      'DescribeDtsJobs',
      'SuspendDtsJob',
      'DescribeDtsJobs',
      'ResetDtsJob',
    ]);
  });

  it('a Reverse task not listed yet is named by the Forward task; an unlisted instance fails naming the action', async () => {
    const { family, calls } = scripted(listing([FORWARD]));
    await family.start({ ...REF, direction: 'Reverse' });
    expect(calls[1]?.params).toMatchObject({ DtsJobId: 'job-f', SynchronizationDirection: 'Reverse' });
    for (const [verb, action] of [
      ['start', 'StartDtsJob'],
      ['suspend', 'SuspendDtsJob'],
      ['reset', 'ResetDtsJob'],
    ] as const) {
      const failure = await failureOf(family[verb]({ ...REF, dtsJobId: 'dtsi-9', direction: 'Forward' }));
      expect(failure.type).toBe(DtsFailure.NotFound);
      expect(failure.message).toContain(`${action}: `);
    }
    expect(calls.map((c) => c.action).filter((a) => a !== 'DescribeDtsJobs')).toEqual(['StartDtsJob']);
  });
});

describe('DtsJob family: release', () => {
  it('deletes the Forward task of a listed instance', async () => {
    const { family, calls } = scripted(listing([TWO_WAY]));
    expect(await family.release(REF)).toEqual({ outcome: 'released' });
    expect(calls[1]).toEqual({
      action: 'DeleteDtsJob',
      secrets: undefined,
      params: { DtsJobId: 'job-f', DtsInstanceId: 'dtsi-1', RegionId: 'cn-hangzhou', JobType: 'SYNC' },
    });
  });

  it('an instance not listed, or gone by the time of the delete, counts as released; other errors do not', async () => {
    const gone = scripted(listing([]));
    expect(await gone.family.release(REF)).toEqual({ outcome: 'already-gone' });
    expect(gone.calls.map((c) => c.action)).toEqual(['DescribeDtsJobs']);

    const notFound = ApplicationFailure.create({ message: 'gone', type: DtsFailure.NotFound, nonRetryable: true });
    const raced = scripted((action, params) =>
      action === 'DeleteDtsJob' ? notFound : listing([FORWARD])(action, params),
    );
    expect(await raced.family.release(REF)).toEqual({ outcome: 'already-gone' });

    const busy = ApplicationFailure.create({ message: 'busy', type: DtsFailure.Throttled });
    const refused = scripted((action, params) =>
      action === 'DeleteDtsJob' ? busy : listing([FORWARD])(action, params),
    );
    await expect(refused.family.release(REF)).rejects.toBe(busy);

    const plain = new Error('socket hang up');
    const broken = scripted((action, params) =>
      action === 'DeleteDtsJob' ? plain : listing([FORWARD])(action, params),
    );
    await expect(broken.family.release(REF)).rejects.toBe(plain);
  });
});

/** n instances dtsi-0..dtsi-(n-1), each one-way Synchronizing. */
function instances(n: number): Json[] {
  return Array.from({ length: n }, (_, i) => ({
    DtsInstanceID: `dtsi-${i}`,
    DtsJobId: `job-${i}`,
    Status: 'Synchronizing',
  }));
}

describe('DtsJob family: batched statuses', () => {
  it('asks by up to 30 instance ids a call and reports both directions with their checkpoints', async () => {
    const all = instances(31);
    all[0] = { ...all[0], Checkpoint: '1700000001', ReverseJob: { DtsJobId: 'r', Status: 'Failed', Checkpoint: '0' } };
    all[1] = { ...all[1], Checkpoint: 'x' };
    const { family, calls } = scripted(listing([...all, { DtsInstanceID: 'dtsi-stranger', Status: 'Failed' }]));
    const checkpoints = {};
    const count = { count: 0 };
    const ids = all.map((i) => String(i.DtsInstanceID));
    const board = await family.statuses('cn-hangzhou', ids, checkpoints, count);
    expect(calls.map((c) => c.params)).toEqual([
      {
        Region: 'cn-hangzhou',
        JobType: 'SYNC',
        PageSize: 30,
        PageNumber: 1,
        WithoutDbList: undefined,
        DtsInstanceId: ids.slice(0, 30).join(','),
      },
      // A full page that holds the total: no second page.
      expect.objectContaining({ PageNumber: 1, DtsInstanceId: 'dtsi-30' }),
    ]);
    expect(count.count).toBe(2);
    expect(Object.keys(board)).toHaveLength(31);
    expect(board['dtsi-0']).toEqual({ Forward: 'Synchronizing', Reverse: 'Failed' });
    expect(board['dtsi-30']).toEqual({ Forward: 'Synchronizing' });
    expect(board['dtsi-stranger']).toBeUndefined();
    expect(checkpoints).toEqual({ 'dtsi-0': { Forward: 1700000001 } });
  });

  it('sends the batches of a round together, not each after the last one answered', async () => {
    // Every answer waits until all three batches were asked: read one after another, the round never ends.
    const answer = listing(instances(90));
    const asked: Array<() => void> = [];
    const dts = {
      call: (action: string, params: DtsParams) =>
        new Promise<Json>((resolve) => {
          asked.push(() => resolve(answer(action, params)));
          if (asked.length === 3) asked.forEach((release) => release());
        }),
    } as unknown as Parameters<typeof dtsJobFamily>[0];
    const ids = instances(90).map((i) => String(i.DtsInstanceID));
    const board = await dtsJobFamily(dts).statuses('cn-hangzhou', ids);
    expect(Object.keys(board)).toHaveLength(90);
  }, 5_000);

  it('ignores items it did not ask for, and needs no checkpoint board or counter', async () => {
    // DTS ignoring the filter: it answers other instances too.
    const { family } = scripted(() => ({ DtsJobList: instances(3), TotalRecordCount: 3 }));
    expect(await family.statuses('cn-hangzhou', ['dtsi-1'])).toEqual({ 'dtsi-1': { Forward: 'Synchronizing' } });
    const none = scripted(() => ({ DtsJobList: instances(3), TotalRecordCount: 3 }));
    expect(await none.family.statuses('cn-hangzhou', [])).toEqual({});
    expect(none.calls).toEqual([]);
    expect(none.family.api).toBe('dtsjob');
  });

  it('pages on while pages come full and the total is not reached; stops at the total even on a full page', async () => {
    const pages = [instances(30), instances(60).slice(30), instances(61).slice(60)];
    const { family, calls } = scripted((_a, params) => ({
      DtsJobList: pages[Number(params.PageNumber) - 1] ?? [],
      TotalRecordCount: 61,
    }));
    const board = await family.statuses('cn-hangzhou', ['dtsi-0', 'dtsi-59', 'dtsi-60']);
    expect(calls.map((c) => c.params.PageNumber)).toEqual([1, 2, 3]);
    expect(Object.keys(board).sort()).toEqual(['dtsi-0', 'dtsi-59', 'dtsi-60']);

    const exact = scripted(() => ({ DtsJobList: instances(30), TotalRecordCount: 30 }));
    await exact.family.statuses('cn-hangzhou', ['dtsi-0']);
    expect(exact.calls).toHaveLength(1);

    // No total: a full page asks for the next one.
    let asked = 0;
    const untold = scripted(() => ({ DtsJobList: asked++ < 2 ? instances(30) : [] }));
    await untold.family.statuses('cn-hangzhou', ['dtsi-0']);
    expect(untold.calls).toHaveLength(3);
  });
});

describe('DtsJob family: list', () => {
  it('lists every instance of the region without DbList, once each, with its routes and topology', async () => {
    const items = [
      {
        DtsInstanceID: 'dtsi-a',
        DtsJobId: 'job-a',
        DtsJobName: 'setup-a',
        DtsJobClass: 'small',
        PayType: 'PostPaid',
        CreateTime: '2026-12-01T10:00:00Z',
        Status: 'Synchronizing',
        SourceEndpoint: { InstanceID: 'r-1' },
        DestinationEndpoint: { InstanceID: 'r-2' },
        ReverseJob: {
          DtsJobId: 'job-a-r',
          Status: 'Synchronizing',
          SourceEndpoint: { InstanceID: 'r-2' },
          DestinationEndpoint: { InstanceID: 'r-1' },
        },
      },
      {
        DtsInstanceID: 'dtsi-b',
        DtsJobId: 'job-b',
        Status: 'Failed',
        SourceEndpoint: { Ip: '10.0.0.1', Port: '6379' },
        DestinationEndpoint: { InstanceID: 'r-3' },
      },
      { DtsInstanceID: 'dtsi-c', DtsJobId: 'job-c', Status: 'NotConfigured' },
      { DtsInstanceID: 'dtsi-d', Status: 'NotConfigured', ReverseJob: { Status: 'NotConfigured' } },
      // A route with one end unknown is no route.
      { DtsInstanceID: 'dtsi-e', Status: 'Synchronizing', SourceEndpoint: { InstanceID: 'r-9' } },
      { DtsInstanceID: 'dtsi-a', Status: 'Failed' },
      { DtsJobId: 'no-instance' },
    ];
    const { family, calls } = scripted(() => ({ DtsJobList: items, TotalRecordCount: items.length }));
    const count = { count: 0 };
    const list = await family.list('cn-hangzhou', count);
    expect(calls).toEqual([
      {
        action: 'DescribeDtsJobs',
        secrets: undefined,
        params: { Region: 'cn-hangzhou', JobType: 'SYNC', PageSize: 30, PageNumber: 1, WithoutDbList: true },
      },
    ]);
    expect(count.count).toBe(1);
    expect(list).toEqual([
      {
        dtsJobId: 'dtsi-a',
        name: 'setup-a',
        jobClass: 'small',
        payType: 'PostPaid',
        directions: 2,
        routes: [
          { direction: 'Forward', source: 'r-1', destination: 'r-2' },
          { direction: 'Reverse', source: 'r-2', destination: 'r-1' },
        ],
        unconfigured: false,
        createdAtMs: Date.parse('2026-12-01T10:00:00Z'),
      },
      {
        dtsJobId: 'dtsi-b',
        name: '',
        jobClass: '',
        payType: '',
        directions: 1,
        routes: [{ direction: 'Forward', source: '10.0.0.1:6379', destination: 'r-3' }],
        unconfigured: false,
        createdAtMs: Number.NaN,
      },
      {
        dtsJobId: 'dtsi-c',
        name: '',
        jobClass: '',
        payType: '',
        routes: [],
        unconfigured: true,
        createdAtMs: Number.NaN,
      },
      {
        dtsJobId: 'dtsi-d',
        name: '',
        jobClass: '',
        payType: '',
        directions: 2,
        routes: [],
        unconfigured: true,
        createdAtMs: Number.NaN,
      },
      {
        dtsJobId: 'dtsi-e',
        name: '',
        jobClass: '',
        payType: '',
        directions: 1,
        routes: [],
        unconfigured: false,
        createdAtMs: Number.NaN,
      },
    ]);
  });

  it('a configured direction of a half-configured instance keeps it from counting as unconfigured', async () => {
    const items = [
      { DtsInstanceID: 'dtsi-f', Status: 'NotConfigured', ReverseJob: { Status: 'Synchronizing' } },
      {
        DtsInstanceID: 'dtsi-g',
        Status: 'NotConfigured',
        SourceEndpoint: { InstanceID: 'r-1' },
        DestinationEndpoint: { InstanceID: 'r-2' },
      },
    ];
    const { family } = scripted(() => ({ DtsJobList: items }));
    const [f, g] = await family.list('cn-hangzhou');
    expect(f).toMatchObject({ unconfigured: false, directions: 2 });
    // An unconfigured direction has no route, whatever endpoints it lists.
    expect(g).toMatchObject({ unconfigured: true, routes: [] });
    expect(g).not.toHaveProperty('directions');
  });
});

describe('DtsJob family: adoption read', () => {
  const configured = {
    DtsInstanceID: 'dtsi-1',
    DtsJobId: 'job-f',
    DtsJobName: 'theirs',
    DtsJobClass: 'large',
    PayType: 'PrePaid',
    Status: 'Synchronizing',
    SourceEndpoint: { InstanceID: 'r-1', InstanceType: 'redis', Port: '6379' },
    DestinationEndpoint: { InstanceId: 'i-2', IP: '10.0.0.2', Port: 6380, InstanceType: 'ECS' },
    DbObject: '{"0":{"name":"1","all":true}}',
    ReverseJob: {
      DtsJobId: 'job-r',
      Status: 'NotStarted',
      SourceEndpoint: { Ip: '10.0.0.3', InstanceType: 'EXPRESS' },
      DestinationEndpoint: { InstanceID: 'r-1', InstanceType: 'Other' },
      DbObject: { '1': { name: '0', all: true } },
    },
  };

  it('reads an instance of the request’s region by its instance id, in the adoption rules’ words', async () => {
    const { family, calls } = scripted(listing([configured]));
    const facts = await family.job(REF);
    expect(calls).toEqual([
      {
        action: 'DescribeDtsJobs',
        secrets: undefined,
        params: { Region: 'cn-hangzhou', JobType: 'SYNC', PageSize: 10, DtsInstanceId: 'dtsi-1' },
      },
    ]);
    expect(facts).toEqual({
      dtsJobId: 'dtsi-1',
      api: 'dtsjob',
      inRegion: true,
      name: 'theirs',
      jobClass: 'large',
      payType: 'PrePaid',
      topology: 'bidirectional',
      forward: {
        configured: true,
        status: 'synchronizing',
        rawStatus: 'Synchronizing',
        source: { instanceType: 'Redis', instanceId: 'r-1', port: 6379 },
        destination: { instanceType: 'ECS', instanceId: 'i-2', ip: '10.0.0.2', port: 6380 },
        databases: [{ from: 0, to: 1 }],
      },
      reverse: {
        configured: true,
        status: 'notstarted',
        rawStatus: 'NotStarted',
        source: { instanceType: 'Express', ip: '10.0.0.3' },
        destination: { instanceType: 'Other', instanceId: 'r-1' },
        databases: [{ from: 1, to: 0 }],
      },
    });
  });

  it('finds an instance by one of its task ids, and then in any region (reported as not in the region)', async () => {
    const byTask = (found: Json, region?: string) => (_a: string, params: DtsParams) =>
      params.DtsJobId !== undefined && params.Region === region ? { DtsJobList: [found] } : { DtsJobList: [] };

    const forward = scripted(byTask(configured, 'cn-hangzhou'));
    expect((await forward.family.job({ ...REF, dtsJobId: 'job-f' }))?.dtsJobId).toBe('dtsi-1');
    expect(forward.calls.map((c) => c.params)).toEqual([
      { Region: 'cn-hangzhou', JobType: 'SYNC', PageSize: 10, DtsInstanceId: 'job-f' },
      { Region: 'cn-hangzhou', JobType: 'SYNC', PageSize: 10, DtsJobId: 'job-f' },
    ]);

    const reverse = scripted(byTask(configured, 'cn-hangzhou'));
    expect((await reverse.family.job({ ...REF, dtsJobId: 'job-r' }))?.inRegion).toBe(true);

    const elsewhere = scripted(byTask(configured, undefined));
    const facts = await elsewhere.family.job({ ...REF, dtsJobId: 'job-f' });
    expect(facts?.inRegion).toBe(false);
    expect(elsewhere.calls.map((c) => [c.params.Region, c.params.DtsInstanceId ?? c.params.DtsJobId])).toEqual([
      ['cn-hangzhou', 'job-f'],
      ['cn-hangzhou', 'job-f'],
      [undefined, 'job-f'],
      [undefined, 'job-f'],
    ]);

    // An item that neither is the instance nor owns the task is not it (one-way or two-way).
    const stranger = scripted(() => ({
      DtsJobList: [
        { ...FORWARD, DtsInstanceID: 'dtsi-y' },
        { ...configured, DtsInstanceID: 'dtsi-x' },
      ],
    }));
    expect(await stranger.family.job({ ...REF, dtsJobId: 'job-zzz' })).toBeUndefined();
    expect(stranger.calls).toHaveLength(4);
  });

  it('a one-way instance, and directions that are not configured', async () => {
    const oneWay = {
      DtsInstanceID: 'dtsi-1',
      Status: 'Failed',
      SourceEndpoint: { InstanceID: 'r-1', InstanceType: 'REDIS', Port: 'n/a' },
      DbObject: 'not json',
    };
    const { family } = scripted(listing([oneWay]));
    const facts = await family.job(REF);
    expect(facts).not.toHaveProperty('topology');
    expect(facts).not.toHaveProperty('reverse');
    expect(facts?.forward).toEqual({
      configured: true,
      status: 'failed',
      rawStatus: 'Failed',
      source: { instanceType: 'Redis', instanceId: 'r-1' },
      databases: [],
    });

    const bare = scripted(listing([{ DtsInstanceID: 'dtsi-1', Status: 'Failed', DestinationEndpoint: {} }]));
    expect((await bare.family.job(REF))?.forward).toEqual({ configured: false, status: 'failed', rawStatus: 'Failed' });

    const unconfigured = scripted(
      listing([{ DtsInstanceID: 'dtsi-1', Status: 'NotConfigured', SourceEndpoint: { InstanceID: 'r-1' } }]),
    );
    const u = await unconfigured.family.job(REF);
    expect(u?.forward.configured).toBe(false);
    expect(u?.forward).not.toHaveProperty('databases');
    expect(u?.forward.source).toEqual({ instanceType: '', instanceId: 'r-1' });
  });
});

describe('DbObject and object helpers', () => {
  it('reads the mapping as text or object; a database without a name maps to itself; junk is skipped', () => {
    expect(databases('{"0":{"name":"1","all":true},"3":{"all":true}}')).toEqual([
      { from: 0, to: 1 },
      { from: 3, to: 3 },
    ]);
    expect(databases({ '2': { name: 5 } })).toEqual([{ from: 2, to: 5 }]);
    expect(databases({ x: { name: '1' }, '4': { name: 'y' } })).toEqual([]);
    expect(databases('{bad')).toEqual([]);
    expect(databases(undefined)).toEqual([]);
    expect(databases([{ name: '1' }])).toEqual([]);
  });

  it('object: only plain objects', () => {
    expect(object({ a: 1 })).toEqual({ a: 1 });
    expect(object([1])).toEqual({});
    expect(object(null)).toEqual({});
    expect(object('x')).toEqual({});
  });
});
