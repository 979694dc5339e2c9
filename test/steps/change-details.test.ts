import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { ChangeRequest } from '../../core/changes';
import { applyChange, askChange, installChangeHandler, stayPaused } from '../../workflows/setup/change';
import { DAY_TWO_DTSJOB_PATCH } from '../../workflows/setup/patches';
import { StopRequested } from '../../workflows/setup/setup';
import { actions, answers, fakeDts, newSetup, refused, unavailable } from './helpers';

vi.mock('@temporalio/workflow', async () => (await import('../support/fake-workflow')).fakeWorkflowModule());

const HOUR = 3_600_000;
type Dir = 'Forward' | 'Reverse';

// The day-two changes' finer points (workflows/setup/change.ts): when the `change` Update is refused, the
// summaries the Temporal UI shows, the pace of the polls and retries, and a stop in the middle of an undo.
describe('day-two changes, details', () => {
  let t: ReturnType<typeof newSetup>;
  let dts: ReturnType<typeof fakeDts>;
  let suspendError: ((dir: Dir) => Error | undefined) | undefined;
  const record = () => t.setup.status.changes!.at(-1)!;
  const change = async (request: ChangeRequest) => {
    askChange(t.setup, request);
    await applyChange(t.setup);
  };
  const summaries = () => t.rt.calls.map((c) => c.summary);
  const gaps = (name: string) => t.rt.callsOf(name).map((c, i, all) => (i === 0 ? 0 : c.atMs - all[i - 1]!.atMs));
  beforeEach(() => {
    suspendError = undefined;
    t = newSetup({ topology: 'bidirectional', databases: [{ from: 0, to: 1 }], waitDeadline: '1h', jobClass: 'small' });
    t.setup.updateStatus({ dtsJobId: 'dtsjob1', phase: 'synchronizing' });
    dts = fakeDts(t.rt, { Forward: 'synchronizing', Reverse: 'synchronizing' });
    t.rt.activities.suspendDirection = async (input: unknown) => {
      const dir = (input as { direction: Dir }).direction;
      const err = suspendError?.(dir);
      if (err) throw err;
      dts.status[dir] = 'suspending';
    };
  });

  describe('the change Update', () => {
    const validate = (request: unknown) => {
      try {
        t.rt.validators.get('change')!(request);
        return undefined;
      } catch (err) {
        return (err as Error).message;
      }
    };
    beforeEach(() => installChangeHandler(t.setup));

    it('accepts a change while synchronizing, records it and answers the status', () => {
      expect(validate({ kind: 'pause' })).toBeUndefined();
      const answer = t.rt.handlers.get('change')!({ kind: 'pause', by: 'ann' });
      expect(answer).toBe(t.setup.status);
      expect(t.setup.state.change).toEqual({ id: 1, request: { kind: 'pause', by: 'ann' } });
      expect(record()).toMatchObject({ id: 1, kind: 'pause', by: 'ann', outcome: 'applying' });
    });

    it('refuses what is no change, with the kinds there are', () => {
      for (const bad of [undefined, null, 'pause', { kind: 'reboot' }])
        expect(validate(bad)).toBe('a change is one of pause, resume, databases, jobClass, tags, password, renew');
    });

    it('refuses outside synchronizing, while paused, while one is applied, and what the family cannot do', () => {
      t.setup.updateStatus({ phase: 'needs-attention' });
      expect(validate({ kind: 'pause' })).toBe(
        'a pause change is only accepted while synchronizing, not in needs-attention',
      );
      t.setup.updateStatus({ phase: 'synchronizing' });
      expect(validate({ kind: 'resume' })).toBe('the setup is not paused by this service');
      t.setup.state.pause = { resumeAtMs: 1, limitAtMs: 2 };
      expect(validate({ kind: 'resume' })).toBeUndefined();
      expect(validate({ kind: 'pause' })).toBe('the setup is paused; resume it before a pause change');
      t.setup.state.pause = undefined;
      askChange(t.setup, { kind: 'pause', by: 'ann' });
      expect(validate({ kind: 'jobClass', jobClass: 'large' })).toBe(
        'change 1 (pause) requested by ann is still being applied; send this one once it has ended',
      );
      t.setup.state.change = undefined;
      t.setup.state.api = undefined;
      expect(validate({ kind: 'password', endpoint: 'source', password: 'x' })).toContain(
        'a new password cannot be given to a setup of the legacy synchronization family',
      );
      t.setup.state.api = 'dtsjob';
      expect(validate({ kind: 'password', endpoint: 'source', password: 'x' })).toBeUndefined();
    });

    it('compares with what runs now: the class, the databases and the setup’s tags', () => {
      expect(validate({ kind: 'jobClass', jobClass: 'small' })).toBe('the instance class is already small');
      expect(validate({ kind: 'databases', databases: [{ from: 0, to: 1 }] })).toBe(
        'the setup already synchronizes these databases',
      );
      t.rt.tags = ['team:a'];
      expect(validate({ kind: 'tags', tags: ['team:a'] })).toBe('the setup already has these tags');
      t.rt.tags = undefined;
      expect(validate({ kind: 'tags', tags: [] })).toBe('the setup already has these tags');
      expect(validate({ kind: 'renew', period: 'Month', usedTime: 1 })).toContain('has no subscription to renew');
    });
  });

  it('shows phase changing while a class, tags, password or renewal change runs', async () => {
    const phases: string[] = [];
    const seen = () => {
      phases.push(t.setup.status.phase);
      throw refused();
    };
    t.rt.activities.upgradeClass = seen;
    t.rt.activities.tagInstance = seen;
    t.rt.activities.modifyPassword = seen;
    t.rt.activities.renewInstance = seen;
    t.rt.activities.readExpiry = async () => ({ expireTime: '2026-02-01T00:00:00Z' });
    t.rt.activities.describeDirection = async () => {
      phases.push(t.setup.status.phase);
      throw refused();
    };
    for (const request of [
      { kind: 'jobClass', jobClass: 'large' },
      { kind: 'tags', tags: ['a:b'] },
      { kind: 'password', endpoint: 'source', password: 'p' },
      { kind: 'renew', period: 'Month', usedTime: 1 },
    ] as ChangeRequest[]) {
      t.setup.updateStatus({ phase: 'synchronizing' });
      await change(request);
      expect(record().outcome).toBe('failed');
    }
    expect(phases.length).toBeGreaterThanOrEqual(4);
    expect(new Set(phases)).toEqual(new Set(['changing']));
  });

  it('a class or password change in a DtsJob run without its operations is refused; a pause is not', async () => {
    t.rt.unpatched.add(DAY_TWO_DTSJOB_PATCH);
    await change({ kind: 'jobClass', jobClass: 'large' });
    expect(record().error?.message).toBe('a jobClass change is not available for the dtsjob family');
    await change({ kind: 'password', endpoint: 'source', password: 'p' });
    expect(record().error?.message).toBe('a password change is not available for the dtsjob family');
    await change({ kind: 'pause' });
    expect(record().outcome).toBe('applied');
    expect(t.rt.patchesAsked.has(DAY_TWO_DTSJOB_PATCH)).toBe(true);
  });

  it('names each DTS call for the Temporal UI', async () => {
    t.rt.activities.modifyDatabases = async () => ({ taskId: 't1' });
    t.rt.activities.readObjectTask = answers({ state: 'finished' });
    t.rt.activities.readChangeFacts = async () => ({
      status: 'synchronizing',
      rawStatus: 'Synchronizing',
      jobClass: 'large',
      databases: [{ from: 2, to: 3 }],
    });
    t.rt.activities.upgradeClass = answers(undefined);
    t.rt.activities.modifyPassword = answers(undefined);
    t.setup.request.topology = 'oneway';
    (t.setup as { directions: Dir[] }).directions = ['Forward'];
    await change({ kind: 'pause' });
    t.rt.at(1, () => askChange(t.setup, { kind: 'resume' }));
    await stayPaused(t.setup);
    await change({ kind: 'databases', databases: [{ from: 2, to: 3 }] });
    await change({ kind: 'jobClass', jobClass: 'large' });
    await change({ kind: 'password', endpoint: 'source', password: 'p' });
    expect(new Set(summaries())).toEqual(
      new Set([
        'Read Forward status of dtsjob1',
        'Suspend Forward (pause)',
        'Start Forward (resume)',
        'Modify the databases of Forward',
        'Read the modification t1',
        'Read the databases of Forward',
        'Upgrade the instance class to large',
        'Read the instance class',
        'New source password on Forward',
      ]),
    );
  });

  it('an undo runs even when a stop came meanwhile; the stop is thrown after it', async () => {
    suspendError = (dir) => {
      if (dir !== 'Reverse') return undefined;
      t.rt.handlers.get('abort')!();
      return unavailable();
    };
    askChange(t.setup, { kind: 'pause' });
    await expect(applyChange(t.setup)).rejects.toBeInstanceOf(StopRequested);
    expect(actions(t.rt)).toEqual(['Suspend Forward', 'Suspend Reverse', 'Start Forward']);
    expect(record().applied).toEqual(['suspend Forward', 'start Forward (undo)']);
    expect(t.rt.callsOf('startDirection')[0]!.summary).toBe('Start Forward (resume)');
  });

  it('an undo starts only what DTS still shows Suspending', async () => {
    suspendError = (dir) => {
      if (dir !== 'Reverse') return undefined;
      dts.status.Forward = 'synchronizing';
      return refused();
    };
    await change({ kind: 'pause' });
    expect(actions(t.rt)).toEqual(['Suspend Forward', 'Suspend Reverse']);
  });

  it('a refusal that is not about the job status fails the pause even if DTS reads Suspending', async () => {
    suspendError = (dir) => {
      dts.status[dir] = 'suspending';
      return refused();
    };
    await change({ kind: 'pause' });
    expect(record()).toMatchObject({ outcome: 'failed', applied: [] });
  });

  it('a read that fails before a suspend is retried, not taken for an answer', async () => {
    let fails = 2;
    dts.readError = () => (fails-- > 0 ? unavailable() : undefined);
    await change({ kind: 'pause' });
    expect(record()).toMatchObject({ outcome: 'applied', applied: ['suspend Forward', 'suspend Reverse'] });
  });

  it('waiting for Synchronizing polls from the first poll, doubling up to the longest, and survives a failed read', async () => {
    await change({ kind: 'pause' });
    dts.next.start = 'initializing';
    t.rt.at(1, () => askChange(t.setup, { kind: 'resume' }));
    t.rt.at(20 * 60_000, () => (dts.status.Forward = 'synchronizing'));
    t.rt.at(20 * 60_000, () => (dts.status.Reverse = 'synchronizing'));
    t.rt.at(70_000, () => (dts.readError = () => unavailable()));
    t.rt.at(200_000, () => (dts.readError = undefined));
    t.rt.calls.length = 0;
    await stayPaused(t.setup);
    expect(record().outcome).toBe('applied');
    const reads = gaps('describeDirection').slice(3, 10);
    expect(reads).toEqual([10_000, 20_000, 40_000, 80_000, 120_000, 120_000, 120_000]);
  });

  it('a resume retried shows the error, and the schedule’s record lists what it started', async () => {
    await change({ kind: 'pause', forMs: HOUR });
    let fails = 2;
    dts.startError = () => (fails-- > 0 ? unavailable() : undefined);
    const shown: (string | undefined)[] = [];
    t.rt.at(HOUR + 500, () => shown.push(t.setup.status.error?.type));
    await stayPaused(t.setup);
    expect(shown).toEqual(['DtsUnreachable']);
    expect(gaps('startDirection').slice(1, 3)).toEqual([1_000, 2_000]);
    expect(record()).toMatchObject({ by: 'schedule', applied: ['start Forward', 'start Reverse'] });
  });

  it('a stop while a resume is retried is thrown, the change ended, nothing parked', async () => {
    await change({ kind: 'pause' });
    dts.startError = () => unavailable();
    t.rt.at(1, () => askChange(t.setup, { kind: 'resume' }));
    t.rt.at(10_000, () => t.rt.handlers.get('abort')!());
    await expect(stayPaused(t.setup)).rejects.toBeInstanceOf(StopRequested);
    expect(record()).toMatchObject({ outcome: 'failed', error: { type: 'StopRequested' } });
    expect(t.setup.status.attention).toBeUndefined();
  });

  it('the modification task is polled from the first poll, doubling', async () => {
    t.setup.request.topology = 'oneway';
    (t.setup as { directions: Dir[] }).directions = ['Forward'];
    t.rt.activities.modifyDatabases = async () => ({ taskId: 't1' });
    t.rt.activities.readObjectTask = answers(
      { state: 'running' },
      { state: 'running' },
      { state: 'running' },
      { state: 'finished' },
    );
    t.rt.activities.readChangeFacts = async () => ({
      status: 'synchronizing',
      rawStatus: 'Synchronizing',
      jobClass: 'small',
      databases: [{ from: 2, to: 3 }],
    });
    await change({ kind: 'databases', databases: [{ from: 2, to: 3 }] });
    expect(gaps('readObjectTask')).toEqual([0, 10_000, 20_000, 40_000]);
  });

  it('an answered outage of the upgrade is retried after 1 s, then 2 s; the class is then polled doubling', async () => {
    t.rt.activities.upgradeClass = answers(unavailable(), unavailable(), undefined);
    let reads = 0;
    t.rt.activities.readChangeFacts = async () => {
      reads += 1;
      return {
        status: 'synchronizing',
        rawStatus: 'Synchronizing',
        jobClass: reads >= 4 ? 'large' : 'small',
        databases: [],
      };
    };
    await change({ kind: 'jobClass', jobClass: 'large' });
    expect(gaps('upgradeClass')).toEqual([0, 1_000, 2_000]);
    expect(gaps('readChangeFacts')).toEqual([0, 10_000, 20_000, 40_000]);
  });

  it('a password for an end with a user name names that user', async () => {
    t.rt.activities.modifyPassword = answers(undefined);
    t.setup.request.destination = { ...t.setup.request.destination, username: 'syncer' };
    await change({ kind: 'password', endpoint: 'destination', password: 'p' });
    expect(t.rt.callsOf('modifyPassword').map((c) => c.input)).toEqual([
      expect.objectContaining({ direction: 'Forward', endpoint: 'dest', userName: 'syncer', password: 'p' }),
      expect.objectContaining({ direction: 'Reverse', endpoint: 'src', userName: 'syncer', password: 'p' }),
    ]);
  });

  it('a renewal orders the term asked for', async () => {
    t.setup.updateStatus({ expiresAt: '2026-02-01T00:00:00Z', payType: 'PrePaid' });
    t.rt.activities.renewInstance = async () => {
      t.setup.updateStatus({ expiresAt: '2026-05-01T00:00:00Z' });
    };
    await change({ kind: 'renew', period: 'Month', usedTime: 3 });
    expect(t.rt.callsOf('renewInstance').map((c) => c.input)).toEqual([
      { api: 'dtsjob', dtsJobId: 'dtsjob1', regionId: 'cn-hangzhou', period: 'Month', usedTime: 3 },
    ]);
    expect(record()).toMatchObject({ outcome: 'applied', applied: ['renew 3 Month'] });
  });

  it('the schedule’s resume keeps the list of changes to the last 20', async () => {
    for (let i = 0; i < 19; i += 1) askChange(t.setup, { kind: 'tags', tags: [`n:${i}`] });
    t.setup.state.change = undefined;
    await change({ kind: 'pause', forMs: 1_000 });
    await stayPaused(t.setup);
    expect(t.setup.status.changes).toHaveLength(20);
    expect(record()).toMatchObject({
      id: 21,
      by: 'schedule',
      outcome: 'applied',
      applied: ['start Forward', 'start Reverse'],
    });
  });

  it('the class is read on Forward; a failed modification without DTS’s message says so plainly', async () => {
    t.rt.activities.upgradeClass = answers(undefined);
    t.rt.activities.readChangeFacts = async () => ({
      status: 'synchronizing',
      rawStatus: 'Synchronizing',
      jobClass: 'large',
      databases: [],
    });
    await change({ kind: 'jobClass', jobClass: 'large' });
    expect(t.rt.callsOf('readChangeFacts').map((c) => (c.input as { direction: string }).direction)).toEqual([
      'Forward',
    ]);
    t.rt.activities.modifyDatabases = async () => ({ taskId: 't1' });
    t.rt.activities.readObjectTask = answers({ state: 'failed' });
    await change({ kind: 'databases', databases: [{ from: 2, to: 3 }] });
    expect(record().error?.message).toBe('DTS failed to modify the databases of Forward');
  });

  it('a password step already recorded is not sent again, even without the re-key bookkeeping', async () => {
    t.rt.activities.modifyPassword = answers(undefined);
    askChange(t.setup, { kind: 'password', endpoint: 'source', password: 'p' });
    record().applied.push('new source password on Forward (src)');
    await applyChange(t.setup);
    expect(t.rt.callsOf('modifyPassword').map((c) => (c.input as { direction: string }).direction)).toEqual([
      'Reverse',
    ]);
  });
});
