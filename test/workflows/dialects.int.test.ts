// The workflow scenarios that matter, under the default dialect and under the strictest reading of DTS's documents
// (emulator/dialect.ts, docs/dts-api.md §10). The workflow must not depend on which reading real DTS follows.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DtsClient } from '../../activities/dts/client';
import { purchaseInstance } from '../../activities/dts/purchase';
import { synchronizationJobFamily } from '../../activities/dts/synchronization-job';
import { InstanceClaims } from '../../activities/instance-claims';
import { STRICTEST_DIALECT } from '../../emulator/dialect';
import { releaseSignal, retrySignal, setupStatusQuery } from '../../core/messages';
import { redisSync } from '../../workflows/redis-sync';
import type { DtsApi, SetupRequest } from '../../core/types';
import { AUTH, buildTestApp } from '../support/api';
import { FAST, syncRequest, type EmulatorCall, type EmulatorJob } from '../support/requests';
import { eventually, startStack, tairInstance, type Stack } from '../support/stack';
import { untilPhase } from '../support/setup-status';
import { registerPair } from '../support/instances';

type Direction = NonNullable<EmulatorJob['directions']['Forward']> & { source?: { instanceId?: string } };
type Job = Omit<EmulatorJob, 'directions'> & {
  createdAt: string;
  directions: Partial<Record<'Forward' | 'Reverse', Direction>>;
};

/** The actions each DTS API family sends for the product's verbs (activities/dts/family.ts). */
const ACTIONS = {
  synchronizationjob: {
    create: 'CreateSynchronizationJob',
    configure: 'ConfigureSynchronizationJob',
    statuses: 'DescribeSynchronizationJobStatusList',
    release: 'DeleteSynchronizationJob',
    region: 'RegionId',
  },
  dtsjob: {
    create: 'CreateDtsInstance',
    configure: 'ConfigureDtsJob',
    statuses: 'DescribeDtsJobs',
    release: 'DeleteDtsJob',
    region: 'Region',
  },
} as const satisfies Record<DtsApi, Record<string, string>>;

