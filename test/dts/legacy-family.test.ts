// The legacy `*SynchronizationJob` family (activities/dts/synchronization-job.ts and the files it names) against a
// scripted client: what each verb sends to DTS and what it decides from the answer, in milliseconds (the mutation
// run, docs/reliability.md "Mutation testing", uses these). The emulator tests prove the same over HTTP.
import { ApplicationFailure } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { describeJob, databases } from '../../activities/dts/describe-job';
import { toSnapshot } from '../../activities/dts/describe';
import { DtsFailure } from '../../activities/dts/errors';
import { listInstances } from '../../activities/dts/list-instances';
import { describeStatusList } from '../../activities/dts/status-list';
import { synchronizationJobFamily } from '../../activities/dts/synchronization-job';
import type { RedisEndpoint } from '../../core/types';
import { scriptedClient, type Json } from '../support/scripted-dts';

/** The legacy family over a scripted client; every call is recorded as the family made it. */
function scripted(answer?: Parameters<typeof scriptedClient>[0]) {
  const { dts, calls } = scriptedClient(answer);
  return { dts, family: synchronizationJobFamily(dts), calls };
}

const REF = { dtsJobId: 'dtsjob-1', regionId: 'cn-hangzhou' };
const notFound = () => ApplicationFailure.create({ message: 'gone', type: DtsFailure.NotFound, nonRetryable: true });

