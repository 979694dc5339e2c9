import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DtsClient } from '../../activities/dts/client';
import { configureDirection } from '../../activities/dts/configure';
import { describeDirection } from '../../activities/dts/describe';
import { DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET } from '../../emulator/options';
import { setupStatusQuery } from '../../core/messages';
import { setupWorkflowId } from '../../core/ids';
import { OWNER_TAG_KEY } from '../../core/renewal';
import { redisSync } from '../../workflows/redis-sync';
import type { Direction, RedisEndpoint, Topology } from '../../core/types';
import { AUTH, buildTestApp, untilViewPhase } from '../support/api';
import { FAST, syncRequest, type EmulatorCall, type EmulatorJob } from '../support/requests';
import { eventually, startStack, type Stack } from '../support/stack';
import { registerPair } from '../support/instances';

// Issue 13: a DTS job bought and configured outside the service (here straight through the DTS client, as a
// console or a script would) is adopted through the API: nothing is bought, the setup goes on from the job's
// real state, and a DELETE leaves the job running unless it says ?release=true.
let stack: Stack;
let app: FastifyInstance;
let dts: DtsClient;

beforeAll(async () => {
  // Unowned instances are reported after 1 s (not 2 min), so the report's view of an adoption shows quickly.
  stack = await startStack({ worker: { unclaimedSettleMs: 1_000 } });
  app = await buildTestApp(stack);
  dts = new DtsClient({
    endpoint: stack.emulatorUrl,
    apiVersion: '2020-01-01',
    accessKeyId: DEFAULT_ACCESS_KEY_ID,
    accessKeySecret: DEFAULT_ACCESS_KEY_SECRET,
    timeoutMs: 2_000,
  });
});
afterAll(async () => {
  await app?.close();
  await stack?.stop();
});

interface Pair {
  name: string;
  source: RedisEndpoint;
  destination: RedisEndpoint;
}

async function freshPair(): Promise<Pair> {
  const id = randomUUID().slice(0, 8);
  const endpoint = (side: string): RedisEndpoint => ({
    kind: 'enterprise',
    instanceId: `r-adopt-${side}-${id}`,
    region: 'cn-hangzhou',
    password: `adopt-${side}-${id}-Pa55`,
  });
  const pair = { name: `adopt-${id}`, source: endpoint('src'), destination: endpoint('dst') };
  await registerPair(stack, pair);
  return pair;
}

/** What an operator did in the console: buy a job, configure the given directions, wait for each to run. */
async function jobBoughtOutside(pair: Pair, topology: Topology, configure: Direction[]): Promise<string> {
  const created = await dts.call('CreateSynchronizationJob', {
    RegionId: 'cn-hangzhou',
    SourceRegion: 'cn-hangzhou',
    DestRegion: 'cn-hangzhou',
    SynchronizationJobClass: 'medium',
    PayType: 'PostPaid',
    Topology: topology,
    'SourceEndpoint.InstanceType': 'Redis',
    'DestinationEndpoint.InstanceType': 'Redis',
  });
  const dtsJobId = created.SynchronizationJobId as string;
  for (const direction of configure) {
    const [source, destination] =
      direction === 'Forward' ? [pair.source, pair.destination] : [pair.destination, pair.source];
    const databases = [{ from: 0, to: 0 }];
    await configureDirection(dts, {
      dtsJobId,
      regionId: 'cn-hangzhou',
      direction,
      jobName: pair.name,
      source,
      destination,
      databases,
    });
    await eventually(
      async () => {
        const s = await describeDirection(dts, { dtsJobId, regionId: 'cn-hangzhou', direction });
        return s.status === 'synchronizing' ? s : undefined;
      },
      { what: `${direction} of ${dtsJobId} synchronizing` },
    );
  }
  return dtsJobId;
}

function body(pair: Pair, topology: Topology, dtsJobId: string, extra: Record<string, unknown> = {}) {
  const side = (e: RedisEndpoint) => ({ instanceId: e.instanceId, region: e.region, password: e.password });
  return {
    name: pair.name,
    topology,
    region: 'cn-hangzhou',
    source: side(pair.source),
    destination: side(pair.destination),
    adopt: { dtsJobId },
    ...extra,
  };
}

