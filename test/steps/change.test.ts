import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { ChangeRequest } from '../../core/changes';
import { DTS_SUSPENSION_LIMIT_MS, MAX_PAUSE_MS } from '../../core/changes';
import { applyChange, askChange, stayPaused } from '../../workflows/setup/change';
import { DAY_TWO_DTSJOB_PATCH, RENEW_TAGS_PATCH } from '../../workflows/setup/patches';
import { StopRequested } from '../../workflows/setup/setup';
import { actions, answers, conflict, credentials, fakeDts, lost, newSetup, refused, unavailable } from './helpers';

vi.mock('@temporalio/workflow', async () => (await import('../support/fake-workflow')).fakeWorkflowModule());

const HOUR = 3_600_000;

// The day-two changes (workflows/setup/change.ts): what each sends to DTS, in which order, what a lost answer or a
// refusal does, that nothing is sent twice, and what the status and its `changes[]` show.
describe('day-two changes', () => {
  let t: ReturnType<typeof newSetup>;
  let dts: ReturnType<typeof fakeDts>;
  const record = () => t.setup.status.changes!.at(-1)!;
  const inputs = (name: string) => t.rt.callsOf(name).map((c) => c.input as Record<string, unknown>);
  const change = async (request: ChangeRequest) => {
    askChange(t.setup, request);
    await applyChange(t.setup);
  };
  const twoWay = (more: Parameters<typeof newSetup>[0] = {}) => {
    t = newSetup({ topology: 'bidirectional', databases: [{ from: 0, to: 1 }], waitDeadline: '1h', ...more });
    t.setup.updateStatus({ dtsJobId: 'dtsjob1', phase: 'synchronizing' });
    dts = fakeDts(t.rt, { Forward: 'synchronizing', Reverse: 'synchronizing' });
    t.rt.activities.suspendDirection = async (input: unknown) => {
      const err = suspendError?.((input as { direction: 'Forward' | 'Reverse' }).direction);
      if (err) throw err;
      dts.status[(input as { direction: 'Forward' | 'Reverse' }).direction] = 'suspending';
    };
  };
  let suspendError: ((dir: 'Forward' | 'Reverse') => Error | undefined) | undefined;
  beforeEach(() => {
    suspendError = undefined;
    twoWay();
  });

  describe('pause and resume', () => {
    it('suspends Forward then Reverse, records both, and shows the pause with its resume time and DTS limit', async () => {
      await change({ kind: 'pause', forMs: HOUR, by: 'alice' });
      expect(actions(t.rt)).toEqual(['Suspend Forward', 'Suspend Reverse']);
      expect(record()).toMatchObject({
        id: 1,
        kind: 'pause',
        what: { forMs: HOUR },
        by: 'alice',
        outcome: 'applied',
        applied: ['suspend Forward', 'suspend Reverse'],
        endedAt: new Date(t.rt.nowMs).toISOString(),
      });
      expect(t.setup.state.pause).toEqual({
        resumeAtMs: t.rt.nowMs + HOUR,
        limitAtMs: t.rt.nowMs + DTS_SUSPENSION_LIMIT_MS,
      });
      expect(t.setup.status).toMatchObject({
        phase: 'paused',
        paused: {
          since: new Date(t.rt.nowMs).toISOString(),
          resumeAt: new Date(t.rt.nowMs + HOUR).toISOString(),
          limitAt: new Date(t.rt.nowMs + DTS_SUSPENSION_LIMIT_MS).toISOString(),
          by: 'alice',
        },
      });
      expect(t.setup.state.change).toBeUndefined();
    });

    it('a pause without a length lasts the longest DTS allows', async () => {
      await change({ kind: 'pause' });
      expect(t.setup.state.pause!.resumeAtMs).toBe(t.rt.nowMs + MAX_PAUSE_MS);
      expect(t.setup.status.paused).not.toHaveProperty('by');
    });

    it('a direction DTS already shows Suspending (an earlier answer lost) is not suspended again', async () => {
      dts.status.Forward = 'suspending';
      await change({ kind: 'pause' });
      expect(actions(t.rt)).toEqual(['Suspend Reverse']);
      expect(record().applied).toEqual(['suspend Forward', 'suspend Reverse']);
    });

    it('a refusal for the job status is accepted when DTS then reads Suspending, and fails the pause otherwise', async () => {
      suspendError = (dir) => {
        if (dir === 'Forward') dts.status.Forward = 'suspending';
        return conflict();
      };
      // Reverse: refused and still Synchronizing.
      await change({ kind: 'pause' });
      expect(actions(t.rt)).toEqual(['Suspend Forward', 'Suspend Reverse', 'Start Forward']);
      expect(record()).toMatchObject({
        outcome: 'failed',
        applied: ['suspend Forward', 'start Forward (undo)'],
        error: { type: 'DtsJobStatusConflict', code: 'OperationDenied.JobStatusModifyConflict' },
      });
    });

    it('never half paused: Reverse refused, Forward is started again, the change fails and the sync runs on', async () => {
      suspendError = (dir) => (dir === 'Reverse' ? refused('InvalidParameter') : undefined);
      await change({ kind: 'pause', forMs: HOUR });
      expect(actions(t.rt)).toEqual(['Suspend Forward', 'Suspend Reverse', 'Start Forward']);
      expect(dts.status).toEqual({ Forward: 'synchronizing', Reverse: 'synchronizing' });
      expect(record()).toMatchObject({
        outcome: 'failed',
        applied: ['suspend Forward', 'start Forward (undo)'],
        error: { type: 'DtsInvalidParameter', code: 'InvalidParameter' },
      });
      expect(t.setup.state.pause).toBeUndefined();
      expect(t.setup.status.phase).toBe('synchronizing');
      expect(t.setup.status.paused).toBeUndefined();
      expect(t.setup.state.change).toBeUndefined();
    });

    it('a suspend that DTS cannot answer now is retried with the error shown, then cleared', async () => {
      let i = 0;
      suspendError = (dir) => (dir === 'Forward' && i++ < 2 ? unavailable() : undefined);
      const shown: unknown[] = [];
      t.rt.at(1, () => shown.push(t.setup.status.error?.type));
      await change({ kind: 'pause' });
      expect(shown).toEqual(['DtsUnreachable']);
      expect(t.rt.callsOf('suspendDirection').map((c) => (c.input as { direction: string }).direction)).toEqual([
        'Forward',
        'Forward',
        'Forward',
        'Reverse',
      ]);
      expect(t.setup.status.error).toBeUndefined();
      expect(record().outcome).toBe('applied');
    });

    it('a stop asked during a pause ends the change as failed and is thrown', async () => {
      suspendError = () => unavailable();
      t.rt.at(10, () => t.rt.handlers.get('abort')!());
      askChange(t.setup, { kind: 'pause' });
      await expect(applyChange(t.setup)).rejects.toBeInstanceOf(StopRequested);
      expect(record()).toMatchObject({
        outcome: 'failed',
        error: { type: 'StopRequested', message: 'ended by a abort request' },
      });
    });

    const paused = async (forMs = HOUR) => {
      await change({ kind: 'pause', forMs });
      t.rt.calls.length = 0;
    };

    it('a resume request starts both directions and waits for Synchronizing; the pause is cleared', async () => {
      await paused();
      t.rt.at(60_000, () => askChange(t.setup, { kind: 'resume', by: 'bob' }));
      await stayPaused(t.setup);
      expect(actions(t.rt)).toEqual(['Start Forward', 'Start Reverse']);
      expect(record()).toMatchObject({
        id: 2,
        kind: 'resume',
        by: 'bob',
        outcome: 'applied',
        applied: ['start Forward', 'start Reverse'],
      });
      expect(t.setup.state.pause).toBeUndefined();
      expect(t.setup.status.paused).toBeUndefined();
      expect(t.setup.status.phase).toBe('changing');
    });

    it('at the resume time the schedule resumes by itself, recorded as a change by the schedule', async () => {
      const start = t.rt.nowMs;
      await paused(HOUR);
      await stayPaused(t.setup);
      expect(t.rt.callsOf('startDirection')[0]!.atMs).toBe(start + HOUR);
      expect(record()).toMatchObject({ id: 2, kind: 'resume', by: 'schedule', outcome: 'applied' });
      expect(t.setup.status.changes!.map((c) => c.kind)).toEqual(['pause', 'resume']);
    });

    it('a direction no longer Suspending (started from the console) is not started again', async () => {
      await paused();
      dts.status.Forward = 'synchronizing';
      t.rt.at(1, () => askChange(t.setup, { kind: 'resume' }));
      await stayPaused(t.setup);
      expect(actions(t.rt)).toEqual(['Start Reverse']);
      expect(record().applied).toEqual(['start Reverse']);
    });

    it('DTS refusing the resume parks the setup for a human (suspended-outside), the change failed', async () => {
      await paused();
      dts.startError = () => refused('OperationDenied');
      t.rt.at(1, () => askChange(t.setup, { kind: 'resume' }));
      await stayPaused(t.setup);
      expect(actions(t.rt)).toEqual(['Start Forward']);
      expect(record()).toMatchObject({ outcome: 'failed', error: { type: 'DtsInvalidParameter' } });
      expect(t.setup.state.pause).toBeUndefined();
      expect(t.setup.status.paused).toBeUndefined();
      expect(t.setup.status).toMatchObject({
        phase: 'needs-attention',
        attention: {
          kind: 'suspended-outside',
          direction: 'Forward',
          reason: expect.stringContaining('DTS refused to resume the paused sync: '),
        },
      });
    });

    it('a resume refused for the job status is tried four times, then parks', async () => {
      await paused();
      dts.startError = () => conflict();
      t.rt.at(1, () => askChange(t.setup, { kind: 'resume' }));
      await stayPaused(t.setup);
      expect(t.rt.callsOf('startDirection')).toHaveLength(4);
      expect(t.setup.status.attention?.kind).toBe('suspended-outside');
    });

    it('a resume that keeps failing warns in the status as DTS’s limit nears, and goes on trying', async () => {
      await paused();
      let failing = true;
      dts.startError = () => (failing ? credentials() : undefined);
      const limit = t.setup.state.pause!.limitAtMs;
      t.rt.at(1, () => askChange(t.setup, { kind: 'resume' }));
      const warnings: (string | undefined)[] = [];
      t.rt.at(limit - t.rt.nowMs - 40 * 60_000, () => warnings.push(t.setup.status.paused?.warning));
      t.rt.at(limit - t.rt.nowMs - 20 * 60_000, () => warnings.push(t.setup.status.paused?.warning));
      t.rt.at(limit - t.rt.nowMs - 10 * 60_000, () => (failing = false));
      await stayPaused(t.setup);
      expect(warnings).toEqual([
        undefined,
        `the resume keeps failing; DTS cannot start the sync again after ${new Date(limit).toISOString()}`,
      ]);
      expect(record().outcome).toBe('applied');
      expect(t.setup.status.paused).toBeUndefined();
    });

    it('a direction that fails after the Start fails the resume: DTS’s status is named', async () => {
      await paused();
      dts.next.start = 'failed';
      t.rt.at(1, () => askChange(t.setup, { kind: 'resume' }));
      await stayPaused(t.setup);
      expect(record()).toMatchObject({
        outcome: 'failed',
        error: { message: 'Forward: DTS reports Failed while applying the change' },
      });
      expect(t.setup.status.attention?.kind).toBe('suspended-outside');
    });

    it('a direction not back to Synchronizing within the wait deadline fails the resume', async () => {
      await paused();
      dts.next.start = 'initializing';
      t.rt.at(1, () => askChange(t.setup, { kind: 'resume' }));
      const from = t.rt.nowMs;
      await stayPaused(t.setup);
      expect(record().error?.message).toBe('Forward did not return to Synchronizing within 1h');
      expect(t.rt.nowMs - from).toBeGreaterThan(HOUR);
      expect(t.rt.nowMs - from).toBeLessThan(HOUR + 10 * 60_000);
    });

    it('a stop while paused ends the wait at once (the teardown releases as usual)', async () => {
      await paused();
      t.rt.at(1_000, () => t.rt.handlers.get('abort')!());
      await expect(stayPaused(t.setup)).rejects.toBeInstanceOf(StopRequested);
      expect(actions(t.rt)).toEqual([]);
    });
  });

  describe('databases', () => {
    const wanted = [{ from: 2, to: 3 }];
    let facts: { databases: unknown[]; jobClass: string };
    beforeEach(() => {
      facts = { databases: [], jobClass: 'small' };
      t.rt.activities.modifyDatabases = async (input: unknown) => {
        const { direction, databases } = input as { direction: 'Forward' | 'Reverse'; databases: unknown[] };
        facts.databases = databases;
        dts.status[direction] = 'synchronizing';
        return { taskId: `task-${direction}` };
      };
      t.rt.activities.readObjectTask = answers({ state: 'finished' });
      t.rt.activities.readChangeFacts = async () => ({ status: 'synchronizing', rawStatus: 'Synchronizing', ...facts });
    });

    it('modifies Forward, then Reverse with the mapping swapped, each back to Synchronizing; the request follows', async () => {
      await change({ kind: 'databases', databases: wanted });
      expect(inputs('modifyDatabases')).toEqual([
        { api: 'dtsjob', dtsJobId: 'dtsjob1', regionId: 'cn-hangzhou', direction: 'Forward', databases: wanted },
        {
          api: 'dtsjob',
          dtsJobId: 'dtsjob1',
          regionId: 'cn-hangzhou',
          direction: 'Reverse',
          databases: [{ from: 3, to: 2 }],
        },
      ]);
      expect(inputs('readObjectTask')).toEqual([
        { taskId: 'task-Forward', regionId: 'cn-hangzhou' },
        { taskId: 'task-Reverse', regionId: 'cn-hangzhou' },
      ]);
      expect(record()).toMatchObject({
        kind: 'databases',
        what: { databases: wanted },
        outcome: 'applied',
        applied: [
          'modify Forward',
          'Forward synchronizing with the new databases',
          'modify Reverse',
          'Reverse synchronizing with the new databases',
        ],
      });
      expect(t.setup.request.databases).toEqual(wanted);
      expect(t.setup.status.databases).toEqual(wanted);
      expect(t.setup.state.change).toBeUndefined();
      // The memo's request: what now runs, without passwords.
      const memo = t.rt.memos
        .map((m) => m.request)
        .filter(Boolean)
        .at(-1) as Record<string, unknown>;
      expect(memo).toMatchObject({ databases: wanted });
      expect(JSON.stringify(memo)).not.toContain(t.setup.request.source.password);
    });

    it('shows phase changing while it applies', async () => {
      const phases: string[] = [];
      t.rt.activities.readObjectTask = async () => {
        phases.push(t.setup.status.phase);
        return { state: 'finished' };
      };
      await change({ kind: 'databases', databases: wanted });
      expect(phases).toEqual(['changing', 'changing']);
    });

    it('waits for DTS’s task and for the new objects before a direction counts as done', async () => {
      t.rt.activities.readObjectTask = answers({ state: 'running' }, { state: 'running' }, { state: 'finished' });
      const old = facts;
      let shows = 0;
      t.rt.activities.readChangeFacts = async () => {
        shows += 1;
        return {
          status: 'synchronizing',
          rawStatus: 'Synchronizing',
          ...(shows < 3 ? { ...old, databases: [] } : old),
        };
      };
      await change({ kind: 'databases', databases: wanted });
      expect(t.rt.callsOf('readObjectTask').length).toBeGreaterThanOrEqual(3);
      expect(shows).toBeGreaterThanOrEqual(3);
      expect(record().outcome).toBe('applied');
    });

    it('a task DTS reports failed fails the change with DTS’s message; the request keeps its databases', async () => {
      t.rt.activities.readObjectTask = answers({ state: 'failed', message: 'no such db' });
      await change({ kind: 'databases', databases: wanted });
      expect(inputs('modifyDatabases')).toHaveLength(1);
      expect(record()).toMatchObject({
        outcome: 'failed',
        applied: ['modify Forward'],
        error: { type: 'ObjectModifyFailed', message: 'DTS failed to modify the databases of Forward: no such db' },
      });
      expect(t.setup.request.databases).toEqual([{ from: 0, to: 1 }]);
      expect(t.setup.status.databases).toBeUndefined();
    });

    it('a modification DTS answered is not sent again when the step runs again (a new run)', async () => {
      askChange(t.setup, { kind: 'databases', databases: wanted });
      record().applied.push('modify Forward');
      t.setup.state.change!.taskIds = { Forward: 'task-earlier' };
      facts.databases = wanted;
      await applyChange(t.setup);
      expect(inputs('modifyDatabases').map((i) => i.direction)).toEqual(['Reverse']);
      expect(inputs('readObjectTask')[0]).toEqual({ taskId: 'task-earlier', regionId: 'cn-hangzhou' });
    });

    it('without a TaskId it waits on the status and the objects only', async () => {
      t.rt.activities.modifyDatabases = async (input: unknown) => {
        facts.databases = (input as { databases: unknown[] }).databases;
        return {};
      };
      await change({ kind: 'databases', databases: wanted });
      expect(inputs('readObjectTask')).toEqual([]);
      expect(record().outcome).toBe('applied');
    });

    it('a direction Failed while applying fails the change', async () => {
      t.rt.activities.modifyDatabases = async () => {
        dts.status.Forward = 'failed';
        return {};
      };
      await change({ kind: 'databases', databases: wanted });
      expect(record().error?.message).toBe('Forward: DTS reports Failed while applying the change');
    });

    it('the DtsJob family in a run without its day-two operations refuses, sending nothing', async () => {
      t.rt.unpatched.add(DAY_TWO_DTSJOB_PATCH);
      await change({ kind: 'databases', databases: wanted });
      expect(t.rt.calls).toEqual([]);
      expect(record()).toMatchObject({
        outcome: 'failed',
        error: { message: 'a databases change is not available for the dtsjob family' },
      });
    });

    it('the legacy family never asks for that patch', async () => {
      t.setup.state.api = undefined;
      t.rt.unpatched.add(DAY_TWO_DTSJOB_PATCH);
      await change({ kind: 'databases', databases: wanted });
      expect(t.rt.patchesAsked.has(DAY_TWO_DTSJOB_PATCH)).toBe(false);
      expect(record().outcome).toBe('applied');
    });
  });

  describe('instance class', () => {
    let shown: string;
    beforeEach(() => {
      t = newSetup({ topology: 'oneway', jobClass: 'small', waitDeadline: '1h' });
      t.setup.updateStatus({ dtsJobId: 'dtsjob1', phase: 'synchronizing' });
      dts = fakeDts(t.rt, { Forward: 'synchronizing' });
      shown = 'small';
      t.rt.activities.readChangeFacts = async () => ({
        status: 'synchronizing',
        rawStatus: 'Synchronizing',
        jobClass: shown,
        databases: [],
      });
    });

    it('orders the upgrade once (one attempt per activity), waits for DTS to show it, and the request follows', async () => {
      t.rt.activities.upgradeClass = async () => {
        t.rt.at(20_000, () => (shown = 'Large'));
      };
      await change({ kind: 'jobClass', jobClass: 'large' });
      expect(inputs('upgradeClass')).toEqual([
        { api: 'dtsjob', dtsJobId: 'dtsjob1', regionId: 'cn-hangzhou', direction: 'Forward', jobClass: 'large' },
      ]);
      expect(record()).toMatchObject({ outcome: 'applied', applied: ['upgrade to large'] });
      expect(t.setup.request.jobClass).toBe('large');
      expect(t.setup.status.jobClass).toBe('large');
    });

    it('a lost answer is looked at, not resent, when DTS then shows the new class', async () => {
      t.rt.activities.upgradeClass = async () => {
        shown = 'large';
        throw lost();
      };
      await change({ kind: 'jobClass', jobClass: 'large' });
      expect(inputs('upgradeClass')).toHaveLength(1);
      expect(record()).toMatchObject({ outcome: 'applied', applied: ['upgrade to large'] });
    });

    it('a lost answer with the old class still shown after a while is sent again, the error shown meanwhile', async () => {
      t.rt.activities.upgradeClass = answers(lost(), undefined);
      const errors: (string | undefined)[] = [];
      t.rt.at(1, () => errors.push(t.setup.status.error?.type));
      const upgraded = () => (shown = 'large');
      t.rt.activities.readChangeFacts = async () => {
        if (t.rt.callsOf('upgradeClass').length === 2) upgraded();
        return { status: 'synchronizing', rawStatus: 'Synchronizing', jobClass: shown, databases: [] };
      };
      await change({ kind: 'jobClass', jobClass: 'large' });
      expect(inputs('upgradeClass')).toHaveLength(2);
      const [first, second] = t.rt.callsOf('upgradeClass');
      // It looks for three slow polls before it orders again.
      expect(second!.atMs - first!.atMs).toBeGreaterThanOrEqual(3 * t.setup.tuningMs.maxPoll);
      expect(errors).toEqual(['DtsUnreachable']);
      expect(record().outcome).toBe('applied');
    });

    it('an answered outage is retried without looking first', async () => {
      t.rt.activities.upgradeClass = answers(unavailable(), undefined);
      t.rt.activities.readChangeFacts = async () => ({
        status: 'synchronizing',
        rawStatus: 'Synchronizing',
        jobClass: t.rt.callsOf('upgradeClass').length === 2 ? 'large' : 'small',
        databases: [],
      });
      await change({ kind: 'jobClass', jobClass: 'large' });
      expect(inputs('upgradeClass')).toHaveLength(2);
      // Only the final check read the class: DTS answered the first call.
      expect(t.rt.callsOf('readChangeFacts')).toHaveLength(1);
    });

    it('a refusal fails the change; the class stays', async () => {
      t.rt.activities.upgradeClass = answers(refused('InvalidParameter.JobClass'));
      await change({ kind: 'jobClass', jobClass: 'large' });
      expect(record()).toMatchObject({
        outcome: 'failed',
        applied: [],
        error: { type: 'DtsInvalidParameter', code: 'InvalidParameter.JobClass' },
      });
      expect(t.setup.request.jobClass).toBe('small');
      expect(t.setup.status.jobClass).toBeUndefined();
    });

    it('DTS not showing the class within the wait deadline fails the change (the order is not resent)', async () => {
      t.rt.activities.upgradeClass = answers(undefined);
      const from = t.rt.nowMs;
      await change({ kind: 'jobClass', jobClass: 'large' });
      expect(inputs('upgradeClass')).toHaveLength(1);
      expect(record()).toMatchObject({
        outcome: 'failed',
        applied: ['upgrade to large'],
        error: { message: 'DTS did not report the class large within 1h' },
      });
      expect(t.rt.nowMs - from).toBeGreaterThanOrEqual(HOUR);
      expect(t.setup.request.jobClass).toBe('small');
    });

    it('a read of the class that fails counts as not shown yet', async () => {
      t.rt.activities.upgradeClass = answers(undefined);
      let reads = 0;
      t.rt.activities.readChangeFacts = async () => {
        reads += 1;
        if (reads < 3) throw unavailable();
        return { status: 'synchronizing', rawStatus: 'Synchronizing', jobClass: 'large', databases: [] };
      };
      await change({ kind: 'jobClass', jobClass: 'large' });
      expect(record().outcome).toBe('applied');
    });
  });

  describe('password', () => {
    beforeEach(() => {
      t.rt.activities.modifyPassword = answers(undefined);
    });

    it('the source’s new password goes to Forward’s source end and Reverse’s destination end, never into the record', async () => {
      await change({ kind: 'password', endpoint: 'source', password: 'n3w-s3cret' });
      expect(inputs('modifyPassword')).toEqual([
        {
          api: 'dtsjob',
          dtsJobId: 'dtsjob1',
          regionId: 'cn-hangzhou',
          direction: 'Forward',
          endpoint: 'src',
          ...(t.setup.request.source.username ? { userName: t.setup.request.source.username } : {}),
          password: 'n3w-s3cret',
        },
        expect.objectContaining({ direction: 'Reverse', endpoint: 'dest', password: 'n3w-s3cret' }),
      ]);
      expect(record()).toMatchObject({
        kind: 'password',
        what: { endpoint: 'source' },
        outcome: 'applied',
        applied: [
          'new source password on Forward (src)',
          'new source password on Reverse (dest)',
          'synchronizing with the new password',
        ],
      });
      expect(JSON.stringify(t.setup.status)).not.toContain('n3w-s3cret');
      // Later configures use it; the in-flight bookkeeping is gone.
      expect(t.setup.request.source.password).toBe('n3w-s3cret');
      expect(t.setup.state.rekey).toBeUndefined();
    });

    it('the destination’s goes to Forward’s destination end and Reverse’s source end', async () => {
      await change({ kind: 'password', endpoint: 'destination', password: 'd' });
      expect(inputs('modifyPassword').map((i) => `${String(i.direction)} ${String(i.endpoint)}`)).toEqual([
        'Forward dest',
        'Reverse src',
      ]);
      expect(t.setup.request.destination.password).toBe('d');
      expect(t.setup.request.source.password).not.toBe('d');
    });

    it('a re-key half done (the same password) is not sent again to the direction that has it', async () => {
      t.setup.state.rekey = { endpoint: 'source', password: 'p2', done: ['Forward'] };
      await change({ kind: 'password', endpoint: 'source', password: 'p2' });
      expect(inputs('modifyPassword').map((i) => i.direction)).toEqual(['Reverse']);
      expect(record().applied.slice(0, 2)).toEqual([
        'new source password on Forward (src)',
        'new source password on Reverse (dest)',
      ]);
    });

    it('a half-done re-key with another password or end starts over', async () => {
      t.setup.state.rekey = { endpoint: 'source', password: 'old', done: ['Forward'] };
      await change({ kind: 'password', endpoint: 'source', password: 'p2' });
      expect(inputs('modifyPassword').map((i) => i.direction)).toEqual(['Forward', 'Reverse']);
      t.setup.state.rekey = { endpoint: 'destination', password: 'p3', done: ['Forward'] };
      await change({ kind: 'password', endpoint: 'source', password: 'p3' });
      expect(inputs('modifyPassword').map((i) => i.direction)).toEqual(['Forward', 'Reverse', 'Forward', 'Reverse']);
    });

    it('a refused password leaves the request’s old one and what was done so far for a retry', async () => {
      t.rt.activities.modifyPassword = answers(undefined, refused('InvalidPassword'));
      const before = t.setup.request.source.password;
      await change({ kind: 'password', endpoint: 'source', password: 'p2' });
      expect(record()).toMatchObject({ outcome: 'failed', applied: ['new source password on Forward (src)'] });
      expect(t.setup.request.source.password).toBe(before);
      expect(t.setup.state.rekey).toEqual({ endpoint: 'source', password: 'p2', done: ['Forward'] });
    });
  });

  describe('tags', () => {
    beforeEach(() => {
      t.rt.tags = ['team:a', 'env:prod'];
      t.rt.activities.tagInstance = answers(undefined);
      t.rt.activities.untagInstance = answers(undefined);
    });

    it('tags the instance, untags the dropped keys, and relabels the setup', async () => {
      await change({ kind: 'tags', tags: ['team:b'] });
      expect(inputs('tagInstance')).toEqual([
        {
          dtsJobId: 'dtsjob1',
          regionId: 'cn-hangzhou',
          tags: ['team:b'],
          owner: { key: expect.any(String), value: 'redis-sync.test' },
        },
      ]);
      expect(inputs('untagInstance')).toEqual([{ dtsJobId: 'dtsjob1', regionId: 'cn-hangzhou', keys: ['env'] }]);
      expect(t.rt.searchAttributes).toContainEqual([{ key: expect.anything(), value: ['team:b'] }]);
      expect(record()).toMatchObject({ outcome: 'applied', applied: ['tag instance', 'untag instance', 'tags'] });
      expect(t.setup.status.tags).toEqual(['team:b']);
    });

    it('an older run only relabels the setup', async () => {
      t.rt.unpatched.add(RENEW_TAGS_PATCH);
      await change({ kind: 'tags', tags: ['team:b'] });
      expect(t.rt.calls).toEqual([]);
      expect(record()).toMatchObject({ outcome: 'applied', applied: ['tags'] });
    });
  });

  describe('the record', () => {
    it('numbers changes in order and keeps the last 20', async () => {
      for (let i = 0; i < 22; i += 1) askChange(t.setup, { kind: 'tags', tags: [`n:${i}`] });
      expect(t.setup.status.changes).toHaveLength(20);
      expect(t.setup.status.changes!.map((c) => c.id)).toEqual(Array.from({ length: 20 }, (_, i) => i + 3));
      expect(t.setup.state.change!.id).toBe(22);
      expect(record()).toMatchObject({
        kind: 'tags',
        outcome: 'applying',
        applied: [],
        requestedAt: new Date(t.rt.nowMs).toISOString(),
      });
      expect(record()).not.toHaveProperty('by');
    });

    it('a change whose record was dropped still runs to its end', async () => {
      askChange(t.setup, { kind: 'pause', forMs: HOUR });
      t.setup.updateStatus({ changes: [] });
      await applyChange(t.setup);
      expect(actions(t.rt)).toEqual(['Suspend Forward', 'Suspend Reverse']);
      expect(t.setup.state.change).toBeUndefined();
      expect(t.setup.status.changes).toEqual([]);
    });

    it('a resume asked while not in the pause loop does nothing here', async () => {
      await change({ kind: 'resume' });
      expect(t.rt.calls).toEqual([]);
      expect(t.setup.state.change).toBeDefined();
    });

    it('a failure clears a passing error shown meanwhile, and the status keeps DTS’s own refusal in the record', async () => {
      suspendError = (dir) => (dir === 'Forward' ? refused('Forbidden') : undefined);
      await change({ kind: 'pause' });
      expect(record().error).toEqual({ type: 'DtsInvalidParameter', message: expect.any(String), code: 'Forbidden' });
    });
  });
});