describe('legacy family: create, configure and the per-direction actions', () => {
  const create = {
    regionId: 'cn-hangzhou',
    sourceRegion: 'cn-shanghai',
    destinationRegion: 'cn-beijing',
    topology: 'bidirectional' as const,
    jobClass: 'large' as const,
    clientToken: 'token-1',
  };

  it('Create sends the shape, the ClientToken and the period of a PrePaid instance only', async () => {
    const { family, calls } = scripted(() => ({ SynchronizationJobId: 'dtsjob-new' }));
    expect(
      await family.create({ ...create, payType: 'PrePaid', period: 'Year', usedTime: 1, resourceGroupId: 'rg-1' }),
    ).toBe('dtsjob-new');
    await family.create({ ...create, payType: 'PostPaid', period: 'Year', usedTime: 1 });
    expect(calls.map((c) => [c.action, c.params])).toEqual([
      [
        'CreateSynchronizationJob',
        {
          RegionId: 'cn-hangzhou',
          SourceRegion: 'cn-shanghai',
          DestRegion: 'cn-beijing',
          SynchronizationJobClass: 'large',
          PayType: 'PrePaid',
          Period: 'Year',
          UsedTime: 1,
          Topology: 'bidirectional',
          'SourceEndpoint.InstanceType': 'Redis',
          'DestinationEndpoint.InstanceType': 'Redis',
          ClientToken: 'token-1',
          ResourceGroupId: 'rg-1',
        },
      ],
      [
        'CreateSynchronizationJob',
        expect.objectContaining({ PayType: 'PostPaid', Period: undefined, UsedTime: undefined }),
      ],
    ]);
  });

  it('Create refuses an answer without a job id', async () => {
    for (const answer of [{}, { SynchronizationJobId: '' }, { SynchronizationJobId: 7 }]) {
      const { family } = scripted(() => answer);
      await expect(family.create({ ...create, payType: 'PostPaid' })).rejects.toThrow(
        'CreateSynchronizationJob answered without a SynchronizationJobId',
      );
    }
  });

  const tair: RedisEndpoint = { kind: 'enterprise', instanceId: 'r-a', region: 'cn-hangzhou', password: 'pa' };
  const configure = {
    dtsJobId: 'dtsjob-1',
    regionId: 'cn-hangzhou',
    direction: 'Forward' as const,
    jobName: 'setup-1',
    databases: [{ from: 0, to: 1 }],
  };

  it('Configure: full and incremental, the mapping, Tair at both ends, a Tair account inside the password', async () => {
    const { family, calls } = scripted();
    await family.configure({
      ...configure,
      source: { ...tair, username: 'app' },
      destination: { ...tair, instanceId: 'r-b', password: 'pb' },
    });
    expect(calls).toEqual([
      {
        action: 'ConfigureSynchronizationJob',
        secrets: ['pa', 'pb'],
        params: {
          SynchronizationJobId: 'dtsjob-1',
          RegionId: 'cn-hangzhou',
          SynchronizationJobName: 'setup-1',
          SynchronizationDirection: 'Forward',
          StructureInitialization: true,
          DataInitialization: true,
          SynchronizationObjects: JSON.stringify([{ DBName: '0', NewDBName: '1' }]),
          'SourceEndpoint.InstanceType': 'Redis',
          'SourceEndpoint.InstanceId': 'r-a',
          'SourceEndpoint.Password': 'app:pa',
          'DestinationEndpoint.InstanceType': 'Redis',
          'DestinationEndpoint.InstanceId': 'r-b',
          'DestinationEndpoint.Password': 'pb',
          MigrationReserved: JSON.stringify({ srcRedisType: 'enterprise', destRedisType: 'enterprise' }),
        },
      },
    ]);
  });

  it('Configure: self-managed kinds with the default account; the reserved JSON only when something applies', async () => {
    const community: RedisEndpoint = { kind: 'community', instanceId: 'r-c', region: 'cn-hangzhou', password: 'pc' };
    const ecs: RedisEndpoint = { kind: 'ecs', instanceId: 'i-1', region: 'cn-hangzhou', password: 'pe', port: 6379 };
    const express: RedisEndpoint = {
      kind: 'express',
      region: 'cn-hangzhou',
      password: 'px',
      ip: '10.0.0.2',
      port: 6380,
    };
    const { family, calls } = scripted();
    await family.configure({ ...configure, source: community, destination: tair });
    await family.configure({ ...configure, source: tair, destination: community });
    await family.configure({ ...configure, source: ecs, destination: express, startAutomatically: false });
    await family.configure({
      ...configure,
      source: { ...ecs, username: 'u1', ip: '10.0.0.1' },
      destination: { ...express, username: 'u2' },
      startAutomatically: true,
    });
    const [first, tairFirst, second, third] = calls.map((c) => c.params);
    expect(first?.MigrationReserved).toBeUndefined();
    expect(tairFirst?.MigrationReserved).toBeUndefined();
    expect(first).toMatchObject({ 'SourceEndpoint.InstanceType': 'Redis', 'SourceEndpoint.Password': 'pc' });
    expect(second).toMatchObject({
      'SourceEndpoint.InstanceType': 'ECS',
      'SourceEndpoint.InstanceId': 'i-1',
      'SourceEndpoint.IP': undefined,
      'SourceEndpoint.Port': 6379,
      'SourceEndpoint.UserName': 'default',
      'SourceEndpoint.Password': 'pe',
      'DestinationEndpoint.InstanceType': 'Express',
      'DestinationEndpoint.IP': '10.0.0.2',
      'DestinationEndpoint.Port': 6380,
      'DestinationEndpoint.UserName': 'default',
      'DestinationEndpoint.Password': 'px',
      MigrationReserved: JSON.stringify({ autoStartModulesAfterConfig: 'none' }),
    });
    expect(second).not.toHaveProperty('DestinationEndpoint.InstanceId');
    expect(third).toMatchObject({
      'SourceEndpoint.IP': '10.0.0.1',
      'SourceEndpoint.UserName': 'u1',
      'DestinationEndpoint.UserName': 'u2',
      MigrationReserved: undefined,
    });
  });

  it('Start, Suspend, Reset and Delete name the job, its region and (per direction) the direction', async () => {
    const { family, calls } = scripted();
    await family.start({ ...REF, direction: 'Reverse' });
    await family.suspend({ ...REF, direction: 'Forward' });
    await family.reset({ ...REF, direction: 'Reverse' });
    expect(await family.release(REF)).toEqual({ outcome: 'released' });
    const direction = (d: string) => ({
      SynchronizationJobId: 'dtsjob-1',
      RegionId: 'cn-hangzhou',
      SynchronizationDirection: d,
    });
    expect(calls.map((c) => [c.action, c.params])).toEqual([
      ['StartSynchronizationJob', direction('Reverse')],
      ['SuspendSynchronizationJob', direction('Forward')],
      ['ResetSynchronizationJob', direction('Reverse')],
      ['DeleteSynchronizationJob', { SynchronizationJobId: 'dtsjob-1', RegionId: 'cn-hangzhou' }],
    ]);
  });

  it('Delete of a job already gone counts as released; any other error is the caller’s', async () => {
    expect(await scripted(notFound).family.release(REF)).toEqual({ outcome: 'already-gone' });
    const busy = ApplicationFailure.create({ message: 'busy', type: DtsFailure.Throttled });
    await expect(scripted(() => busy).family.release(REF)).rejects.toBe(busy);
    const plain = new Error('socket');
    await expect(scripted(() => plain).family.release(REF)).rejects.toBe(plain);
  });
});

