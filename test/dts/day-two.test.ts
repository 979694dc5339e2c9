// The day-two DTS calls of both families (activities/dts/changes.ts, dts-job-changes.ts, subscription.ts) against a
// scripted client: each reads DTS first and sends nothing already applied or applying, so a retry after a lost
// answer is never counted twice. The emulator tests prove the same over HTTP; these run in milliseconds.
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import { modifyDatabases, readChangeFacts, readObjectTask, upgradeClass } from '../../activities/dts/changes';
import {
  modifyJobDatabases,
  modifyJobPassword,
  readJobChangeFacts,
  upgradeJobClass,
} from '../../activities/dts/dts-job-changes';
import { DtsFailure } from '../../activities/dts/errors';
import { dtsFamilies } from '../../activities/dts/families';
import { instanceTags, renewInstance, tagInstance, untagInstance } from '../../activities/dts/subscription';
import { scriptedClient, type Json, type ScriptedCall as Call } from '../support/scripted-dts';

/** The activity's own log lines are not what these tests read. */
const QUIET = { logger: new DefaultLogger('ERROR') };

const scripted = scriptedClient;

const sent = (calls: Call[]) => calls.map((c) => c.action);
const REF = { dtsJobId: 'dtsjob-1', regionId: 'cn-hangzhou' };

describe('legacy family day-two', () => {
  const status = (over: Json = {}) => ({
    Status: 'Synchronizing',
    SynchronizationJobClass: 'Small',
    SynchronizationObjects: [{ DBName: '0', NewDBName: '0' }],
    ...over,
  });

  it('reads a direction’s status, class and databases', async () => {
    const { dts, calls } = scripted(() => status());
    expect(await readChangeFacts(dts, { ...REF, direction: 'Reverse' })).toEqual({
      status: 'synchronizing',
      rawStatus: 'Synchronizing',
      jobClass: 'Small',
      databases: [{ from: 0, to: 0 }],
    });
    expect(calls[0]).toEqual({
      action: 'DescribeSynchronizationJobStatus',
      secrets: undefined,
      params: { SynchronizationJobId: 'dtsjob-1', RegionId: 'cn-hangzhou', SynchronizationDirection: 'Reverse' },
    });
  });

  it('modifies the databases unless DTS shows them or is modifying; answers the task id', async () => {
    const input = { ...REF, direction: 'Forward' as const, databases: [{ from: 0, to: 2 }] };
    const changed = scripted((action) => (action === 'ModifySynchronizationObject' ? { TaskId: 'task-9' } : status()));
    expect(await modifyDatabases(changed.dts, input)).toEqual({ taskId: 'task-9' });
    expect(changed.calls[1]).toEqual({
      action: 'ModifySynchronizationObject',
      secrets: undefined,
      params: {
        SynchronizationJobId: 'dtsjob-1',
        RegionId: 'cn-hangzhou',
        SynchronizationDirection: 'Forward',
        SynchronizationObjects: JSON.stringify([{ DBName: '0', NewDBName: '2' }]),
      },
    });
    const noTask = scripted((action) => (action === 'ModifySynchronizationObject' ? {} : status()));
    expect(await modifyDatabases(noTask.dts, input)).toEqual({});
    expect(sent(noTask.calls)).toContain('ModifySynchronizationObject');

    const applied = scripted(() => status({ SynchronizationObjects: [{ DBName: '0', NewDBName: '2' }] }));
    expect(await modifyDatabases(applied.dts, input)).toEqual({});
    expect(sent(applied.calls)).toEqual(['DescribeSynchronizationJobStatus']);

    const applying = scripted(() => status({ Status: 'Modifying' }));
    expect(await modifyDatabases(applying.dts, input)).toEqual({});
    expect(sent(applying.calls)).toEqual(['DescribeSynchronizationJobStatus']);
  });

  it('reads a modification task: finished, failed with DTS’s words, else applying', async () => {
    const read = async (answer: Json) => {
      const { dts, calls } = scripted(() => answer);
      const out = await readObjectTask(dts, { taskId: 'task-9', regionId: 'cn-hangzhou' });
      expect(calls[0]?.params).toEqual({ TaskId: 'task-9', RegionId: 'cn-hangzhou' });
      expect(calls[0]?.action).toBe('DescribeSynchronizationObjectModifyStatus');
      return out;
    };
    expect(await read({ Status: 'FINISHED', ErrorMessage: 'ignored' })).toEqual({ state: 'finished' });
    expect(await read({ Status: 'Failed', ErrorMessage: 'no such db' })).toEqual({
      state: 'failed',
      message: 'no such db',
    });
    expect(await read({ Status: 'failed' })).toEqual({ state: 'failed' });
    expect(await read({ Status: 'Running', ErrorMessage: 'x' })).toEqual({ state: 'applying' });
    expect(await read({})).toEqual({ state: 'applying' });
  });

  it('upgrades the class unless DTS already reports it (any case), on the Forward direction', async () => {
    const up = scripted(() => status());
    expect(await upgradeClass(up.dts, { ...REF, jobClass: 'large' })).toEqual({ sent: true });
    expect(up.calls.map((c) => [c.action, c.params])).toEqual([
      [
        'DescribeSynchronizationJobStatus',
        { SynchronizationJobId: 'dtsjob-1', RegionId: 'cn-hangzhou', SynchronizationDirection: 'Forward' },
      ],
      [
        'TransferInstanceClass',
        { DtsJobId: 'dtsjob-1', RegionId: 'cn-hangzhou', OrderType: 'UPGRADE', InstanceClass: 'large' },
      ],
    ]);
    const same = scripted(() => status({ SynchronizationJobClass: 'LARGE' }));
    expect(await upgradeClass(same.dts, { ...REF, jobClass: 'large' })).toEqual({ sent: false });
    expect(sent(same.calls)).toEqual(['DescribeSynchronizationJobStatus']);
  });
});