describe.each([
  ['dtsjob', 'default dialect', ''],
  ['dtsjob', 'strictest dialect', STRICTEST_DIALECT],
  ['synchronizationjob', 'default dialect', ''],
  ['synchronizationjob', 'strictest dialect', STRICTEST_DIALECT],
] as const)('redisSync speaking the %s family under the %s', (api, _name, dialect) => {
  let stack: Stack;
  const actions = ACTIONS[api];
  beforeAll(async () => {
    stack = await startStack({ emulator: { dialect }, worker: { dtsApi: api } });
  });
  afterAll(() => stack?.stop());

  let pair = 0;
  function freshRequest(overrides: Partial<SetupRequest> = {}): SetupRequest {
    pair += 1;
    const base = syncRequest();
    const tag = `${pair}-${randomUUID().slice(0, 8)}`;
    return {
      ...base,
      ...overrides,
      source: { ...base.source, instanceId: `r-dl-src-${tag}` },
      destination: { ...base.destination, instanceId: `r-dl-dst-${tag}` },
    };
  }

  async function start(request: SetupRequest) {
    return stack.client.workflow.start(redisSync, {
      workflowId: `wf-dialect-${randomUUID()}`,
      taskQueue: stack.taskQueue,
      args: [{ request, tuning: FAST, api }],
    });
  }

  const jobs = async () => (await stack.admin<{ jobs: Job[] }>('jobs')).jobs;
  const jobOf = async (id: string) => (await jobs()).find((j) => j.jobId === id)!;
  const calls = async () => (await stack.admin<{ calls: EmulatorCall[] }>('calls')).calls;
  /** Live instances bought for this request's pair, configured or not (an unconfigured one has no source yet). */
  const liveFor = async (request: SetupRequest, since: number) =>
    (await jobs()).filter(
      (j) =>
        !j.released &&
        Date.parse(j.createdAt) >= since &&
        (j.directions.Forward?.source?.instanceId === request.source.instanceId ||
          j.directions.Forward?.source === undefined),
    );

  it('one-way: one purchase, Forward configured once, Synchronizing', async () => {
    const request = freshRequest({ topology: 'oneway' });
    await registerPair(stack, request);
    const handle = await start(request);
    const status = await untilPhase(handle, 'synchronizing');
    expect(status.forward.status).toBe('synchronizing');
    expect(status.dtsApi).toBe(api);
    expect((await jobOf(status.dtsJobId!)).directions.Forward?.configureCount).toBe(1);
    // The watcher reads per region: every status-list call names the DTS region of its jobs.
    const lists = (await calls()).filter((c) => c.action === actions.statuses) as (EmulatorCall & {
      params: Record<string, string>;
    })[];
    expect(lists.length).toBeGreaterThan(0);
    expect(lists.every((c) => c.params[actions.region] === 'cn-hangzhou')).toBe(true);
    // Only this family's actions were sent for the setup.
    const other = ACTIONS[api === 'dtsjob' ? 'synchronizationjob' : 'dtsjob'];
    const foreign = new Set<string>([other.create, other.configure, other.statuses, other.release]);
    expect((await calls()).filter((c) => c.jobId === status.dtsJobId && foreign.has(c.action))).toEqual([]);
    await handle.cancel();
  });

  it('two-way: Reverse configured once after Forward, both Synchronizing', async () => {
    const request = freshRequest();
    await registerPair(stack, request);
    const handle = await start(request);
    const status = await untilPhase(handle, 'synchronizing', 45_000);
    expect(status.reverse?.status).toBe('synchronizing');
    const job = await jobOf(status.dtsJobId!);
    expect([job.directions.Forward?.configureCount, job.directions.Reverse?.configureCount]).toEqual([1, 1]);
    await handle.cancel();
  });

  it('failed precheck: needs-attention with DTS reasons, then Synchronizing after the operator retries', async () => {
    const request = freshRequest({ topology: 'oneway' });
    await registerPair(stack, {
      ...request,
      destination: { ...request.destination, password: 'not-what-the-request-says' },
    });
    const handle = await start(request);
    const attention = await untilPhase(handle, 'needs-attention');
    expect(attention.attention?.failures.map((f) => f.item)).toContain('CHECK_AUTH_DEST');
    await registerPair(stack, request); // the operator fixes the password
    await handle.signal(retrySignal);
    const status = await untilPhase(handle, 'synchronizing');
    expect(status.forward.status).toBe('synchronizing');
    await handle.cancel();
  });

  it('lost purchase answer: exactly one live instance for the setup, none left over', async () => {
    const request = freshRequest({ topology: 'oneway' });
    await registerPair(stack, request);
    const since = Date.now() - 1000;
    await stack.admin('faults', { action: actions.create, kind: 'drop-after', count: 1 });
    const handle = await start(request);
    const status = await untilPhase(handle, 'synchronizing', 60_000);
    const live = await liveFor(request, since);
    expect(live.map((j) => j.jobId)).toEqual([status.dtsJobId]);
    await handle.cancel();
  });

  it('lost configure answer: configured once, Synchronizing', async () => {
    const request = freshRequest({ topology: 'oneway' });
    await registerPair(stack, request);
    await stack.admin('faults', { action: actions.configure, kind: 'drop-after', count: 1 });
    const handle = await start(request);
    const status = await untilPhase(handle, 'synchronizing');
    expect((await jobOf(status.dtsJobId!)).directions.Forward?.configureCount).toBe(1);
    await handle.cancel();
  });

  it('Failed after Synchronizing: restarted, Synchronizing again', async () => {
    const request = freshRequest({ topology: 'oneway' });
    await registerPair(stack, request);
    await stack.admin('faults', {
      action: '*',
      instanceId: request.source.instanceId,
      direction: 'Forward',
      kind: 'fail-later',
      afterMs: 300,
      count: 1,
    });
    const handle = await start(request);
    const status = await untilPhase(handle, 'synchronizing');
    const job = await eventually(
      async () => {
        const j = await jobOf(status.dtsJobId!);
        const history = j.directions.Forward?.history.map((h) => h.status) ?? [];
        return history.includes('Failed') && history.at(-1) === 'Synchronizing' ? j : undefined;
      },
      { timeoutMs: 30_000, what: 'Forward restarted after Failed' },
    );
    expect(job.directions.Forward?.startCount).toBeGreaterThanOrEqual(1);
    expect((await untilPhase(handle, 'synchronizing')).forward.status).toBe('synchronizing');
    await handle.cancel();
  });

  it('teardown: release ends the setup and releases the instance', async () => {
    const request = freshRequest();
    await registerPair(stack, request);
    const handle = await start(request);
    const status = await untilPhase(handle, 'synchronizing', 45_000);
    await handle.signal(releaseSignal);
    expect((await handle.result()).phase).toBe('released');
    expect((await jobOf(status.dtsJobId!)).released).toBe(true);
    const deletes = (await calls()).filter((c) => c.action === actions.release && c.jobId === status.dtsJobId);
    expect(deletes.some((c) => c.outcome === 'OK')).toBe(true);
  });
});