describe('legacy family: one direction’s status', () => {
  it('asks for the direction and reads status, precheck failures, error, delay, checkpoint and expiry', async () => {
    const { family, calls } = scripted(() => ({
      Status: 'Prechecking',
      ExpireTime: '2027-01-01T08:00:00+08:00',
      PrecheckStatus: {
        Percent: '40',
        Detail: [
          { ItemName: 'CHECK_A', CheckStatus: 'FAILED', ErrorMessage: 'no route', RepairMethod: 'open' },
          { CheckStatus: 'failed' },
          { ItemName: 'CHECK_C', CheckStatus: 'Success' },
        ],
      },
      DataSynchronizationStatus: { Delay: '12', Checkpoint: '1700000000', ErrorMessage: 'sync error' },
    }));
    const snapshot = await family.describe({ ...REF, direction: 'Reverse' });
    expect(calls).toEqual([
      {
        action: 'DescribeSynchronizationJobStatus',
        secrets: undefined,
        params: { SynchronizationJobId: 'dtsjob-1', RegionId: 'cn-hangzhou', SynchronizationDirection: 'Reverse' },
      },
    ]);
    expect(snapshot).toEqual({
      status: 'prechecking',
      rawStatus: 'Prechecking',
      progress: 4,
      stage: 'precheck',
      stagePercent: 40,
      precheckFailures: [
        { item: 'CHECK_A', message: 'no route', repairMethod: 'open' },
        { item: 'UNKNOWN', message: '' },
      ],
      errorMessage: 'sync error',
      delaySeconds: 12,
      checkpoint: '1700000000',
      expireTime: '2027-01-01T00:00:00.000Z',
    });
  });

  it('progress weighs precheck, structure and data; a finished or running sync is 100, a waiting one 0', () => {
    const init = (structure: Json, data: Json) =>
      toSnapshot({
        Status: 'Initializing',
        PrecheckStatus: { Percent: 100 },
        StructureInitializationStatus: structure,
        DataInitializationStatus: data,
      });
    expect(init({ Status: 'migrating', Percent: 50 }, { Percent: 0 })).toMatchObject({
      progress: 15,
      stage: 'structure',
      stagePercent: 50,
    });
    expect(init({ Status: 'Finished', Percent: 100 }, { Status: 'Migrating', Percent: 25 })).toMatchObject({
      progress: 40,
      stage: 'data',
      stagePercent: 25,
    });
    expect(init({ Status: 'Finished', Percent: 100 }, {})).toMatchObject({ stage: 'data', stagePercent: 0 });
    expect(init({ Status: 'Migrating' }, {})).toMatchObject({ stage: 'structure', stagePercent: 0, progress: 10 });
    expect(init({ Percent: 900 }, { Percent: 900 })).toMatchObject({ progress: 100 });
    expect(toSnapshot({ Status: 'Prechecking' })).toMatchObject({ progress: 0, stage: 'precheck', stagePercent: 0 });
    for (const [status, progress] of [
      ['Synchronizing', 100],
      ['Finished', 100],
      ['NotStarted', 0],
      ['NotConfigured', 0],
    ] as const)
      expect(
        toSnapshot({ Status: status, PrecheckStatus: { Percent: 100 }, DataInitializationStatus: { Percent: 50 } }),
      ).toMatchObject({
        progress,
        stage: 'other',
        stagePercent: 0,
      });
    expect(
      toSnapshot({ Status: 'Failed', PrecheckStatus: { Percent: 100 }, DataInitializationStatus: { Percent: 50 } })
        .progress,
    ).toBe(50);
  });

  it('the first error message that says something, the top-level delay and checkpoint first, no expiry for PostPaid', () => {
    expect(
      toSnapshot({
        Status: 'Failed',
        ErrorMessage: '  ',
        StructureInitializationStatus: { ErrorMessage: 'structure failed' },
        DataInitializationStatus: { ErrorMessage: 'data failed' },
        DataSynchronizationStatus: { ErrorMessage: 'sync failed', Delay: 5, Checkpoint: '2' },
        Delay: 0,
        Checkpoint: '1',
        ExpireTime: '',
      }),
    ).toEqual({
      status: 'failed',
      rawStatus: 'Failed',
      progress: 0,
      stage: 'other',
      stagePercent: 0,
      precheckFailures: [],
      errorMessage: 'data failed',
      delaySeconds: 0,
      checkpoint: '1',
    });
    expect(
      toSnapshot({ Status: 'Failed', StructureInitializationStatus: { ErrorMessage: 'structure failed' } })
        .errorMessage,
    ).toBe('structure failed');
    expect(toSnapshot({ Status: 'Failed', ErrorMessage: 'top', Delay: 'n/a', ExpireTime: 'never' })).not.toHaveProperty(
      'delaySeconds',
    );
    expect(toSnapshot({ Status: 'Failed', ExpireTime: 'never' })).not.toHaveProperty('expireTime');
    expect(toSnapshot({ Status: 'Failed', PrecheckStatus: { Detail: 'none' } }).precheckFailures).toEqual([]);
  });
});