describe('DtsJob family day-two', () => {
  const REFI = { dtsJobId: 'dtsi-1', regionId: 'cn-hangzhou' };
  const item = (over: Json = {}, reverse?: Json): Json => ({
    DtsInstanceID: 'dtsi-1',
    DtsJobId: 'job-f',
    DtsJobClass: 'Small',
    Status: 'Synchronizing',
    DbObject: '{"0":{"name":"0","all":true}}',
    SourceEndpoint: { UserName: 'src-user' },
    DestinationEndpoint: {},
    ...(reverse ? { ReverseJob: { DtsJobId: 'job-r', Status: 'Synchronizing', ...reverse } } : {}),
    ...over,
  });
  const listing =
    (listed: Json[], act: (action: string) => Json | Error = () => ({})) =>
    (action: string): Json | Error =>
      action === 'DescribeDtsJobs' ? { DtsJobList: listed } : act(action);

  it('reads a direction’s status and databases, and the instance’s class from its Forward item', async () => {
    const { dts, calls } = scripted(listing([item({}, { Status: 'Failed', DbObject: { '1': { name: '1' } } })]));
    expect(await readJobChangeFacts(dts, { ...REFI, direction: 'Reverse' })).toEqual({
      status: 'failed',
      rawStatus: 'Failed',
      jobClass: 'Small',
      databases: [{ from: 1, to: 1 }],
    });
    expect(calls[0]?.params).toMatchObject({ DtsInstanceId: 'dtsi-1', Region: 'cn-hangzhou' });
  });

  it('an instance not listed, or a direction it does not have, is a permanent NotFound naming the action', async () => {
    const failureOf = async (p: Promise<unknown>) => {
      const err = await p.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(ApplicationFailure);
      return err as ApplicationFailure;
    };
    const gone = scripted(listing([]));
    const a = await failureOf(readJobChangeFacts(gone.dts, { ...REFI, direction: 'Forward' }));
    expect(a.type).toBe(DtsFailure.NotFound);
    expect(a.message).toBe('DescribeDtsJobs: DTS lists no instance dtsi-1 in cn-hangzhou');
    const oneWay = scripted(listing([item()]));
    const b = await failureOf(
      modifyJobDatabases(oneWay.dts, { ...REFI, direction: 'Reverse', databases: [{ from: 0, to: 1 }] }),
    );
    expect(b.type).toBe(DtsFailure.NotFound);
    expect(b.message).toBe('ModifyDtsJob: DTS lists no instance dtsi-1 (Reverse) in cn-hangzhou');
    expect(sent(oneWay.calls)).toEqual(['DescribeDtsJobs']);
    const c = await failureOf(upgradeJobClass(gone.dts, { ...REFI, jobClass: 'large' }));
    expect(c.message).toBe('TransferInstanceClass: DTS lists no instance dtsi-1 in cn-hangzhou');
    const d = await failureOf(
      modifyJobPassword(gone.dts, { ...REFI, direction: 'Forward', endpoint: 'src', password: 'x' }),
    );
    expect(d.message).toBe('ModifyDtsJobPassword: DTS lists no instance dtsi-1 in cn-hangzhou');
  });

  it('ModifyDtsJob sends the whole new DbList of the direction’s task unless applied or applying', async () => {
    const input = { ...REFI, direction: 'Reverse' as const, databases: [{ from: 0, to: 3 }] };
    const change = scripted(listing([item({}, {})]));
    expect(await modifyJobDatabases(change.dts, input)).toEqual({});
    expect(change.calls[1]).toEqual({
      action: 'ModifyDtsJob',
      secrets: undefined,
      params: {
        DtsInstanceId: 'dtsi-1',
        DtsJobId: 'job-r',
        RegionId: 'cn-hangzhou',
        SynchronizationDirection: 'Reverse',
        DbList: JSON.stringify({ '0': { name: '3', all: true } }),
      },
    });
    // A task without its own id is named by the instance alone.
    const noId = scripted(listing([item({ DtsJobId: '' })]));
    await modifyJobDatabases(noId.dts, { ...input, direction: 'Forward' });
    expect(noId.calls[1]?.params.DtsJobId).toBeUndefined();

    const applied = scripted(listing([item({}, { DbObject: '{"0":{"name":"3"}}' })]));
    expect(await modifyJobDatabases(applied.dts, input)).toEqual({});
    expect(sent(applied.calls)).toEqual(['DescribeDtsJobs']);
    const applying = scripted(listing([item({}, { Status: 'Modifying' })]));
    await modifyJobDatabases(applying.dts, input);
    expect(sent(applying.calls)).toEqual(['DescribeDtsJobs']);
  });

  it('a refusal because a modification is applying is an earlier attempt’s: no error; other refusals are', async () => {
    const input = { ...REFI, direction: 'Forward' as const, databases: [{ from: 0, to: 3 }] };
    const refusal = (code: string, type: string = DtsFailure.JobStatusConflict) =>
      ApplicationFailure.create({
        message: code,
        type,
        nonRetryable: true,
        details: [{ action: 'ModifyDtsJob', code }],
      });
    const modifying = scripted(listing([item()], () => refusal('Operation.Denied.JobStatusModifying')));
    expect(await modifyJobDatabases(modifying.dts, input)).toEqual({});

    for (const err of [
      refusal('OperationDenied.JobStatusFailed'),
      refusal('InvalidModifying', DtsFailure.InvalidParameter),
      ApplicationFailure.create({ message: 'x', type: DtsFailure.JobStatusConflict, nonRetryable: true }),
      new Error('Modifying'),
    ]) {
      const other = scripted(listing([item()], () => err));
      await expect(modifyJobDatabases(other.dts, input)).rejects.toBe(err);
    }
  });

  it('TransferInstanceClass names the Forward task, unless DTS already reports the class', async () => {
    const up = scripted(listing([item({}, { DtsJobClass: 'large' })]));
    expect(await upgradeJobClass(up.dts, { ...REFI, jobClass: 'large' })).toEqual({ sent: true });
    expect(up.calls[1]).toEqual({
      action: 'TransferInstanceClass',
      secrets: undefined,
      params: { DtsJobId: 'job-f', RegionId: 'cn-hangzhou', OrderType: 'UPGRADE', InstanceClass: 'large' },
    });
    const same = scripted(listing([item({ DtsJobClass: 'Large' })]));
    expect(await upgradeJobClass(same.dts, { ...REFI, jobClass: 'large' })).toEqual({ sent: false });
    expect(sent(same.calls)).toEqual(['DescribeDtsJobs']);
  });

  it('ModifyDtsJobPassword: the account asked, else the one DTS lists for that end, else the default', async () => {
    const env = new MockActivityEnvironment({ attempt: 1 }, QUIET);
    const base = { ...REFI, direction: 'Forward' as const, password: 'new-pw' };
    const { dts, calls } = scripted(
      listing([item({}, { SourceEndpoint: {}, DestinationEndpoint: { UserName: 'r-dest' } })]),
    );
    await env.run(() => modifyJobPassword(dts, { ...base, endpoint: 'src', userName: 'asked' }));
    await env.run(() => modifyJobPassword(dts, { ...base, endpoint: 'src' }));
    await env.run(() => modifyJobPassword(dts, { ...base, endpoint: 'dest' }));
    await env.run(() => modifyJobPassword(dts, { ...base, direction: 'Reverse', endpoint: 'dest' }));
    await env.run(() => modifyJobPassword(dts, { ...base, direction: 'Reverse', endpoint: 'src', userName: '' }));
    const modifies = calls.filter((c) => c.action === 'ModifyDtsJobPassword');
    expect(modifies[0]).toEqual({
      action: 'ModifyDtsJobPassword',
      secrets: ['new-pw'],
      params: {
        DtsJobId: 'job-f',
        DtsInstanceId: 'dtsi-1',
        RegionId: 'cn-hangzhou',
        SynchronizationDirection: 'Forward',
        Endpoint: 'src',
        UserName: 'asked',
        Password: 'new-pw',
      },
    });
    expect(modifies.map((c) => [c.params.DtsJobId, c.params.Endpoint, c.params.UserName])).toEqual([
      ['job-f', 'src', 'asked'],
      ['job-f', 'src', 'src-user'],
      ['job-f', 'dest', 'default'],
      ['job-r', 'dest', 'r-dest'],
      ['job-r', 'src', 'default'],
    ]);
  });

  it('a refused same password means an earlier attempt took effect only on a retry; anything else fails', async () => {
    const base = { ...REFI, direction: 'Forward' as const, endpoint: 'src' as const, password: 'new-pw' };
    const samePassword = ApplicationFailure.create({
      message: 'ModifyDtsJobPassword failed: InvalidParameter: the new Password equals the old one',
      type: DtsFailure.InvalidParameter,
      nonRetryable: true,
    });
    const refusing = (err: Error) => scripted(listing([item()], () => err)).dts;
    const retry = new MockActivityEnvironment({ attempt: 2 }, QUIET);
    await retry.run(() => modifyJobPassword(refusing(samePassword), base));
    await expect(
      new MockActivityEnvironment({ attempt: 1 }, QUIET).run(() => modifyJobPassword(refusing(samePassword), base)),
    ).rejects.toBe(samePassword);
    const otherParam = ApplicationFailure.create({
      message: 'bad region',
      type: DtsFailure.InvalidParameter,
      nonRetryable: true,
    });
    await expect(retry.run(() => modifyJobPassword(refusing(otherParam), base))).rejects.toBe(otherParam);
    const conflict = ApplicationFailure.create({
      message: 'password busy',
      type: DtsFailure.JobStatusConflict,
      nonRetryable: true,
    });
    await expect(retry.run(() => modifyJobPassword(refusing(conflict), base))).rejects.toBe(conflict);
    const plain = new Error('password socket');
    await expect(retry.run(() => modifyJobPassword(refusing(plain), base))).rejects.toBe(plain);
  });
});

