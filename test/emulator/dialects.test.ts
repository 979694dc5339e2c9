// Each dialect switch through the real pop-core client: the emulator answers the way that reading of the docs says.
import { afterEach, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../../emulator';
import { DEFAULT_DIALECT, parseDialect, STRICTEST_DIALECT } from '../../emulator/dialect';
import {
  admin,
  adminJob,
  callError,
  configureParams,
  createJob,
  describeStatus,
  dtsClient,
  reverseParams,
  SOURCE,
  startTestEmulator,
  TARGET,
  waitForStatus,
  type DtsClient,
} from './helpers';

let emulator: RunningEmulator | undefined;
afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

async function start(dialect?: string): Promise<{ emulator: RunningEmulator; client: DtsClient }> {
  emulator = await startTestEmulator(dialect === undefined ? {} : { dialect });
  return { emulator, client: dtsClient(emulator) };
}

/** A two-way job whose Forward is Synchronizing, ready for Reverse. */
async function twoWayForwardSynchronizing(client: DtsClient): Promise<string> {
  const jobId = await createJob(client, { Topology: 'bidirectional' });
  await client.call('ConfigureSynchronizationJob', configureParams(jobId));
  await waitForStatus(client, jobId, 'Synchronizing');
  return jobId;
}

const failedPrecheck = { kind: 'precheck-fail', instanceId: SOURCE.id };

describe('dialect parsing and GET /__emulator/dialect', () => {
  it('defaults to the first value of every switch and shows the one in force', async () => {
    const { emulator } = await start();
    expect((await admin(emulator, 'GET', 'dialect')).body.dialect).toEqual(DEFAULT_DIALECT);
    await emulator.close();
    const strict = await start(STRICTEST_DIALECT);
    expect((await admin(strict.emulator, 'GET', 'dialect')).body.dialect).toEqual({
      unconfiguredStatus: 'NotStarted',
      startAfterPrecheckFailed: 'refused',
      statusSpelling: 'legacy',
      clientToken: 'ignored',
      reverseEndpoints: 'swapped',
      reverseInitialization: 'seed',
      statusListScope: 'region',
      errorEnvelope: 'body',
      reconfigure: 'invalidParameter',
      unconfiguredReverse: 'omitted',
      resetJobId: 'new',
      familyView: 'separate',
      dtsJobModifyStatus: 'Synchronizing',
      statusListPageSize: 10,
    });
  });

  it('names the bad switch or value', () => {
    expect(() => parseDialect('statusSpelling=shouting')).toThrow(
      /statusSpelling must be one of pascal\|lower\|legacy/,
    );
    expect(() => parseDialect('colour=blue')).toThrow(/unknown dialect switch "colour"/);
    expect(() => parseDialect('statusListPageSize=-1')).toThrow(/statusListPageSize/);
  });
});

describe('unconfiguredStatus', () => {
  it('NotConfigured (default): an unconfigured direction says NotConfigured', async () => {
    const { client } = await start();
    const jobId = await createJob(client, { Topology: 'bidirectional' });
    expect((await describeStatus(client, jobId, 'Reverse')).Status).toBe('NotConfigured');
  });

  it('NotStarted: the same direction says NotStarted, the admin API still says NotConfigured', async () => {
    const { emulator, client } = await start('unconfiguredStatus=NotStarted');
    const jobId = await createJob(client, { Topology: 'bidirectional' });
    expect((await describeStatus(client, jobId, 'Reverse')).Status).toBe('NotStarted');
    expect((await describeStatus(client, jobId)).Status).toBe('NotStarted');
    expect((await adminJob(emulator, jobId)).directions.Reverse.status).toBe('NotConfigured');
    // Starting an unconfigured direction is refused although it reads NotStarted.
    const error = await callError(client, 'StartSynchronizationJob', { SynchronizationJobId: jobId });
    expect(error.code).toBe('OperationDenied.JobStatus');
  });
});

describe('startAfterPrecheckFailed', () => {
  it('allowed (default): Start re-runs a failed precheck', async () => {
    const { emulator, client } = await start();
    await admin(emulator, 'POST', 'faults', failedPrecheck);
    const jobId = await createJob(client);
    await client.call('ConfigureSynchronizationJob', configureParams(jobId));
    await waitForStatus(client, jobId, 'PrecheckFailed');
    await client.call('StartSynchronizationJob', { SynchronizationJobId: jobId });
    await waitForStatus(client, jobId, 'Synchronizing');
  });

  it('refused: Start is denied; Reset + Configure runs the precheck again', async () => {
    const { emulator, client } = await start('startAfterPrecheckFailed=refused');
    await admin(emulator, 'POST', 'faults', failedPrecheck);
    const jobId = await createJob(client);
    await client.call('ConfigureSynchronizationJob', configureParams(jobId));
    await waitForStatus(client, jobId, 'PrecheckFailed');
    const error = await callError(client, 'StartSynchronizationJob', { SynchronizationJobId: jobId });
    expect([error.code, error.entry.response.statusCode]).toEqual(['OperationDenied.JobStatus', 403]);
    await client.call('ResetSynchronizationJob', { SynchronizationJobId: jobId });
    await client.call('ConfigureSynchronizationJob', configureParams(jobId));
    await waitForStatus(client, jobId, 'Synchronizing');
  });
});

describe('statusSpelling', () => {
  it('pascal (default): PascalCase, PrecheckStatus Success, string flags', async () => {
    const { client } = await start();
    const jobId = await createJob(client);
    await client.call('ConfigureSynchronizationJob', configureParams(jobId));
    const body = await waitForStatus(client, jobId, 'Synchronizing');
    expect([body.Status, body.PrecheckStatus.Status, body.StructureInitialization]).toEqual([
      'Synchronizing',
      'Success',
      'true',
    ]);
  });

  it('lower: every top-level status in lower case, in all three read calls', async () => {
    const { client } = await start('statusSpelling=lower');
    const jobId = await createJob(client);
    expect((await describeStatus(client, jobId)).Status).toBe('notconfigured');
    await client.call('ConfigureSynchronizationJob', configureParams(jobId));
    await waitForStatus(client, jobId, 'Synchronizing');
    expect((await describeStatus(client, jobId)).Status).toBe('synchronizing');
    const list = await client.call('DescribeSynchronizationJobStatusList', {
      SynchronizationJobIdListJsonStr: JSON.stringify([jobId]),
    });
    expect(list.SynchronizationJobListStatusList[0].SynchronizationDirectionInfoList[0].Status).toBe('synchronizing');
    const jobs = await client.call('DescribeSynchronizationJobs');
    expect(jobs.SynchronizationInstances[0].Status).toBe('synchronizing');
  });

  it('legacy: initializating, precheckFailed, PrecheckStatus Finished, boolean flags', async () => {
    const { emulator, client } = await start('statusSpelling=legacy');
    const jobId = await createJob(client);
    await client.call('ConfigureSynchronizationJob', configureParams(jobId));
    const seen = new Set<string>();
    let body = await describeStatus(client, jobId);
    while (body.Status !== 'synchronizing') {
      seen.add(body.Status);
      await new Promise((resolve) => setTimeout(resolve, 5));
      body = await describeStatus(client, jobId);
    }
    expect(seen.has('initializating')).toBe(true);
    expect([body.PrecheckStatus.Status, body.StructureInitialization, body.DataInitialization]).toEqual([
      'Finished',
      true,
      true,
    ]);
    await admin(emulator, 'POST', 'faults', failedPrecheck);
    const second = await createJob(client);
    await client.call('ConfigureSynchronizationJob', configureParams(second));
    await waitForStatus(client, second, 'PrecheckFailed');
    expect((await describeStatus(client, second)).Status).toBe('precheckFailed');
    expect((await adminJob(emulator, second)).directions.Forward.status).toBe('PrecheckFailed');
  });
});

describe('clientToken', () => {
  const token = { ClientToken: 'setup-1-purchase' };

  it('forever (default): the same token returns the same job', async () => {
    const { client } = await start();
    expect(await createJob(client, token)).toBe(await createJob(client, token));
  });

  it('24h (scaled by timeScale): honoured within the window, a new job after it', async () => {
    emulator = await startTestEmulator({ dialect: 'clientToken=24h', timeScale: 0.000005 }); // 24 h ≈ 432 ms
    const client = dtsClient(emulator);
    const first = await createJob(client, token);
    expect(await createJob(client, token)).toBe(first);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const later = await createJob(client, token);
    expect(later).not.toBe(first);
    expect(await createJob(client, token)).toBe(later);
  });

  it('ignored: every call buys a new instance', async () => {
    const { emulator, client } = await start('clientToken=ignored');
    const a = await createJob(client, token);
    const b = await createJob(client, token);
    expect(a).not.toBe(b);
    expect((await admin(emulator, 'GET', 'jobs')).body.jobs).toHaveLength(2);
  });
});

describe('reverseEndpoints', () => {
  const sameOrder = (jobId: string) =>
    configureParams(jobId, {
      SynchronizationDirection: 'Reverse',
      StructureInitialization: true,
      DataInitialization: true,
    });

  it('either (default): swapped and same order are both accepted', async () => {
    const { client } = await start();
    const swapped = await twoWayForwardSynchronizing(client);
    await client.call('ConfigureSynchronizationJob', reverseParams(swapped));
    await admin(emulator as RunningEmulator, 'POST', 'reset');
    const same = await twoWayForwardSynchronizing(client);
    await client.call('ConfigureSynchronizationJob', sameOrder(same));
  });

  it('swapped: Reverse in Forward order is refused naming the endpoint', async () => {
    const { client } = await start('reverseEndpoints=swapped');
    const jobId = await twoWayForwardSynchronizing(client);
    const error = await callError(client, 'ConfigureSynchronizationJob', sameOrder(jobId));
    expect(error.code).toBe('InvalidSourceEndpoint.InstanceId');
    await client.call('ConfigureSynchronizationJob', reverseParams(jobId));
    await waitForStatus(client, jobId, 'Synchronizing', 'Reverse');
  });

  it('same: Reverse must repeat the Forward order', async () => {
    const { client } = await start('reverseEndpoints=same');
    const jobId = await twoWayForwardSynchronizing(client);
    const error = await callError(client, 'ConfigureSynchronizationJob', reverseParams(jobId));
    expect(error.code).toBe('InvalidSourceEndpoint.InstanceId');
    await client.call('ConfigureSynchronizationJob', sameOrder(jobId));
  });
});

describe('reverseInitialization', () => {
  const noInit = { StructureInitialization: false, DataInitialization: false };

  it('any (default): Reverse accepts false/false', async () => {
    const { client } = await start();
    const jobId = await twoWayForwardSynchronizing(client);
    await client.call('ConfigureSynchronizationJob', reverseParams(jobId, noInit));
  });

  it('seed: Reverse needs true/true like the seed and the console', async () => {
    const { client } = await start('reverseInitialization=seed');
    const jobId = await twoWayForwardSynchronizing(client);
    const error = await callError(client, 'ConfigureSynchronizationJob', reverseParams(jobId, noInit));
    expect(error.code).toBe('InvalidStructureInitialization');
    const half = await callError(
      client,
      'ConfigureSynchronizationJob',
      reverseParams(jobId, { DataInitialization: false }),
    );
    expect(half.code).toBe('InvalidDataInitialization');
    await client.call('ConfigureSynchronizationJob', reverseParams(jobId));
    await waitForStatus(client, jobId, 'Synchronizing', 'Reverse');
  });
});

describe('statusListScope', () => {
  async function twoRegions(client: DtsClient): Promise<{ hangzhou: string; shanghai: string }> {
    const hangzhou = await createJob(client);
    const shanghai = await createJob(client, {
      RegionId: 'cn-shanghai',
      SourceRegion: 'cn-shanghai',
      DestRegion: 'cn-shanghai',
    });
    return { hangzhou, shanghai };
  }
  const listed = async (client: DtsClient, ids: string[], regionId?: string) => {
    const body = await client.call('DescribeSynchronizationJobStatusList', {
      SynchronizationJobIdListJsonStr: JSON.stringify(ids),
      ...(regionId ? { RegionId: regionId } : {}),
    });
    return (body.SynchronizationJobListStatusList as { SynchronizationJobId: string }[]).map(
      (j) => j.SynchronizationJobId,
    );
  };

  it('global (default): jobs of every region, with or without RegionId', async () => {
    const { client } = await start();
    const { hangzhou, shanghai } = await twoRegions(client);
    expect((await listed(client, [hangzhou, shanghai])).sort()).toEqual([hangzhou, shanghai].sort());
    expect((await listed(client, [hangzhou, shanghai], 'cn-hangzhou')).sort()).toEqual([hangzhou, shanghai].sort());
  });

  it('DescribeSynchronizationJobs lists only the jobs of its RegionId, in every dialect', async () => {
    const { client } = await start();
    const { hangzhou, shanghai } = await twoRegions(client);
    const ids = async (regionId: string) =>
      (await client.call('DescribeSynchronizationJobs', { RegionId: regionId })).SynchronizationInstances.map(
        (i: { SynchronizationJobId: string }) => i.SynchronizationJobId,
      );
    expect(await ids('cn-hangzhou')).toEqual([hangzhou]);
    expect(await ids('cn-shanghai')).toEqual([shanghai]);
  });

  it('region: only jobs of the RegionId; none without it', async () => {
    const { client } = await start('statusListScope=region');
    const { hangzhou, shanghai } = await twoRegions(client);
    expect(await listed(client, [hangzhou, shanghai])).toEqual([]);
    expect(await listed(client, [hangzhou, shanghai], 'cn-hangzhou')).toEqual([hangzhou]);
    expect(await listed(client, [hangzhou, shanghai], 'cn-shanghai')).toEqual([shanghai]);
  });
});

describe('statusListPageSize', () => {
  it('answers at most n jobs a call, the rest on later pages with paging fields', async () => {
    const { client } = await start('statusListPageSize=2');
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(await createJob(client));
    const seen: string[] = [];
    for (let page = 1; page <= 3; page++) {
      const body = await client.call('DescribeSynchronizationJobStatusList', {
        SynchronizationJobIdListJsonStr: JSON.stringify(ids),
        PageNumber: page,
      });
      expect([body.PageNumber, body.PageRecordCount, body.TotalRecordCount]).toEqual([page, page < 3 ? 2 : 1, 5]);
      seen.push(
        ...body.SynchronizationJobListStatusList.map((j: { SynchronizationJobId: string }) => j.SynchronizationJobId),
      );
    }
    expect(seen.sort()).toEqual([...ids].sort());
  });
});

describe('errorEnvelope', () => {
  it('http (default): a refused operation is a 4xx with Code and Message', async () => {
    const { client } = await start();
    const jobId = await createJob(client);
    await client.call('ConfigureSynchronizationJob', configureParams(jobId));
    const error = await callError(client, 'ConfigureSynchronizationJob', configureParams(jobId));
    expect([error.code, error.entry.response.statusCode]).toEqual(['OperationDenied.JobStatus', 403]);
  });

  it('body: the service answers 200 with Success "false", ErrCode and ErrMessage; the gateway still answers on HTTP', async () => {
    const { client } = await start('errorEnvelope=body');
    const jobId = await createJob(client);
    await client.call('ConfigureSynchronizationJob', configureParams(jobId));
    const again = await client.call('ConfigureSynchronizationJob', configureParams(jobId));
    expect(again).toMatchObject({ Success: 'false', ErrCode: 'OperationDenied.JobStatus', HttpStatusCode: 403 });
    expect(again.ErrMessage).toContain('already configured');
    expect(again).not.toHaveProperty('Code');
    const gone = await client.call('DescribeSynchronizationJobStatus', { SynchronizationJobId: 'dtsnotthere' });
    expect(gone).toMatchObject({ Success: 'false', ErrCode: 'Forbidden.InstanceNotFound' });
    // Parameters the gateway checks against the reference, and RAM, stay HTTP errors.
    expect((await callError(client, 'DescribeSynchronizationJobs', { PageSize: 100 })).code).toBe('InvalidParameter');
    expect((await callError(client, 'StartSynchronizationJob', {})).code).toBe('MissingSynchronizationJobId');
  });
});

describe('admin API and faults that every dialect shares', () => {
  it('fault kind error answers any code with any HTTP status, gateway style', async () => {
    const { emulator, client } = await start(STRICTEST_DIALECT);
    const jobId = await createJob(client);
    await admin(emulator, 'POST', 'faults', {
      action: 'DescribeSynchronizationJobStatus',
      kind: 'error',
      code: 'Forbidden.RAM',
      httpStatus: 403,
      count: 2,
    });
    for (let i = 0; i < 2; i++) {
      const error = await callError(client, 'DescribeSynchronizationJobStatus', { SynchronizationJobId: jobId });
      expect([error.code, error.entry.response.statusCode]).toEqual(['Forbidden.RAM', 403]);
      expect(error.data).toMatchObject({ Code: 'Forbidden.RAM', HostId: 'dts.aliyuncs.com' });
      expect(error.data.RequestId).toMatch(/^[0-9A-F-]{36}$/);
    }
    expect((await describeStatus(client, jobId)).Status).toBe('notStarted');
    const bad = await admin(emulator, 'POST', 'faults', { kind: 'error' });
    expect([bad.status, bad.body.error]).toEqual([400, 'kind error needs a code, e.g. "Forbidden.RAM"']);
  });

  it('console suspend and resume act from outside the API', async () => {
    const { emulator, client } = await start(STRICTEST_DIALECT);
    const jobId = await createJob(client, { RegionId: 'cn-hangzhou' });
    expect((await admin(emulator, 'POST', `jobs/${jobId}/suspend`, { direction: 'Forward' })).status).toBe(409);
    await client.call('ConfigureSynchronizationJob', configureParams(jobId));
    await waitForStatus(client, jobId, 'Synchronizing');
    const suspended = await admin(emulator, 'POST', `jobs/${jobId}/suspend`, { direction: 'Forward' });
    expect(suspended.body).toEqual({ jobId, direction: 'Forward', status: 'Suspending' });
    expect((await describeStatus(client, jobId)).Status).toBe('suspending');
    const resumed = await admin(emulator, 'POST', `jobs/${jobId}/resume`, { direction: 'Forward' });
    expect(resumed.body.status).toBe('Synchronizing');
    expect((await describeStatus(client, jobId)).Status).toBe('synchronizing');
    expect((await admin(emulator, 'POST', 'jobs/dtsnope/resume', {})).status).toBe(404);
  });

  it('accepts ordinary strings such as a job named "null" and a password "NaN"', async () => {
    const { emulator, client } = await start();
    await admin(emulator, 'POST', 'instances', { instanceId: TARGET.id, password: 'NaN' });
    const jobId = await createJob(client);
    await client.call(
      'ConfigureSynchronizationJob',
      configureParams(jobId, {
        SynchronizationJobName: 'null',
        'DestinationEndpoint.Password': 'NaN',
      }),
    );
    const body = await waitForStatus(client, jobId, 'Synchronizing');
    expect(body.SynchronizationJobName).toBe('null');
    const error = await callError(client, 'DescribeSynchronizationJobStatus', { SynchronizationJobId: 'undefined' });
    expect(error.code).toBe('InvalidSynchronizationJobId');
  });
});