describe('legacy family: the status list', () => {
  const job = (id: string, forward = 'Synchronizing', reverse?: string, checkpoint?: unknown): Json => ({
    SynchronizationJobId: id,
    SynchronizationDirectionInfoList: [
      { SynchronizationDirection: 'Forward', Status: forward, Checkpoint: checkpoint },
      ...(reverse ? [{ SynchronizationDirection: 'reverse', Status: reverse }] : []),
    ],
  });

  it('the family’s statuses and job are the status list and the adoption read', async () => {
    const { family, calls } = scripted((action) =>
      action === 'DescribeSynchronizationJobStatusList'
        ? { SynchronizationJobListStatusList: [job('a')], TotalRecordCount: 1 }
        : { Status: 'Synchronizing', SynchronizationInstances: [] },
    );
    const checkpoints = {};
    const count = { count: 0 };
    expect(await family.statuses('cn-hangzhou', ['a'], checkpoints, count)).toEqual({
      a: { Forward: 'Synchronizing' },
    });
    expect(count.count).toBe(1);
    expect((await family.job(REF))?.forward.status).toBe('synchronizing');
    expect(calls.map((c) => c.action)).toEqual([
      'DescribeSynchronizationJobStatusList',
      'DescribeSynchronizationJobStatus',
      'DescribeSynchronizationJobs',
    ]);
  });

  it('one call for the ids; both directions and their checkpoints; counts the call', async () => {
    const { dts, calls } = scripted(() => ({
      SynchronizationJobListStatusList: [
        job('a', 'Synchronizing', 'Failed', '1700000000'),
        job('b', 'Failed', undefined, 'n/a'),
        { SynchronizationJobId: '' },
        {
          SynchronizationJobId: 'c',
          SynchronizationDirectionInfoList: [{ SynchronizationDirection: 'Sideways', Status: 'x' }],
        },
        { SynchronizationJobId: 'd', SynchronizationDirectionInfoList: 'none' },
      ],
      TotalRecordCount: 4,
    }));
    const checkpoints = {};
    const count = { count: 0 };
    const board = await describeStatusList(dts, 'cn-hangzhou', ['a', 'b', 'c', 'd'], checkpoints, count);
    expect(calls.map((c) => c.params)).toEqual([
      { RegionId: 'cn-hangzhou', SynchronizationJobIdListJsonStr: '["a","b","c","d"]', PageNumber: undefined },
    ]);
    expect(count.count).toBe(1);
    expect(board).toEqual({
      a: { Forward: 'Synchronizing', Reverse: 'Failed' },
      b: { Forward: 'Failed' },
      c: {},
      d: {},
    });
    expect(checkpoints).toEqual({ a: { Forward: 1700000000 } });
    expect(await describeStatusList(dts, 'cn-hangzhou', [])).toEqual({});
    expect(calls).toHaveLength(1);
  });

  it('pages with PageNumber until the total came; without a total one call is all', async () => {
    const pages = [[job('a'), job('b')], [job('c')]];
    const paged = scripted((_a, params) => ({
      SynchronizationJobListStatusList: pages[Number(params.PageNumber ?? 1) - 1] ?? [],
      TotalRecordCount: '3',
    }));
    const board = await describeStatusList(paged.dts, 'cn-hangzhou', ['a', 'b', 'c']);
    expect(Object.keys(board)).toEqual(['a', 'b', 'c']);
    expect(paged.calls.map((c) => c.params.PageNumber)).toEqual([undefined, 2]);

    const untold = scripted(() => ({ SynchronizationJobListStatusList: [job('a')] }));
    await describeStatusList(untold.dts, 'cn-hangzhou', ['a', 'b']);
    expect(untold.calls).toHaveLength(1);

    // The total counts only the jobs DTS answers for: two of three asked.
    const partial = scripted(() => ({ SynchronizationJobListStatusList: [job('a'), job('b')], TotalRecordCount: 2 }));
    await describeStatusList(partial.dts, 'cn-hangzhou', ['a', 'b', 'c']);
    expect(partial.calls).toHaveLength(1);
  });

  it('when DTS ignores PageNumber it asks again by id for the jobs still missing', async () => {
    const { dts, calls } = scripted((_a, params) => {
      const ids = JSON.parse(String(params.SynchronizationJobIdListJsonStr)) as string[];
      // Always the first two of what was asked, whatever the page.
      return { SynchronizationJobListStatusList: ids.slice(0, 2).map((id) => job(id)), TotalRecordCount: ids.length };
    });
    const board = await describeStatusList(dts, 'cn-hangzhou', ['a', 'b', 'c', 'd', 'e']);
    expect(Object.keys(board).sort()).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(calls.map((c) => [c.params.SynchronizationJobIdListJsonStr, c.params.PageNumber])).toEqual([
      ['["a","b","c","d","e"]', undefined],
      ['["a","b","c","d","e"]', 2],
      ['["c","d","e"]', undefined],
      ['["c","d","e"]', 2],
      ['["e"]', undefined],
    ]);
  });

  it('a direction of no known name keeps no checkpoint; a checkpoint needs no board', async () => {
    const answer = () => ({
      SynchronizationJobListStatusList: [
        {
          SynchronizationJobId: 'a',
          SynchronizationDirectionInfoList: [
            { SynchronizationDirection: 'Sideways', Status: 'x', Checkpoint: 5 },
            { SynchronizationDirection: 'Forward', Status: 'Synchronizing', Checkpoint: 7 },
          ],
        },
      ],
      TotalRecordCount: 1,
    });
    const checkpoints = {};
    expect(await describeStatusList(scripted(answer).dts, 'cn-hangzhou', ['a'], checkpoints)).toEqual({
      a: { Forward: 'Synchronizing' },
    });
    expect(checkpoints).toEqual({ a: { Forward: 7 } });
    expect(await describeStatusList(scripted(answer).dts, 'cn-hangzhou', ['a'])).toEqual({
      a: { Forward: 'Synchronizing' },
    });
  });

  it('a second page with nothing new asks again by id from page 1 before giving up', async () => {
    // DTS answers a job it was not asked for, and never the one asked.
    const { dts, calls } = scripted(() => ({ SynchronizationJobListStatusList: [job('z')], TotalRecordCount: 1 }));
    const board = await describeStatusList(dts, 'cn-hangzhou', ['a']);
    expect(board).toEqual({ z: { Forward: 'Synchronizing' } });
    expect(calls.map((c) => [c.params.SynchronizationJobIdListJsonStr, c.params.PageNumber])).toEqual([
      ['["a"]', undefined],
      ['["a"]', 2],
      ['["a"]', undefined],
    ]);
  });

  it('stops when a first page of the missing ids brings nothing', async () => {
    const { dts, calls } = scripted((_a, params) =>
      params.SynchronizationJobIdListJsonStr === '["a","b"]'
        ? { SynchronizationJobListStatusList: [job('a')], TotalRecordCount: 2 }
        : { SynchronizationJobListStatusList: [job('a')], TotalRecordCount: 1 },
    );
    // Page 2 repeats a; b is then asked alone and DTS answers a again: nothing for b, stop.
    const board = await describeStatusList(dts, 'cn-hangzhou', ['a', 'b']);
    expect(board).toEqual({ a: { Forward: 'Synchronizing' } });
    expect(calls.length).toBeLessThanOrEqual(3);

    const silent = scripted(() => ({ SynchronizationJobListStatusList: 'none', TotalRecordCount: 2 }));
    expect(await describeStatusList(silent.dts, 'cn-hangzhou', ['a', 'b'])).toEqual({});
    expect(silent.calls).toHaveLength(1);
  });
});