describe('instances no setup owns (strictest dialect)', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ emulator: { dialect: STRICTEST_DIALECT }, worker: { unclaimedSettleMs: 1_000 } });
  });
  afterAll(() => stack?.stop());

  it('a claim is atomic: of many setups claiming one instance at once, exactly one owns it', async () => {
    const claims = new InstanceClaims(stack.client, stack.namespace, stack.taskQueue);
    const dtsJobId = `dts-claim-race-${randomUUID().slice(0, 8)}`;
    const setups = Array.from({ length: 8 }, (_, i) => `setup-${i}`);
    const answers = await Promise.all(
      setups.map((setupId) => claims.claim({ dtsJobId, setupId, how: 'adopted', claimedAt: new Date().toISOString() })),
    );
    const owners = new Set(answers.map((a) => a.setupId));
    expect(owners.size).toBe(1);
    expect((await claims.owner(dtsJobId))?.setupId).toBe([...owners][0]);
    // The owner claiming again (a retried activity) is told it owns it; nobody else is.
    const owner = [...owners][0]!;
    expect((await claims.claim({ dtsJobId, setupId: owner, how: 'bought', claimedAt: '' })).setupId).toBe(owner);
    expect(await claims.owner(`dts-never-claimed-${randomUUID()}`)).toBeUndefined();
  });

  it('are reported by the watcher (API list and metric), never released; owned ones are not reported', async () => {
    const request = { ...syncRequest({ topology: 'oneway' }) };
    const tag = randomUUID().slice(0, 8);
    request.source = { ...request.source, instanceId: `r-uc-src-${tag}` };
    request.destination = { ...request.destination, instanceId: `r-uc-dst-${tag}` };
    for (const endpoint of [request.source, request.destination]) {
      await stack.admin(
        'instances',
        tairInstance(endpoint.instanceId!, endpoint.password, { region: endpoint.region }),
      );
    }
    const handle = await stack.client.workflow.start(redisSync, {
      workflowId: `wf-dialect-${randomUUID()}`,
      taskQueue: stack.taskQueue,
      args: [{ request, tuning: FAST }],
    });
    const owned = await eventually(async () => {
      const status = await handle.query(setupStatusQuery);
      return status.phase === 'synchronizing' ? status.dtsJobId : undefined;
    });
    // Someone buys an instance outside any setup (the console, a script, a lost call of another tool).
    const stray = await purchaseInstance(synchronizationJobFamily(new DtsClient(stack.workerConfig.dts)), {
      clientToken: `stray-${tag}`,
      regionId: 'cn-hangzhou',
      sourceRegion: 'cn-hangzhou',
      destinationRegion: 'cn-hangzhou',
      topology: 'oneway',
      jobClass: 'small',
      payType: 'PostPaid',
    });
    const app = await buildTestApp(stack);
    const listed = await eventually(
      async () => {
        const res = await app.inject({ method: 'GET', url: '/v1/instances/unclaimed', headers: AUTH });
        const body = res.json<{ instances: { dtsJobId: string; regionId: string }[] }>();
        return body.instances.length > 0 ? body.instances : undefined;
      },
      { timeoutMs: 20_000, what: 'an unclaimed instance in the API' },
    );
    expect(listed).toEqual([expect.objectContaining({ dtsJobId: stray.dtsJobId, regionId: 'cn-hangzhou' })]);
    expect(listed.map((i) => i.dtsJobId)).not.toContain(owned);
    const metrics = await (await fetch(stack.workerMetricsUrl)).text();
    expect(metrics).toMatch(/dts_unclaimed_instances(\{[^}]*\})? 1/);
    const { jobs } = await stack.admin<{ jobs: { jobId: string; released: boolean }[] }>('jobs');
    expect(jobs.find((j) => j.jobId === stray.dtsJobId)?.released).toBe(false);
    await app.close();
    await handle.cancel();
  });
});
