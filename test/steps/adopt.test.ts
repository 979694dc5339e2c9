import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { DtsJobFacts, JobDirectionFacts } from '../../core/adoption';
import { adopt, leaveInPlace } from '../../workflows/setup/adopt';
import { answers, newSetup, refused, unavailable } from './helpers';

vi.mock('@temporalio/workflow', async () => (await import('../support/fake-workflow')).fakeWorkflowModule());

const source = { instanceType: 'Redis', instanceId: 'r-demo-source-0001' };
const destination = { instanceType: 'Redis', instanceId: 'r-demo-target-0002' };
const running = (more: Partial<JobDirectionFacts> = {}): JobDirectionFacts => ({
  configured: true,
  status: 'synchronizing',
  rawStatus: 'Synchronizing',
  source,
  destination,
  databases: [{ from: 0, to: 0 }],
  ...more,
});
function job(more: Partial<DtsJobFacts> = {}): DtsJobFacts {
  return {
    dtsJobId: 'dtsinstance1',
    api: 'dtsjob',
    inRegion: true,
    name: 'theirs',
    jobClass: 'small',
    payType: 'PostPaid',
    topology: 'bidirectional',
    forward: running(),
    reverse: running({ source: destination, destination: source }),
    ...more,
  };
}

// Taking over a job bought outside the service (workflows/setup/adopt.ts): the durable check that it is the
// job the request describes and that no other setup holds it, then where each direction stands.
describe('adopt', () => {
  let t: ReturnType<typeof newSetup>;
  beforeEach(() => {
    t = newSetup({ topology: 'bidirectional', adopt: { dtsJobId: 'dtsjob-task-1' } });
    t.rt.activities.describeJob = answers(job());
    t.rt.activities.claimAdoptedJob = answers({ ours: true });
  });

  it('reads the job, claims it by the instance id, and records both directions running; nothing is bought', async () => {
    await adopt(t.setup);
    expect(t.rt.callsOf('describeJob')[0]!.input).toEqual({
      api: 'dtsjob',
      dtsJobId: 'dtsjob-task-1',
      regionId: 'cn-hangzhou',
    });
    expect(t.rt.callsOf('claimAdoptedJob')[0]!.input).toEqual({ dtsJobId: 'dtsinstance1' });
    expect(t.rt.calls.map((c) => c.summary)).toEqual([
      'Read DTS job dtsjob-task-1 to adopt it',
      'Claim DTS job dtsinstance1',
    ]);
    const at = new Date(t.rt.nowMs).toISOString();
    expect(t.setup.status).toMatchObject({
      phase: 'adopting',
      dtsJobId: 'dtsinstance1',
      adopted: { dtsJobId: 'dtsinstance1', at },
      everSynchronizing: true,
      forward: {
        configured: true,
        status: 'synchronizing',
        rawStatus: 'Synchronizing',
        configuredAt: at,
        synchronizingAt: at,
      },
      reverse: { configured: true, status: 'synchronizing', configuredAt: at, synchronizingAt: at },
    });
    expect(t.rt.calls.map((c) => c.name)).toEqual(['describeJob', 'claimAdoptedJob']);
  });

  it('a job with Reverse not configured yet: Forward recorded, Reverse left for the steps to configure', async () => {
    t.rt.activities.describeJob = answers(
      job({
        forward: running({ status: 'initializing', rawStatus: 'Initializing' }),
        reverse: { configured: false, status: 'notconfigured', rawStatus: 'NotConfigured' },
      }),
    );
    await adopt(t.setup);
    expect(t.setup.status.everSynchronizing).toBeUndefined();
    expect(t.setup.status.forward).toMatchObject({ configured: true, status: 'initializing' });
    expect(t.setup.status.forward.synchronizingAt).toBeUndefined();
    expect(t.setup.status.reverse).toMatchObject({ configured: false, status: 'notconfigured' });
    expect(t.setup.status.reverse!.configuredAt).toBeUndefined();
  });

  it('a one-way setup ignores a Reverse the job reports', async () => {
    t = newSetup({ topology: 'oneway', adopt: { dtsJobId: 'dtsjob-task-1' } });
    t.rt.activities.describeJob = answers(job({ topology: 'oneway' }));
    t.rt.activities.claimAdoptedJob = answers({ ours: true });
    await adopt(t.setup);
    expect(t.setup.status.reverse).toBeUndefined();
  });

  it('refuses a job held by another setup (AdoptedJobHeld), and keeps no job id', async () => {
    t.rt.activities.claimAdoptedJob = answers({ ours: false, holder: 'redis-sync.other' });
    const err = await adopt(t.setup).catch((e: unknown) => e);
    expect(err).toMatchObject({
      type: 'AdoptedJobHeld',
      nonRetryable: true,
      message: 'DTS job dtsinstance1 is held by setup redis-sync.other',
    });
    expect(t.setup.status.dtsJobId).toBeUndefined();
    expect(t.setup.status.adopted).toBeUndefined();
  });

  it('refuses a job that does not exist, or differs from the request, naming the field; claims nothing', async () => {
    t.rt.activities.describeJob = answers(undefined);
    await expect(adopt(t.setup)).rejects.toMatchObject({
      type: 'AdoptedJobMismatch',
      nonRetryable: true,
      message: 'DTS job dtsjob-task-1 does not exist in cn-hangzhou',
    });
    t.rt.activities.describeJob = answers(job({ topology: 'oneway', jobClass: 'large' }));
    await expect(adopt(t.setup)).rejects.toMatchObject({
      type: 'AdoptedJobMismatch',
      message:
        'DTS job dtsjob-task-1 differs from the request: /topology: DTS job dtsinstance1 is oneway, the request says ' +
        'bidirectional; /jobClass: DTS job dtsinstance1 is of class large, the request says small',
    });
    expect(t.rt.callsOf('claimAdoptedJob')).toEqual([]);
    expect(t.setup.status.dtsJobId).toBeUndefined();
  });

  it('speaks the family that knows the job; a legacy-family job id is kept as given', async () => {
    t.rt.activities.describeJob = answers(job({ api: 'synchronizationjob', dtsJobId: '' }));
    await adopt(t.setup);
    expect(t.setup.state.api).toBe('synchronizationjob');
    expect(t.setup.status.dtsApi).toBe('synchronizationjob');
    expect(t.rt.callsOf('claimAdoptedJob')[0]!.input).toEqual({ dtsJobId: 'dtsjob-task-1' });
    expect(t.setup.status.dtsJobId).toBe('dtsjob-task-1');

    // Same family, or a run older than the choice (no family in its state): nothing switched.
    const same = newSetup({ adopt: { dtsJobId: 'x' } });
    same.rt.activities.describeJob = answers(job({ topology: undefined }));
    same.rt.activities.claimAdoptedJob = answers({ ours: true });
    await adopt(same.setup);
    expect(same.setup.state.api).toBe('dtsjob');
    expect(same.setup.status.dtsApi).toBeUndefined();
    const legacy = newSetup({ adopt: { dtsJobId: 'x' } });
    delete legacy.setup.state.api;
    legacy.rt.activities.describeJob = answers(job({ topology: undefined }));
    legacy.rt.activities.claimAdoptedJob = answers({ ours: true });
    await adopt(legacy.setup);
    expect(legacy.setup.state.api).toBeUndefined();
    expect(legacy.rt.callsOf('describeJob')[0]!.input).toEqual({ dtsJobId: 'x', regionId: 'cn-hangzhou' });
  });

  it('a read DTS does not answer is retried; a refusal ends the adoption', async () => {
    t.rt.activities.describeJob = answers(unavailable(), job());
    await adopt(t.setup);
    expect(t.rt.callsOf('describeJob')).toHaveLength(2);
    expect(t.setup.status.error).toBeUndefined();

    const other = newSetup({ adopt: { dtsJobId: 'x' } });
    other.rt.activities.describeJob = answers(refused('Forbidden.RAM.Other'));
    await expect(adopt(other.setup)).rejects.toMatchObject({ cause: { type: 'DtsInvalidParameter' } });
  });

  it('leaving an adopted job in place lets go of the claim only; a claim that cannot be let go is no failure', async () => {
    t.setup.updateStatus({ dtsJobId: 'dtsinstance1' });
    t.rt.activities.releaseJobClaim = answers(undefined);
    await leaveInPlace(t.setup);
    expect(t.rt.calls.map((c) => [c.name, c.input, c.summary])).toEqual([
      ['releaseJobClaim', { dtsJobId: 'dtsinstance1' }, 'Let go of DTS job dtsinstance1'],
    ]);
    expect(t.setup.status.released).toEqual({ at: new Date(t.rt.nowMs).toISOString(), outcome: 'left-in-place' });

    const stuck = newSetup({ adopt: { dtsJobId: 'x' } });
    stuck.setup.updateStatus({ dtsJobId: 'dtsinstance1' });
    stuck.rt.activities.releaseJobClaim = answers(refused());
    // Stopping (a release is under way) does not cut the let-go short.
    stuck.setup.state.stop = 'release';
    await leaveInPlace(stuck.setup);
    expect(stuck.rt.callsOf('releaseJobClaim')).toHaveLength(1);
    expect(stuck.setup.status.released?.outcome).toBe('left-in-place');
  });
});