describe('legacy family: the instance list', () => {
  const item = (over: Json): Json => ({
    SynchronizationJobId: 'dtsjob-a',
    SynchronizationJobName: 'setup-a',
    SynchronizationJobClass: 'small',
    PayType: 'PostPaid',
    Status: 'Synchronizing',
    SynchronizationDirection: 'Forward',
    InstanceCreateTime: '2026-12-01T10:00:00Z',
    SourceEndpoint: { InstanceId: 'r-1' },
    DestinationEndpoint: { InstanceId: 'r-2' },
    ...over,
  });

  it('reads every page, folding the two directions of an instance into one', async () => {
    const pages: Json[][] = [
      [
        item({}),
        item({
          SynchronizationDirection: 'Reverse',
          // The name an instance's first item gave it stays.
          SynchronizationJobName: 'other-name',
          SourceEndpoint: { InstanceId: 'r-2' },
          DestinationEndpoint: { InstanceId: 'r-1' },
        }),
      ],
      [
        item({
          SynchronizationJobId: 'dtsjob-b',
          SynchronizationJobName: '',
          InstanceCreateTime: undefined,
          CreateTime: '2026-12-01 18:00:00.0',
          SourceEndpoint: { IP: '10.0.0.1', Port: 6379 },
          DestinationEndpoint: { Ip: '10.0.0.2', Port: '6380' },
          SynchronizationDirection: undefined,
        }),
        item({
          SynchronizationJobId: 'dtsjob-b',
          SynchronizationJobName: 'late-name',
          Status: 'NotConfigured',
          SynchronizationDirection: 'Reverse',
          SourceEndpoint: undefined,
        }),
      ],
    ];
    const { dts, calls } = scripted((_a, params) => ({
      SynchronizationInstances: pages[Number(params.PageNum) - 1] ?? [],
      TotalRecordCount: 2,
    }));
    const count = { count: 0 };
    const list = await listInstances(dts, 'cn-hangzhou', count);
    expect(calls.map((c) => [c.action, c.params])).toEqual([
      ['DescribeSynchronizationJobs', { RegionId: 'cn-hangzhou', PageSize: 30, PageNum: 1 }],
      ['DescribeSynchronizationJobs', { RegionId: 'cn-hangzhou', PageSize: 30, PageNum: 2 }],
    ]);
    expect(count.count).toBe(2);
    expect(list).toEqual([
      {
        dtsJobId: 'dtsjob-a',
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
        dtsJobId: 'dtsjob-b',
        name: 'late-name',
        jobClass: 'small',
        payType: 'PostPaid',
        directions: 2,
        routes: [{ direction: 'Forward', source: '10.0.0.1:6379', destination: '10.0.0.2:6380' }],
        unconfigured: false,
        createdAtMs: Date.parse('2026-12-01T10:00:00Z'),
      },
    ]);
  });

  it('stops on an empty page, a page with nothing new, or the total; an item without id is skipped', async () => {
    const same = scripted(() => ({ SynchronizationInstances: [item({})] }));
    expect(await listInstances(same.dts, 'cn-hangzhou')).toHaveLength(1);
    expect(same.calls).toHaveLength(2);

    const empty = scripted(() => ({ SynchronizationInstances: 'none' }));
    expect(await listInstances(empty.dts, 'cn-hangzhou')).toEqual([]);
    expect(empty.calls).toHaveLength(1);

    let n = 0;
    const total = scripted(() => ({
      SynchronizationInstances: [item({ SynchronizationJobId: `j-${n++}` }), { SynchronizationJobId: '' }],
      TotalRecordCount: 3,
    }));
    expect(await listInstances(total.dts, 'cn-hangzhou')).toHaveLength(3);
    expect(total.calls).toHaveLength(3);
  });

  it('unconfigured: NotConfigured, or NotStarted without a name; one listed item of such an instance has no topology', async () => {
    const { dts } = scripted(() => ({
      SynchronizationInstances: [
        item({ SynchronizationJobId: 'nc', Status: 'NotConfigured', SynchronizationJobName: 'x' }),
        item({ SynchronizationJobId: 'ns', Status: 'NotStarted', SynchronizationJobName: '' }),
        item({ SynchronizationJobId: 'named', Status: 'NotStarted', SynchronizationJobName: 'held' }),
        item({ SynchronizationJobId: 'two', Status: 'NotConfigured' }),
        item({ SynchronizationJobId: 'two', Status: 'NotConfigured', SynchronizationDirection: 'Reverse' }),
        item({ SynchronizationJobId: 'old', InstanceCreateTime: 'x', CreateTime: 'yesterday' }),
        item({ SynchronizationJobId: 'noroute', DestinationEndpoint: {} }),
        item({ SynchronizationJobId: 'nullroute', SourceEndpoint: null }),
        item({ SynchronizationJobId: 'badtime', InstanceCreateTime: undefined, CreateTime: 'x2026-12-01 18:00:00.0' }),
      ],
      TotalRecordCount: 8,
    }));
    const byId = Object.fromEntries((await listInstances(dts, 'cn-hangzhou')).map((i) => [i.dtsJobId, i]));
    expect(byId.nc).toMatchObject({ unconfigured: true });
    expect(byId.nc).not.toHaveProperty('directions');
    expect(byId.ns).toMatchObject({ unconfigured: true });
    expect(byId.named).toMatchObject({ unconfigured: false, directions: 1 });
    expect(byId.two).toMatchObject({ unconfigured: true, directions: 2 });
    expect(byId.old?.createdAtMs).toBeNaN();
    expect(byId.noroute?.routes).toEqual([]);
    expect(byId.nullroute?.routes).toEqual([]);
    expect(byId.badtime?.createdAtMs).toBeNaN();
  });
});