const post = (payload: unknown) =>
  app.inject({ method: 'POST', url: '/v1/syncs', headers: AUTH, payload: payload as object });
const get = async (id: string) => (await app.inject({ method: 'GET', url: `/v1/syncs/${id}`, headers: AUTH })).json();
const del = (id: string, query = '') => app.inject({ method: 'DELETE', url: `/v1/syncs/${id}${query}`, headers: AUTH });
const untilClosed = (id: string) =>
  eventually(
    async () => {
      const view = await get(id);
      return view.workflowStatus !== 'RUNNING' ? view : undefined;
    },
    { what: `${id} closed` },
  );
const calls = async () => (await stack.admin<{ calls: EmulatorCall[] }>('calls')).calls;
const jobOf = async (jobId: string) =>
  (await stack.admin<{ jobs: (EmulatorJob & { released: boolean })[] }>('jobs')).jobs.find((j) => j.jobId === jobId)!;

describe('adopting an existing DTS job', () => {
  it(
    'adopts a two-way job bought and configured outside: nothing bought, synchronizing, both directions in GET; DELETE leaves it running, ?release=true deletes it',
    { timeout: 120_000 },
    async () => {
      const pair = await freshPair();
      const dtsJobId = await jobBoughtOutside(pair, 'bidirectional', ['Forward', 'Reverse']);
      const before = (await calls()).length;

      const started = await post(body(pair, 'bidirectional', dtsJobId));
      expect(started.statusCode).toBe(202);
      const { id, phase } = started.json();
      expect(phase).toBe('adopting');
      const view = await untilViewPhase(app, id, 'synchronizing');
      expect(view).toMatchObject({
        dtsJobId,
        adopted: { dtsJobId },
        payType: 'PostPaid',
        forward: { configured: true, status: 'synchronizing' },
        reverse: { configured: true, status: 'synchronizing' },
      });
      const ours = (await calls()).slice(before);
      expect(ours.filter((c) => c.action === 'CreateSynchronizationJob')).toHaveLength(0);
      expect(ours.filter((c) => c.action === 'ConfigureSynchronizationJob')).toHaveLength(0);
      // The job's class is taken from DTS (the request left it out), and shown in the memo the UI reads.
      const memo = (await stack.client.workflow.getHandle(id).describe()).memo?.request as { jobClass: string };
      expect(memo).toMatchObject({ jobClass: 'medium', adopt: { dtsJobId } });
      // The same request again is the same setup.
      expect((await post(body(pair, 'bidirectional', dtsJobId))).json()).toMatchObject({ id, existing: true });

      // DELETE without ?release=true: the setup ends, the job runs on untouched.
      const left = await del(id);
      expect(left.statusCode).toBe(200);
      const ended = await untilClosed(id);
      expect(ended).toMatchObject({ phase: 'released', released: { outcome: 'left-in-place' } });
      const job = await jobOf(dtsJobId);
      expect(job.released).toBe(false);
      expect(job.directions.Forward?.status).toBe('Synchronizing');
      expect(job.directions.Reverse?.status).toBe('Synchronizing');
      const touched = (await calls())
        .slice(before)
        .filter((c) => c.jobId === dtsJobId && !/^(Describe|List)/.test(c.action));
      expect(touched).toEqual([]);

      // The pair is not set up beside the job left running; adopting it again is how to take it back.
      const beside = await post({ ...body(pair, 'bidirectional', dtsJobId), adopt: undefined });
      expect(beside.statusCode).toBe(409);
      expect(beside.json()).toMatchObject({ dtsJobId });
      const again = await post(body(pair, 'bidirectional', dtsJobId));
      expect(again.statusCode).toBe(202);
      await untilViewPhase(app, id, 'synchronizing');
      const released = await del(id, '?release=true');
      expect(released.statusCode).toBe(200);
      expect(await untilClosed(id)).toMatchObject({ phase: 'released', released: { outcome: 'released' } });
      expect((await jobOf(dtsJobId)).released).toBe(true);
    },
  );

  it('configures Reverse of a two-way job that has only Forward, once', { timeout: 120_000 }, async () => {
    const pair = await freshPair();
    const dtsJobId = await jobBoughtOutside(pair, 'bidirectional', ['Forward']);
    const before = (await calls()).length;
    const started = await post(body(pair, 'bidirectional', dtsJobId));
    expect(started.statusCode).toBe(202);
    const { id } = started.json();
    const view = await untilViewPhase(app, id, 'synchronizing');
    expect(view).toMatchObject({ forward: { status: 'synchronizing' }, reverse: { status: 'synchronizing' } });
    const configures = (await calls()).slice(before).filter((c) => c.action === 'ConfigureSynchronizationJob');
    expect(configures.map((c) => [c.jobId, c.direction, c.outcome])).toEqual([[dtsJobId, 'Reverse', 'OK']]);
    expect((await calls()).slice(before).some((c) => c.action === 'CreateSynchronizationJob')).toBe(false);
    expect((await del(id, '?release=true')).statusCode).toBe(200);
    await untilClosed(id);
    expect((await jobOf(dtsJobId)).released).toBe(true);
  });

  it('refuses a job that differs from the request (422 naming the field), a missing job and bad input; nothing starts', async () => {
    const pair = await freshPair();
    const dtsJobId = await jobBoughtOutside(pair, 'oneway', ['Forward']);
    const before = (await calls()).length;
    const refused = async (payload: unknown, status: number) => {
      const res = await post(payload);
      expect(res.statusCode, res.body).toBe(status);
      expect(res.body).not.toContain(pair.source.password);
      return (res.json().fields as { field: string }[]).map((f) => f.field);
    };
    expect(await refused(body(pair, 'bidirectional', dtsJobId), 422)).toEqual(['/topology']);
    const other = await freshPair();
    expect(
      await refused({ ...body(pair, 'oneway', dtsJobId), destination: body(other, 'oneway', '').destination }, 422),
    ).toEqual(['/destination/instanceId']);
    expect(await refused(body(pair, 'oneway', dtsJobId, { jobClass: 'small' }), 422)).toEqual(['/jobClass']);
    expect(await refused(body(pair, 'oneway', dtsJobId, { databases: [{ from: 1, to: 1 }] }), 422)).toEqual([
      '/databases',
    ]);
    expect(await refused(body(pair, 'oneway', 'dtsnosuchjob0000'), 422)).toEqual(['/adopt/dtsJobId']);
    expect(await refused(body(pair, 'oneway', 'not-a-job'), 400)).toEqual(['/adopt/dtsJobId']);
    expect(
      await refused(body(pair, 'oneway', dtsJobId, { payType: 'PrePaid', period: 'Month', usedTime: 1 }), 400),
    ).toEqual(['/period', '/usedTime']);
    expect(await refused(body(pair, 'oneway', dtsJobId, { keepInstanceOnFailure: true }), 400)).toEqual([
      '/keepInstanceOnFailure',
    ]);
    const changes = (await calls())
      .slice(before)
      .filter((c) => /^(Create|Configure|Delete|Suspend|Start|Reset)/.test(c.action));
    expect(changes).toEqual([]);
    const id = (await post(body(pair, 'oneway', dtsJobId))).json().id as string;
    expect(id).toBeTruthy(); // the matching request is accepted
    await untilViewPhase(app, id, 'synchronizing');
    expect((await del(id)).statusCode).toBe(200);
    await untilClosed(id);
    expect((await jobOf(dtsJobId)).released).toBe(false);
  });

  it(
    'the unclaimed-instance report stops listing a job once it is adopted, and lists it again once left in place',
    { timeout: 90_000 },
    async () => {
      const [first, second] = [await freshPair(), await freshPair()];
      const firstJob = await jobBoughtOutside(first, 'oneway', ['Forward']);
      const secondJob = await jobBoughtOutside(second, 'oneway', ['Forward']);
      const unclaimed = async () =>
        (await app.inject({ method: 'GET', url: '/v1/instances/unclaimed', headers: AUTH }))
          .json<{ instances: { dtsJobId: string }[] }>()
          .instances.map((i) => i.dtsJobId);
      // A setup in the region makes the watcher sweep it: the other job, bought outside, is nobody's.
      const { id: firstId } = (await post(body(first, 'oneway', firstJob))).json();
      await untilViewPhase(app, firstId, 'synchronizing');
      await eventually(async () => ((await unclaimed()).includes(secondJob) ? true : undefined), {
        what: 'the job bought outside reported unclaimed',
      });
      expect(await unclaimed()).not.toContain(firstJob);
      const { id: secondId } = (await post(body(second, 'oneway', secondJob))).json();
      await untilViewPhase(app, secondId, 'synchronizing');
      await eventually(async () => ((await unclaimed()).includes(secondJob) ? undefined : true), {
        what: 'the adopted job no longer reported',
      });
      // Let go of without ?release=true: the job is nobody's again, and reported again.
      expect((await del(secondId)).statusCode).toBe(200);
      await untilClosed(secondId);
      await eventually(async () => ((await unclaimed()).includes(secondJob) ? true : undefined), {
        what: 'the job left in place reported again',
      });
      expect((await del(firstId, '?release=true')).statusCode).toBe(200);
      await untilClosed(firstId);
      await dts.call('DeleteSynchronizationJob', { SynchronizationJobId: secondJob, RegionId: 'cn-hangzhou' });
    },
  );

  it(
    'the unclaimed-instance report takes the owner tag as a second proof: a running setup named there owns the job',
    { timeout: 90_000 },
    async () => {
      const [first, second] = [await freshPair(), await freshPair()];
      const firstJob = await jobBoughtOutside(first, 'oneway', ['Forward']);
      const orphan = await jobBoughtOutside(second, 'oneway', ['Forward']);
      const report = async () =>
        (await app.inject({ method: 'GET', url: '/v1/instances/unclaimed', headers: AUTH })).json<{
          instances: { dtsJobId: string; taggedSetup?: string }[];
        }>().instances;
      const { id: firstId } = (await post(body(first, 'oneway', firstJob))).json();
      await untilViewPhase(app, firstId, 'synchronizing');
      await eventually(async () => ((await report()).some((i) => i.dtsJobId === orphan) ? true : undefined), {
        what: 'the job without a claim reported',
      });
      const tag = (setup: string) =>
        dts.call('TagResources', {
          RegionId: 'cn-hangzhou',
          ResourceType: 'ALIYUN::DTS::INSTANCE',
          'ResourceId.1': orphan,
          'Tag.1.Key': OWNER_TAG_KEY,
          'Tag.1.Value': setup,
        });
      // The tag names a setup that runs: no claim, but owned.
      await tag(firstId);
      await eventually(async () => ((await report()).some((i) => i.dtsJobId === orphan) ? undefined : true), {
        what: 'the tagged job no longer reported',
      });
      // The tag names a setup that does not run: reported, with the setup it names.
      await tag('redis-sync.gone.long-ago');
      const listed = await eventually(async () => (await report()).find((i) => i.dtsJobId === orphan), {
        what: 'the job reported again with its tag',
        timeoutMs: 30_000,
      });
      expect(listed.taggedSetup).toBe('redis-sync.gone.long-ago');
      expect((await del(firstId, '?release=true')).statusCode).toBe(200);
      await untilClosed(firstId);
      await dts.call('DeleteSynchronizationJob', { SynchronizationJobId: orphan, RegionId: 'cn-hangzhou' });
    },
  );

  it(
    'refuses with 409 a job whose owner tag names another running setup; a tag of a setup that ended does not block',
    { timeout: 120_000 },
    async () => {
      const [first, second] = [await freshPair(), await freshPair()];
      const firstJob = await jobBoughtOutside(first, 'oneway', ['Forward']);
      const tagged = await jobBoughtOutside(second, 'oneway', ['Forward']);
      const { id: firstId } = (await post(body(first, 'oneway', firstJob))).json();
      await untilViewPhase(app, firstId, 'synchronizing');
      // No claim on the job, but its owner tag names the running setup.
      await dts.call('TagResources', {
        RegionId: 'cn-hangzhou',
        ResourceType: 'ALIYUN::DTS::INSTANCE',
        'ResourceId.1': tagged,
        'Tag.1.Key': OWNER_TAG_KEY,
        'Tag.1.Value': firstId,
      });
      const before = (await calls()).length;
      const refused = await post(body(second, 'oneway', tagged));
      expect(refused.statusCode).toBe(409);
      expect(refused.json()).toMatchObject({ dtsJobId: tagged, fields: [{ field: '/adopt/dtsJobId' }] });
      expect(refused.json().message).toContain(firstId);
      // Nothing started: no setup of the pair, and only reads of the job.
      const secondId = setupWorkflowId({ source: second.source, destination: second.destination });
      expect((await app.inject({ method: 'GET', url: `/v1/syncs/${secondId}`, headers: AUTH })).statusCode).toBe(404);
      const done = (await calls()).slice(before).filter((c) => c.jobId === tagged);
      expect(done.every((c) => c.action.startsWith('Describe') || c.action === 'ListTagResources')).toBe(true);
      // Once the setup the tag names has ended, the tag no longer blocks.
      expect((await del(firstId, '?release=true')).statusCode).toBe(200);
      await untilClosed(firstId);
      const adopted = await post(body(second, 'oneway', tagged));
      expect(adopted.statusCode).toBe(202);
      await untilViewPhase(app, adopted.json().id, 'synchronizing');
      expect((await del(adopted.json().id, '?release=true')).statusCode).toBe(200);
      await untilClosed(adopted.json().id);
    },
  );

  it('a cancel leaves an adopted job as it found it too', { timeout: 90_000 }, async () => {
    const pair = await freshPair();
    const dtsJobId = await jobBoughtOutside(pair, 'oneway', ['Forward']);
    const { id } = (await post(body(pair, 'oneway', dtsJobId))).json();
    await untilViewPhase(app, id, 'synchronizing');
    const before = (await calls()).length;
    expect((await app.inject({ method: 'POST', url: `/v1/syncs/${id}/cancel`, headers: AUTH })).statusCode).toBe(202);
    expect(await untilClosed(id)).toMatchObject({ workflowStatus: 'CANCELLED' });
    const job = await jobOf(dtsJobId);
    expect([job.released, job.directions.Forward?.status]).toEqual([false, 'Synchronizing']);
    expect(
      (await calls()).slice(before).filter((c) => c.jobId === dtsJobId && !c.action.startsWith('Describe')),
    ).toEqual([]);
    await dts.call('DeleteSynchronizationJob', { SynchronizationJobId: dtsJobId, RegionId: 'cn-hangzhou' });
  });

  it('refuses with 409 a job another setup holds', { timeout: 90_000 }, async () => {
    const pair = await freshPair();
    const request = syncRequest({
      name: pair.name,
      topology: 'oneway',
      source: pair.source,
      destination: pair.destination,
    });
    // A setup of the pair under another workflow id (as one started by older code or by hand) bought its job.
    const holder = await stack.client.workflow.start(redisSync, {
      workflowId: `wf-adopt-holder-${randomUUID()}`,
      taskQueue: stack.taskQueue,
      args: [{ request, tuning: FAST }],
    });
    const dtsJobId = await eventually(async () => (await holder.query(setupStatusQuery)).dtsJobId, {
      what: 'the holder bought its job',
    });
    const res = await post(body(pair, 'oneway', dtsJobId));
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ dtsJobId });
    expect(res.json().message).toContain(holder.workflowId);
    await holder.executeUpdate('release');
    await holder.result().catch(() => undefined);
  });
});