describe('subscription and tags', () => {
  it('renews a legacy job by its id, a DtsJob instance by its Forward task; the new end time as an instant', async () => {
    const legacy = scripted(() => ({ EndTime: '2027-06-01T08:00:00+08:00' }));
    expect(await renewInstance(legacy.dts, { ...REF, period: 'Month', usedTime: 3 })).toEqual({
      endTime: '2027-06-01T00:00:00.000Z',
    });
    expect(legacy.calls).toEqual([
      {
        action: 'RenewInstance',
        secrets: undefined,
        params: { DtsJobId: 'dtsjob-1', RegionId: 'cn-hangzhou', ChargeType: 'PREPAY', Period: 'Month', BuyCount: 3 },
      },
    ]);

    const job = scripted((action) =>
      action === 'DescribeDtsJobs'
        ? {
            DtsJobList: [
              { DtsInstanceID: 'other', DtsJobId: 'job-x' },
              { DtsInstanceID: 'dtsi-1', DtsJobId: 'job-f' },
            ],
          }
        : { EndTime: 'soon' },
    );
    expect(
      await renewInstance(job.dts, {
        api: 'dtsjob',
        dtsJobId: 'dtsi-1',
        regionId: 'cn-hangzhou',
        period: 'Year',
        usedTime: 1,
      }),
    ).toEqual({});
    expect(job.calls.map((c) => [c.action, c.params])).toEqual([
      ['DescribeDtsJobs', { Region: 'cn-hangzhou', JobType: 'SYNC', PageSize: 10, DtsInstanceId: 'dtsi-1' }],
      [
        'RenewInstance',
        { DtsJobId: 'job-f', RegionId: 'cn-hangzhou', ChargeType: 'PREPAY', Period: 'Year', BuyCount: 1 },
      ],
    ]);

    const unlisted = scripted((action) => (action === 'DescribeDtsJobs' ? { DtsJobList: 'none' } : {}));
    await renewInstance(unlisted.dts, {
      api: 'dtsjob',
      dtsJobId: 'dtsi-1',
      regionId: 'cn-hangzhou',
      period: 'Year',
      usedTime: 1,
    });
    expect(unlisted.calls[1]?.params.DtsJobId).toBe('dtsi-1');
    const legacyApi = scripted();
    await renewInstance(legacyApi.dts, { api: 'synchronizationjob', ...REF, period: 'Year', usedTime: 1 });
    expect(sent(legacyApi.calls)).toEqual(['RenewInstance']);
  });

  it('tags: numbered pairs of the setup’s tags and the owner; nothing sent for none', async () => {
    const { dts, calls } = scripted();
    await tagInstance(dts, {
      ...REF,
      tags: ['env=prod', 'team:core', 'bare'],
      owner: { key: 'redis-dts-sync:setup', value: 's-1' },
    });
    await tagInstance(dts, { ...REF, tags: [] });
    await tagInstance(dts, { ...REF, tags: [], owner: { key: 'k', value: 'v' } });
    expect(calls.map((c) => [c.action, c.params])).toEqual([
      [
        'TagResources',
        {
          RegionId: 'cn-hangzhou',
          ResourceType: 'ALIYUN::DTS::INSTANCE',
          'ResourceId.1': 'dtsjob-1',
          'Tag.1.Key': 'env',
          'Tag.1.Value': 'prod',
          'Tag.2.Key': 'team',
          'Tag.2.Value': 'core',
          'Tag.3.Key': 'bare',
          'Tag.3.Value': '',
          'Tag.4.Key': 'redis-dts-sync:setup',
          'Tag.4.Value': 's-1',
        },
      ],
      [
        'TagResources',
        {
          RegionId: 'cn-hangzhou',
          ResourceType: 'ALIYUN::DTS::INSTANCE',
          'ResourceId.1': 'dtsjob-1',
          'Tag.1.Key': 'k',
          'Tag.1.Value': 'v',
        },
      ],
    ]);
  });

  it('untags numbered keys; nothing sent for none', async () => {
    const { dts, calls } = scripted();
    await untagInstance(dts, { ...REF, keys: [] });
    await untagInstance(dts, { ...REF, keys: ['a', 'b'] });
    expect(calls.map((c) => [c.action, c.params])).toEqual([
      [
        'UntagResources',
        {
          RegionId: 'cn-hangzhou',
          ResourceType: 'ALIYUN::DTS::INSTANCE',
          'ResourceId.1': 'dtsjob-1',
          'TagKey.1': 'a',
          'TagKey.2': 'b',
        },
      ],
    ]);
  });

  it('reads tags 50 ids a call, every page by NextToken, in both list shapes', async () => {
    const ids = Array.from({ length: 51 }, (_, i) => `id-${i}`);
    const { dts, calls } = scripted((_a, params) => {
      if (params['ResourceId.1'] === 'id-50')
        return { TagResources: { TagResource: [{ ResourceId: 'id-50', TagKey: 'k', TagValue: 'v50' }] } };
      if (params.NextToken === 'p2') return { TagResources: [{ ResourceId: 'id-1', TagKey: 'k', TagValue: 'v1' }] };
      return {
        TagResources: [
          { ResourceId: 'id-0', TagKey: 'k', TagValue: 'v0' },
          { ResourceId: 'id-0', TagKey: 'j', TagValue: 7 },
          { ResourceId: '', TagKey: 'k', TagValue: 'lost' },
        ],
        NextToken: 'p2',
      };
    });
    expect(await instanceTags(dts, 'cn-hangzhou', ids)).toEqual({
      'id-0': { k: 'v0', j: '7' },
      'id-1': { k: 'v1' },
      'id-50': { k: 'v50' },
    });
    expect(
      calls.map((c) => [
        c.params.NextToken,
        c.params['ResourceId.1'],
        c.params['ResourceId.50'],
        c.params['ResourceId.51'],
      ]),
    ).toEqual([
      [undefined, 'id-0', 'id-49', undefined],
      ['p2', 'id-0', 'id-49', undefined],
      [undefined, 'id-50', undefined, undefined],
    ]);
    expect(calls[0]?.params).toMatchObject({ RegionId: 'cn-hangzhou', ResourceType: 'ALIYUN::DTS::INSTANCE' });
    expect(new Set(calls.map((c) => c.action))).toEqual(new Set(['ListTagResources']));
    expect(await instanceTags(dts, 'cn-hangzhou', [])).toEqual({});
    expect(calls).toHaveLength(3);
    const nothing = scripted(() => ({ TagResources: null }));
    expect(await instanceTags(nothing.dts, 'cn-hangzhou', ['a'])).toEqual({});
    const odd = scripted(() => ({ TagResources: 'none' }));
    expect(await instanceTags(odd.dts, 'cn-hangzhou', ['a'])).toEqual({});
    const oddInner = scripted(() => ({ TagResources: { TagResource: 'none' } }));
    expect(await instanceTags(oddInner.dts, 'cn-hangzhou', ['a'])).toEqual({});
  });

  it('both families over one client', () => {
    const { dts } = scripted();
    const families = dtsFamilies(dts);
    expect(families.dtsjob.api).toBe('dtsjob');
    expect(families.synchronizationjob.api).toBe('synchronizationjob');
  });
});