describe('legacy family: the adoption read', () => {
  const forwardStatus = {
    SynchronizationJobName: 'theirs',
    SynchronizationJobClass: 'medium',
    PayType: 'PrePaid',
    Status: 'Synchronizing',
    SourceEndpoint: { InstanceId: 'r-1', InstanceType: 'Redis', Port: '6379' },
    DestinationEndpoint: { IP: '10.0.0.2', InstanceType: 'ECS', Port: 'x' },
    SynchronizationObjects: [{ SchemaName: '0', NewSchemaName: '1' }, { DBName: '2' }, { DBName: 'x' }],
  };
  const listed = (over: Json = {}): Json => ({
    SynchronizationJobId: 'dtsjob-1',
    SynchronizationDirection: 'Forward',
    SynchronizationJobClass: 'large',
    PayType: 'PostPaid',
    ...over,
  });

  it('reads Forward’s status, then the job’s listed items by its name: topology and Reverse', async () => {
    const reverse = listed({
      SynchronizationDirection: 'Reverse',
      Status: 'NotStarted',
      SourceEndpoint: { IP: '10.0.0.2' },
      SynchronizationObjects: [{ DBName: '1', NewDBName: '0' }],
    });
    const { dts, calls } = scripted((action) =>
      action === 'DescribeSynchronizationJobStatus'
        ? forwardStatus
        : {
            SynchronizationInstances: [listed({ SynchronizationJobId: 'other' }), listed(), reverse, reverse],
            TotalRecordCount: 2,
          },
    );
    const facts = await describeJob(dts, REF);
    expect(calls.map((c) => [c.action, c.params])).toEqual([
      [
        'DescribeSynchronizationJobStatus',
        { SynchronizationJobId: 'dtsjob-1', RegionId: 'cn-hangzhou', SynchronizationDirection: 'Forward' },
      ],
      [
        'DescribeSynchronizationJobs',
        { RegionId: 'cn-hangzhou', PageSize: 30, PageNum: 1, SynchronizationJobName: 'theirs' },
      ],
    ]);
    expect(facts).toEqual({
      dtsJobId: 'dtsjob-1',
      api: 'synchronizationjob',
      inRegion: true,
      name: 'theirs',
      jobClass: 'medium',
      payType: 'PrePaid',
      topology: 'bidirectional',
      forward: {
        configured: true,
        status: 'synchronizing',
        rawStatus: 'Synchronizing',
        source: { instanceType: 'Redis', instanceId: 'r-1', port: 6379 },
        destination: { instanceType: 'ECS', ip: '10.0.0.2' },
        databases: [
          { from: 0, to: 1 },
          { from: 2, to: 2 },
        ],
      },
      reverse: {
        configured: true,
        status: 'notstarted',
        rawStatus: 'NotStarted',
        source: { instanceType: '', ip: '10.0.0.2' },
        databases: [{ from: 1, to: 0 }],
      },
    });
  });

  it('a job without a name is looked for in the whole list; class and pay type from the list when the status lacks them', async () => {
    const { dts, calls } = scripted((action, params) =>
      action === 'DescribeSynchronizationJobStatus'
        ? { Status: 'NotStarted' }
        : {
            SynchronizationInstances:
              Number(params.PageNum) === 1 ? [listed({ SynchronizationDirection: undefined })] : [],
          },
    );
    const facts = await describeJob(dts, REF);
    expect(calls[1]?.params).not.toHaveProperty('SynchronizationJobName');
    expect(calls).toHaveLength(3);
    expect(facts).toMatchObject({ jobClass: 'large', payType: 'PostPaid', topology: 'oneway', inRegion: true });
    expect(facts).not.toHaveProperty('reverse');
    // NotStarted without endpoints: DTS's way of saying unconfigured.
    expect(facts?.forward).toEqual({ configured: false, status: 'notstarted', rawStatus: 'NotStarted' });
  });

  it('not listed in the region: no topology; unknown to DTS: undefined; other errors are the caller’s', async () => {
    const elsewhere = scripted((action) =>
      action === 'DescribeSynchronizationJobStatus' ? forwardStatus : { SynchronizationInstances: [] },
    );
    const facts = await describeJob(elsewhere.dts, REF);
    expect(facts?.inRegion).toBe(false);
    expect(facts).not.toHaveProperty('topology');
    expect(facts?.jobClass).toBe('medium');

    expect(await describeJob(scripted(notFound).dts, REF)).toBeUndefined();
    const denied = ApplicationFailure.create({ message: 'denied', type: DtsFailure.Credentials, nonRetryable: true });
    await expect(describeJob(scripted(() => denied).dts, REF)).rejects.toBe(denied);
  });

  it('pages through the list until the total of jobs was seen', async () => {
    const pages: Json[][] = [
      [
        listed({ SynchronizationJobId: 'x' }),
        listed({ SynchronizationJobId: 'x', SynchronizationDirection: 'Reverse' }),
      ],
      [listed()],
      [listed({ SynchronizationJobId: 'y' })],
    ];
    const { dts, calls } = scripted((action, params) =>
      action === 'DescribeSynchronizationJobStatus'
        ? forwardStatus
        : { SynchronizationInstances: pages[Number(params.PageNum) - 1] ?? [], TotalRecordCount: 2 },
    );
    const facts = await describeJob(dts, REF);
    expect(facts?.topology).toBe('oneway');
    // Page 2 brings the second job: two jobs seen, the total.
    expect(calls.map((c) => c.params.PageNum)).toEqual([undefined, 1, 2]);
  });

  it('databases: only a list, names as numbers', () => {
    expect(databases('[{"DBName":"0"}]')).toEqual([]);
    expect(databases([{ SchemaName: '3', NewDBName: '4' }])).toEqual([{ from: 3, to: 4 }]);
    expect(databases([{ DBName: '5', NewSchemaName: 'x' }])).toEqual([]);
  });
});
