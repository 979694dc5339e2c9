// The client's reading of DTS answers under every spelling and paging the dialects allow (real HTTP, pop-core).
import { afterEach, describe, expect, it } from 'vitest';
import { DtsClient } from '../../activities/dts/client';
import { describeDirection, toSnapshot } from '../../activities/dts/describe';
import { purchaseInstance } from '../../activities/dts/purchase';
import { synchronizationJobFamily } from '../../activities/dts/synchronization-job';
import { describeStatusList } from '../../activities/dts/status-list';
import { requestRegion } from '../../activities/watch-statuses';
import { startEmulator, type RunningEmulator } from '../../emulator';
import { STRICTEST_DIALECT } from '../../emulator/dialect';
import { DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET } from '../../emulator/options';
import { normalizeDirection, normalizeDtsStatus } from '../../core/normalize-dts';

let emulator: RunningEmulator | undefined;
afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

async function clientFor(dialect: string): Promise<DtsClient> {
  emulator = await startEmulator({ port: 0, timeScale: 0.005, log: () => {}, dialect });
  return new DtsClient({
    endpoint: emulator.url,
    apiVersion: '2020-01-01',
    accessKeyId: DEFAULT_ACCESS_KEY_ID,
    accessKeySecret: DEFAULT_ACCESS_KEY_SECRET,
    timeoutMs: 2_000,
  });
}

const buy = (client: DtsClient, region: string) =>
  purchaseInstance(synchronizationJobFamily(client), {
    clientToken: `t-${Math.random()}`,
    regionId: region,
    sourceRegion: region,
    destinationRegion: region,
    topology: 'bidirectional',
    jobClass: 'small',
    payType: 'PostPaid',
  }).then((r) => r.dtsJobId);

describe('status and direction spellings', () => {
  it('normalises every spelling of the legacy pages', () => {
    for (const raw of ['Initializing', 'initializating', 'Initializating', 'INITIALIZING']) {
      expect(normalizeDtsStatus(raw)).toBe('initializing');
    }
    expect(normalizeDtsStatus('precheckFailed')).toBe('precheckfailed');
    expect(normalizeDtsStatus('notconfigured')).toBe('notconfigured');
    expect([normalizeDirection('forward'), normalizeDirection(' REVERSE '), normalizeDirection('sideways')]).toEqual([
      'Forward',
      'Reverse',
      undefined,
    ]);
  });

  it('reads a legacy body: lower case, Finished precheck, boolean flags, lower-case sub-statuses', () => {
    const snapshot = toSnapshot({
      Status: 'initializating',
      StructureInitialization: true,
      DataInitialization: false,
      PrecheckStatus: {
        Status: 'Finished',
        Percent: '100',
        Detail: [{ ItemName: 'CHECK_CONN_SRC', CheckStatus: 'success' }],
      },
      StructureInitializationStatus: { Status: 'finished', Percent: '100' },
      DataInitializationStatus: { Status: 'migrating', Percent: '40' },
    });
    expect(snapshot).toMatchObject({
      status: 'initializing',
      rawStatus: 'initializating',
      stage: 'data',
      stagePercent: 40,
      precheckFailures: [],
    });
    expect(snapshot.progress).toBe(Math.round(10 + 10 + 40 * 0.8));
  });

  it('describes a direction of the strictest dialect through pop-core', async () => {
    const client = await clientFor(STRICTEST_DIALECT);
    const jobId = await buy(client, 'cn-hangzhou');
    const snapshot = await describeDirection(client, {
      dtsJobId: jobId,
      regionId: 'cn-hangzhou',
      direction: 'Reverse',
    });
    expect([snapshot.status, snapshot.rawStatus, snapshot.progress]).toEqual(['notstarted', 'notStarted', 0]);
  });
});

describe('DescribeSynchronizationJobStatusList: one region a call, every page', () => {
  it('reads all pages of a region and leaves other regions to their own call', async () => {
    const client = await clientFor('statusListScope=region,statusListPageSize=3,statusSpelling=lower');
    const hangzhou: string[] = [];
    for (let i = 0; i < 7; i++) hangzhou.push(await buy(client, 'cn-hangzhou'));
    const shanghai = await buy(client, 'cn-shanghai');
    const board = await describeStatusList(client, 'cn-hangzhou', [...hangzhou, shanghai]);
    expect(Object.keys(board).sort()).toEqual([...hangzhou].sort());
    expect(board[hangzhou[0]!]).toEqual({ Forward: 'notconfigured', Reverse: 'notconfigured' });
    expect(Object.keys(await describeStatusList(client, 'cn-shanghai', [...hangzhou, shanghai]))).toEqual([shanghai]);
    const calls = ((await (await fetch(`${emulator!.url}/__emulator/calls`)).json()) as { calls: { action: string }[] })
      .calls;
    expect(calls.filter((c) => c.action === 'DescribeSynchronizationJobStatusList')).toHaveLength(3 + 1);
  });

  it('still gets every job when DTS ignores PageNumber (asks again for the missing ids)', async () => {
    const client = await clientFor('statusListPageSize=2');
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(await buy(client, 'cn-hangzhou'));
    // A DTS that ignores PageNumber always answers page 1: emulate it by a client that drops the parameter.
    const ignoring = {
      call: (action: string, params: Record<string, unknown>) =>
        client.call(action, { ...params, PageNumber: undefined }),
    };
    const board = await describeStatusList(ignoring as unknown as DtsClient, 'cn-hangzhou', ids);
    expect(Object.keys(board).sort()).toEqual([...ids].sort());
  });

  it('finds the DTS region in the setup input', () => {
    expect(requestRegion({ request: { region: 'cn-beijing' } })).toBe('cn-beijing');
    expect(requestRegion({ region: 'cn-shanghai' })).toBe('cn-shanghai');
    expect(requestRegion(undefined)).toBeUndefined();
  });
});
