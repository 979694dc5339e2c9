// Day-two changes of a running setup (core/changes.ts, workflows/setup/change.ts) against the real dev server and
// the emulator over real HTTP, in both DTS API families, under the default dialect and the strictest one, with
// the shipped RAM policy.
import { randomUUID } from 'node:crypto';
import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChangeRequest } from '../../core/changes';
import { changeUpdate } from '../../core/messages';
import { DTS_ACTIVITY_TIMEOUT_MS } from '../../core/timing';
import { STRICTEST_DIALECT } from '../../emulator/dialect';
import { redisSync } from '../../workflows/redis-sync';
import { setupStartOptions } from '../../api/setup-start';
import type { DtsApi, SetupStatus, SetupRequest } from '../../core/types';
import { AUTH, buildTestApp } from '../support/api';
import { rawExecutionRecords } from '../support/history-scan';
import { describeHits, findSecrets } from '../support/secret-scan';
import { FAST, syncRequest, type EmulatorCall } from '../support/requests';
import { eventually, startStack, type Stack } from '../support/stack';
import { untilPhase, untilStatus } from '../support/setup-status';
import { registerPair } from '../support/instances';

type Handle = WorkflowHandle<typeof redisSync>;

interface Job {
  jobId: string;
  jobClass: string;
  directions: Partial<
    Record<
      'Forward' | 'Reverse',
      {
        status: string;
        startCount: number;
        synchronizationObjects: { DBName: string }[];
        source?: { passwordChangedAt?: string };
        destination?: { passwordChangedAt?: string };
      }
    >
  >;
}

/** Each family's action for the steps the tests count or fault. */
const ACTIONS = {
  synchronizationjob: { modify: 'ModifySynchronizationObject', suspend: 'SuspendSynchronizationJob' },
  dtsjob: { modify: 'ModifyDtsJob', suspend: 'SuspendDtsJob' },
} as const;

describe.each([
  ['legacy family', 'default dialect', 'synchronizationjob', ''],
  ['legacy family', 'strictest dialect', 'synchronizationjob', STRICTEST_DIALECT],
  ['DtsJob family', 'default dialect', 'dtsjob', ''],
  ['DtsJob family', 'strictest dialect', 'dtsjob', STRICTEST_DIALECT],
] as [string, string, DtsApi, string][])('day-two changes, %s, %s', (_family, _name, dtsApi, dialect) => {
  let stack: Stack;
  const actions = ACTIONS[dtsApi];
  beforeAll(async () => {
    stack = await startStack({ emulator: { dialect }, worker: { dtsApi } });
  });
  afterAll(() => stack?.stop());

  async function synchronizing(overrides: Partial<SetupRequest> = {}): Promise<{ handle: Handle; jobId: string }> {
    const tag = randomUUID().slice(0, 8);
    const base = syncRequest(overrides);
    const request: SetupRequest = {
      ...base,
      source: { ...base.source, instanceId: `r-d2-src-${tag}` },
      destination: { ...base.destination, instanceId: `r-d2-dst-${tag}` },
    };
    await registerPair(stack, request);
    const handle = await stack.client.workflow.start(redisSync, {
      workflowId: `wf-day-two-${tag}`,
      taskQueue: stack.taskQueue,
      args: [{ request, tuning: FAST, api: dtsApi }],
    });
    const status = await untilStatus(handle, (s) => s.phase === 'synchronizing', 'synchronizing', 60_000);
    return { handle, jobId: status.dtsJobId! };
  }

  const change = (handle: Handle, request: ChangeRequest) =>
    handle.executeUpdate(changeUpdate, { args: [{ by: 'ops-alice', ...request }] });
  const refusal = async (handle: Handle, request: ChangeRequest) => {
    const err = await change(handle, request).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
    return (err as WorkflowUpdateFailedError).cause?.message ?? '';
  };
  const lastChange = (s: SetupStatus) => s.changes?.at(-1);
  const ended = (handle: Handle, timeoutMs?: number) =>
    untilStatus(
      handle,
      (s) => s.phase === 'synchronizing' && lastChange(s)?.outcome !== 'applying',
      'the change ended',
      timeoutMs,
    );
  // A worker stopped while a DTS call is in flight: the server gives that attempt up only at its timeout.
  const AFTER_LOST_ATTEMPT_MS = DTS_ACTIVITY_TIMEOUT_MS + 30_000;
  const CRASH_TEST_MS = AFTER_LOST_ATTEMPT_MS + 60_000;
  const job = async (jobId: string) =>
    (await stack.admin<{ jobs: Job[] }>('jobs')).jobs.find((j) => j.jobId === jobId)!;
  const calls = async (action: string, jobId: string) =>
    (
      await stack.admin<{ calls: (EmulatorCall & { params: Record<string, string>; fault?: string })[] }>('calls')
    ).calls.filter((c) => c.action === action && c.jobId === jobId);
  // The calls DTS carried out, answered or not (a refused one changes nothing and is not counted).
  const okCalls = async (action: string, jobId: string) =>
    (await calls(action, jobId)).filter((c) => c.outcome === 'OK' || c.fault === 'drop-after');

  it('a pause suspends both directions and resumes by itself at its time; only a resume is accepted meanwhile', async () => {
    const { handle, jobId } = await synchronizing({ topology: 'bidirectional' });
    await change(handle, { kind: 'pause', forMs: 3_000 });
    const paused = await untilPhase(handle, 'paused');
    expect(paused.paused).toMatchObject({ by: 'ops-alice' });
    expect(Date.parse(paused.paused!.limitAt) - Date.parse(paused.paused!.since)).toBe(6 * 3600_000);
    const suspended = await job(jobId);
    expect([suspended.directions.Forward?.status, suspended.directions.Reverse?.status]).toEqual([
      'Suspending',
      'Suspending',
    ]);
    // Paused: only a resume is accepted, and the console's reading (suspended-outside) is not what it shows.
    expect(await refusal(handle, { kind: 'jobClass', jobClass: 'medium' })).toMatch(/paused; resume it/);
    const back = await untilStatus(
      handle,
      (s) => s.phase === 'synchronizing' && lastChange(s)?.kind === 'resume' && lastChange(s)?.outcome === 'applied',
      'resumed by itself',
    );
    expect(back.paused).toBeUndefined();
    expect(back.changes?.map((c) => [c.kind, c.by, c.outcome])).toEqual([
      ['pause', 'ops-alice', 'applied'],
      ['resume', 'schedule', 'applied'],
    ]);
    const resumed = await job(jobId);
    expect(resumed.directions.Forward?.status).toBe('Synchronizing');
    expect(resumed.directions.Reverse?.status).toBe('Synchronizing');
    await handle.cancel();
  });

  it('a pause ends on POST /resume before its time; a pause past DTS 6-hour limit is refused', async () => {
    const { handle } = await synchronizing({ topology: 'oneway' });
    expect(await refusal(handle, { kind: 'pause', forMs: 6 * 3600_000 })).toMatch(/6 hours/);
    expect(await refusal(handle, { kind: 'resume' })).toMatch(/not paused/);
    await change(handle, { kind: 'pause' });
    const paused = await untilPhase(handle, 'paused');
    expect(Date.parse(paused.paused!.resumeAt) - Date.parse(paused.paused!.since)).toBe(5 * 3600_000 + 45 * 60_000);
    await change(handle, { kind: 'resume' });
    const back = await ended(handle);
    expect(lastChange(back)).toMatchObject({ kind: 'resume', by: 'ops-alice', outcome: 'applied' });
    await handle.cancel();
  });

  it('databases: both directions through Modifying back to Synchronizing; a change asked meanwhile is refused', async () => {
    const { handle, jobId } = await synchronizing({ topology: 'bidirectional' });
    const databases = [
      { from: 0, to: 0 },
      { from: 3, to: 3 },
    ];
    await change(handle, { kind: 'databases', databases });
    expect(await refusal(handle, { kind: 'jobClass', jobClass: 'medium' })).toMatch(
      /change 1 \(databases\) requested by ops-alice is still being applied/,
    );
    const done = await ended(handle);
    expect(lastChange(done)).toMatchObject({ kind: 'databases', outcome: 'applied' });
    expect(done.databases).toEqual(databases);
    const changed = await job(jobId);
    for (const dir of ['Forward', 'Reverse'] as const) {
      expect(changed.directions[dir]?.status).toBe('Synchronizing');
      expect(changed.directions[dir]?.synchronizationObjects.map((o) => o.DBName).sort()).toEqual(['0', '3']);
      expect(await okCalls(actions.modify, jobId)).toHaveLength(2);
    }
    await handle.cancel();
  });

  it('jobClass: upgraded once even when the answer is lost; a downgrade is refused', async () => {
    const { handle, jobId } = await synchronizing({ topology: 'oneway' });
    expect(await refusal(handle, { kind: 'jobClass', jobClass: 'micro' })).toMatch(/cannot downgrade/);
    // DTS places the order, the answer never arrives: the setup looks before sending another.
    await stack.admin('faults', { action: 'TransferInstanceClass', jobId, kind: 'drop-after', count: 1 });
    await change(handle, { kind: 'jobClass', jobClass: 'medium' });
    const done = await ended(handle);
    expect(lastChange(done)).toMatchObject({ kind: 'jobClass', outcome: 'applied' });
    expect(done.jobClass).toBe('medium');
    expect((await job(jobId)).jobClass).toBe('medium');
    expect(await calls('TransferInstanceClass', jobId)).toHaveLength(1);
    await handle.cancel();
  });

  it('a DTS refusal midway is reported with what was applied, undone, and the pause can be asked again', async () => {
    const { handle, jobId } = await synchronizing({ topology: 'bidirectional' });
    await stack.admin('faults', {
      action: actions.suspend,
      jobId,
      direction: 'Reverse',
      kind: 'error',
      code: 'InvalidParameter',
      httpStatus: 400,
      count: 1,
    });
    await change(handle, { kind: 'pause', forMs: 60_000 });
    const failed = await untilStatus(handle, (s) => lastChange(s)?.outcome === 'failed', 'the pause failed');
    expect(lastChange(failed)).toMatchObject({
      applied: ['suspend Forward', 'start Forward (undo)'],
      error: { code: 'InvalidParameter' },
    });
    await untilStatus(handle, (s) => s.phase === 'synchronizing', 'synchronizing again');
    await eventually(
      async () => {
        const j = await job(jobId);
        return j.directions.Forward?.status === 'Synchronizing' && j.directions.Reverse?.status === 'Synchronizing'
          ? j
          : undefined;
      },
      { what: 'both directions Synchronizing in DTS' },
    );
    await change(handle, { kind: 'pause', forMs: 60_000 });
    await untilPhase(handle, 'paused');
    await handle.cancel();
  });

  it(
    'a worker stopped in the middle of a change: the new worker finishes it without a second modification',
    async () => {
      const { handle, jobId } = await synchronizing({ topology: 'oneway' });
      await change(handle, { kind: 'databases', databases: [{ from: 0, to: 1 }] });
      await eventually(async () => ((await calls(actions.modify, jobId)).length > 0 ? true : undefined), {
        what: 'the modification sent',
      });
      await stack.stopWorker();
      await stack.startWorker();
      const done = await ended(handle, AFTER_LOST_ATTEMPT_MS);
      expect(lastChange(done)).toMatchObject({ outcome: 'applied' });
      expect(await okCalls(actions.modify, jobId)).toHaveLength(1);
      await handle.cancel();
    },
    CRASH_TEST_MS,
  );

  it(
    'a worker stopped in the middle of a jobClass change: the new worker waits for the class, no second order',
    async () => {
      const { handle, jobId } = await synchronizing({ topology: 'oneway' });
      await change(handle, { kind: 'jobClass', jobClass: 'medium' });
      // DTS accepted the order; the new class shows only after a while (emulator/operations/transfer-instance-class.ts).
      await eventually(async () => ((await okCalls('TransferInstanceClass', jobId)).length > 0 ? true : undefined), {
        what: 'the order accepted',
      });
      await stack.stopWorker();
      await stack.startWorker();
      const done = await ended(handle, AFTER_LOST_ATTEMPT_MS);
      expect(lastChange(done)).toMatchObject({ kind: 'jobClass', outcome: 'applied' });
      expect(done.jobClass).toBe('medium');
      expect((await job(jobId)).jobClass).toBe('medium');
      expect(await okCalls('TransferInstanceClass', jobId)).toHaveLength(1);
      await handle.cancel();
    },
    CRASH_TEST_MS,
  );

  it('a worker stopped during a pause: the new worker still resumes both directions at the resume time', async () => {
    const { handle, jobId } = await synchronizing({ topology: 'bidirectional' });
    await change(handle, { kind: 'pause', forMs: 5_000 });
    const paused = await untilPhase(handle, 'paused');
    await stack.stopWorker();
    await stack.startWorker();
    const back = await untilStatus(
      handle,
      (s) => s.phase === 'synchronizing' && lastChange(s)?.kind === 'resume' && lastChange(s)?.outcome === 'applied',
      'resumed by itself',
    );
    expect(Date.now()).toBeGreaterThanOrEqual(Date.parse(paused.paused!.resumeAt));
    expect(back.changes?.map((c) => [c.kind, c.by, c.outcome])).toEqual([
      ['pause', 'ops-alice', 'applied'],
      ['resume', 'schedule', 'applied'],
    ]);
    const resumed = await job(jobId);
    expect([resumed.directions.Forward?.status, resumed.directions.Reverse?.status]).toEqual([
      'Synchronizing',
      'Synchronizing',
    ]);
    await handle.cancel();
  });

  it('databases and jobClass refused by DTS midway: reported with what was applied, the sync untouched, asked again', async () => {
    const { handle, jobId } = await synchronizing({ topology: 'bidirectional' });
    const databases = [
      { from: 0, to: 0 },
      { from: 2, to: 2 },
    ];
    await stack.admin('faults', {
      action: actions.modify,
      jobId,
      direction: 'Reverse',
      kind: 'error',
      code: 'InvalidParameter',
      httpStatus: 400,
      count: 1,
    });
    await change(handle, { kind: 'databases', databases });
    const failed = await untilStatus(handle, (s) => lastChange(s)?.outcome === 'failed', 'the databases change failed');
    expect(lastChange(failed)).toMatchObject({
      kind: 'databases',
      applied: ['modify Forward', 'Forward synchronizing with the new databases'],
      error: { code: 'InvalidParameter' },
    });
    // Nothing claims the change: the status keeps the databases the setup was asked for.
    expect(failed.databases ?? [{ from: 0, to: 0 }]).toEqual([{ from: 0, to: 0 }]);
    const untouched = await job(jobId);
    expect([untouched.directions.Forward?.status, untouched.directions.Reverse?.status]).toEqual([
      'Synchronizing',
      'Synchronizing',
    ]);
    await untilStatus(handle, (s) => s.phase === 'synchronizing', 'synchronizing again');
    await change(handle, { kind: 'databases', databases });
    expect(lastChange(await ended(handle))).toMatchObject({ kind: 'databases', outcome: 'applied' });
    // Forward already had them: only Reverse is modified again.
    expect((await okCalls(actions.modify, jobId)).map((c) => c.direction ?? c.params.SynchronizationDirection)).toEqual(
      ['Forward', 'Reverse'],
    );

    await stack.admin('faults', {
      action: 'TransferInstanceClass',
      jobId,
      kind: 'error',
      code: 'OrderFailed',
      count: 1,
    });
    await change(handle, { kind: 'jobClass', jobClass: 'large' });
    const refused = await untilStatus(handle, (s) => lastChange(s)?.outcome === 'failed', 'the upgrade failed');
    expect(lastChange(refused)).toMatchObject({ kind: 'jobClass', applied: [], error: { code: 'OrderFailed' } });
    expect(refused.jobClass ?? 'small').toBe('small');
    expect((await job(jobId)).jobClass).toBe('small');
    await untilStatus(handle, (s) => s.phase === 'synchronizing', 'synchronizing after the refused upgrade');
    await change(handle, { kind: 'jobClass', jobClass: 'large' });
    // A change asked while the upgrade applies is refused with the reason.
    expect(await refusal(handle, { kind: 'tags', tags: ['team=orders'] })).toMatch(
      /\(jobClass\) .* still being applied/,
    );
    const upgraded = await ended(handle);
    expect(lastChange(upgraded)).toMatchObject({ kind: 'jobClass', outcome: 'applied' });
    expect(upgraded.jobClass).toBe('large');
    expect((await job(jobId)).jobClass).toBe('large');
    expect(await okCalls('TransferInstanceClass', jobId)).toHaveLength(1);
    await handle.cancel();
  });

  it.runIf(dtsApi === 'dtsjob')(
    'a worker stopped in the middle of a re-key: each task gets the password once',
    async () => {
      const { handle, jobId } = await synchronizing({ topology: 'bidirectional' });
      await change(handle, {
        kind: 'password',
        endpoint: 'source',
        password: `crash-${randomUUID().slice(0, 8)}-Pa55`,
      });
      await eventually(async () => ((await calls('ModifyDtsJobPassword', jobId)).length > 0 ? true : undefined), {
        what: 'the first password sent',
      });
      await stack.stopWorker();
      await stack.startWorker();
      const done = await ended(handle, AFTER_LOST_ATTEMPT_MS);
      expect(lastChange(done)).toMatchObject({ kind: 'password', outcome: 'applied' });
      expect((await okCalls('ModifyDtsJobPassword', jobId)).map((c) => c.params.SynchronizationDirection)).toEqual([
        'Forward',
        'Reverse',
      ]);
      await handle.cancel();
    },
    CRASH_TEST_MS,
  );

  it('a new password: given to every task that reaches that end, never in the history; refused by the legacy family', async () => {
    const { handle, jobId } = await synchronizing({ topology: 'bidirectional' });
    const tag = randomUUID().slice(0, 8);
    const fresh = `rekey-dst-${tag}-Pa55`;
    if (dtsApi === 'synchronizationjob') {
      expect(await refusal(handle, { kind: 'password', endpoint: 'destination', password: fresh })).toMatch(
        /legacy synchronization family: its API has no operation for it \(SwitchSynchronizationEndpoint/,
      );
      await handle.cancel();
      return;
    }
    // A change asked while the re-key applies is refused with the reason.
    await change(handle, { kind: 'password', endpoint: 'destination', password: fresh });
    expect(await refusal(handle, { kind: 'tags', tags: ['team=orders'] })).toMatch(
      /\(password\) .* still being applied/,
    );
    const done = await ended(handle);
    expect(lastChange(done)).toMatchObject({ kind: 'password', what: { endpoint: 'destination' }, outcome: 'applied' });
    expect(lastChange(done)?.applied).toEqual([
      'new destination password on Forward (dest)',
      'new destination password on Reverse (src)',
      'synchronizing with the new password',
    ]);
    // One call per task, each naming the end the setup's destination is on that task.
    const sent = await okCalls('ModifyDtsJobPassword', jobId);
    expect(sent.map((c) => [c.params.SynchronizationDirection, c.params.Endpoint, c.params.Password])).toEqual([
      ['Forward', 'dest', '***'],
      ['Reverse', 'src', '***'],
    ]);
    const changed = await job(jobId);
    expect(changed.directions.Forward?.destination?.passwordChangedAt).toBeDefined();
    expect(changed.directions.Reverse?.source?.passwordChangedAt).toBeDefined();
    expect(changed.directions.Forward?.source?.passwordChangedAt).toBeUndefined();
    expect(changed.directions.Forward?.status).toBe('Synchronizing');
    // Neither the old nor the new password is anywhere in the run's raw history, visibility or describe answer.
    const old = syncRequest().destination.password;
    const secrets = [
      { label: 'new-password', value: fresh },
      { label: 'old-password', value: old },
    ];
    const records = await rawExecutionRecords(stack.client.connection, stack.namespace, {
      workflowId: handle.workflowId,
    });
    expect(records.length).toBeGreaterThan(10);
    expect(records.flatMap((r) => describeHits(r.where, findSecrets(r.bytes, secrets)))).toEqual([]);
    expect(JSON.stringify(done)).not.toContain(fresh);
    await handle.cancel();
  });

  it.runIf(dtsApi === 'dtsjob')(
    'a new password refused by DTS midway: reported with what was applied, the sync untouched, asked again',
    async () => {
      const { handle, jobId } = await synchronizing({ topology: 'bidirectional' });
      await stack.admin('faults', {
        action: 'ModifyDtsJobPassword',
        jobId,
        direction: 'Reverse',
        kind: 'error',
        code: 'InvalidParameter',
        httpStatus: 400,
        count: 1,
      });
      const fresh = `rekey-src-${randomUUID().slice(0, 8)}-Pa55`;
      await change(handle, { kind: 'password', endpoint: 'source', password: fresh });
      const failed = await untilStatus(handle, (s) => lastChange(s)?.outcome === 'failed', 'the re-key failed');
      expect(lastChange(failed)).toMatchObject({
        applied: ['new source password on Forward (src)'],
        error: { code: 'InvalidParameter' },
      });
      const j = await job(jobId);
      expect([j.directions.Forward?.status, j.directions.Reverse?.status]).toEqual(['Synchronizing', 'Synchronizing']);
      await untilStatus(handle, (s) => s.phase === 'synchronizing', 'synchronizing again');
      // Asked again: DTS refuses the password the Forward task already has; that task counts as done.
      await change(handle, { kind: 'password', endpoint: 'source', password: fresh });
      const done = await ended(handle);
      expect(lastChange(done)).toMatchObject({ kind: 'password', outcome: 'applied' });
      expect((await okCalls('ModifyDtsJobPassword', jobId)).map((c) => c.params.SynchronizationDirection)).toEqual([
        'Forward',
        'Reverse',
      ]);
      await handle.cancel();
    },
  );

  it('the API: PATCH changes one field, names each fixed or bad field, and pause/resume answer with the status', async () => {
    const app = await buildTestApp(stack);
    try {
      const tag = randomUUID().slice(0, 8);
      const base = syncRequest({ topology: 'oneway' });
      const request: SetupRequest = {
        ...base,
        source: { ...base.source, instanceId: `r-d2-api-src-${tag}` },
        destination: { ...base.destination, instanceId: `r-d2-api-dst-${tag}` },
      };
      await registerPair(stack, request);
      const options = setupStartOptions(request, stack.taskQueue, FAST, ['team=payments'], dtsApi);
      const handle = await stack.client.workflow.start(redisSync, options);
      await untilStatus(handle, (s) => s.phase === 'synchronizing', 'synchronizing', 60_000);
      const url = `/v1/syncs/${handle.workflowId}`;
      const patch = (payload: Record<string, unknown>) => app.inject({ method: 'PATCH', url, headers: AUTH, payload });

      const fixed = await patch({ topology: 'bidirectional', payType: 'PrePaid' });
      expect(fixed.statusCode).toBe(409);
      expect(fixed.json().fields.map((f: { field: string }) => f.field)).toEqual(['/topology', '/payType']);
      const rekey = await patch({ destination: { password: 'a-new-Pa55' } });
      expect(rekey.body).not.toContain('a-new-Pa55');
      if (dtsApi === 'synchronizationjob') {
        expect(rekey.statusCode).toBe(409);
        expect(rekey.json().fields[0]).toMatchObject({
          field: '/destination/password',
          rule: 'no-operation-in-family',
        });
      } else {
        expect(rekey.statusCode).toBe(202);
        expect(rekey.json().changes.at(-1)).toMatchObject({ kind: 'password', what: { endpoint: 'destination' } });
        expect(lastChange(await ended(handle))).toMatchObject({ kind: 'password', outcome: 'applied' });
      }
      const bad = await patch({ jobClass: 'huge' });
      expect(bad.statusCode).toBe(400);
      expect(bad.json().fields[0].field).toBe('/jobClass');
      const two = await patch({ jobClass: 'medium', tags: ['team=orders'] });
      expect(two.statusCode).toBe(409);

      const tags = await patch({ tags: ['team=payments', 'tier=gold'] });
      expect(tags.statusCode).toBe(202);
      expect(tags.json().changes.at(-1)).toMatchObject({ kind: 'tags', outcome: 'applying' });
      const tagged = await ended(handle);
      expect(tagged.tags).toEqual(['team=payments', 'tier=gold']);

      const dbs = await patch({
        databases: [
          { from: 0, to: 0 },
          { from: 3, to: 3 },
        ],
      });
      expect(dbs.statusCode).toBe(202);
      await ended(handle);
      const shown = (await app.inject({ method: 'GET', url, headers: AUTH })).json();
      expect(shown.databases).toEqual([
        { from: 0, to: 0 },
        { from: 3, to: 3 },
      ]);
      expect(shown.changes.map((c: { kind: string; outcome: string }) => `${c.kind}:${c.outcome}`)).toEqual([
        ...(dtsApi === 'dtsjob' ? ['password:applied'] : []),
        'tags:applied',
        'databases:applied',
      ]);
      expect(JSON.stringify(shown)).not.toContain('a-new-Pa55');
      // The same databases again: nothing to change.
      expect(
        (
          await patch({
            databases: [
              { from: 3, to: 3 },
              { from: 0, to: 0 },
            ],
          })
        ).statusCode,
      ).toBe(409);

      const tooLong = await app.inject({ method: 'POST', url: `${url}/pause`, headers: AUTH, payload: { for: '7h' } });
      expect(tooLong.statusCode).toBe(409);
      expect(tooLong.json().message).toMatch(/6 hours/);
      const paused = await app.inject({ method: 'POST', url: `${url}/pause`, headers: AUTH, payload: { for: '10m' } });
      expect(paused.statusCode).toBe(202);
      await untilPhase(handle, 'paused');
      const resumed = await app.inject({ method: 'POST', url: `${url}/resume`, headers: AUTH });
      expect(resumed.statusCode).toBe(202);
      await ended(handle);
      await handle.cancel();
    } finally {
      await app.close();
    }
  });
});
