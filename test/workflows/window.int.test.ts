import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { releaseSignal, setupStatusQuery } from '../../core/messages';
import { redisSync } from '../../workflows/redis-sync';
import type { InitializationWindow, SetupRequest, SetupStatus } from '../../core/types';
import { AUTH, startStackAndApp, stopStackAndApp } from '../support/api';
import { FAST, syncRequest, type EmulatorCall, type EmulatorJob } from '../support/requests';
import { eventually, type Stack } from '../support/stack';
import { untilPhase } from '../support/setup-status';
import { registerPair } from '../support/instances';
import type { App } from '../../api/app';

// The initialization window against the real Temporal server and the emulator. The window's
// timer is real time: the future window opens at the next minute boundary at least 8 s away.
// Kathmandu (UTC+5:45) makes the test's own zone differ from UTC by a non-whole hour.
const ZONE = 'Asia/Kathmandu';

let stack: Stack;
let app: App;
beforeAll(async () => ({ stack, app } = await startStackAndApp()));
afterAll(() => stopStackAndApp(stack, app));

/** "HH:MM" on a clock in ZONE at `ms`. */
function hhmm(ms: number): string {
  return new Intl.DateTimeFormat('en-GB', { timeZone: ZONE, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
    .format(new Date(ms))
    .slice(0, 5);
}

function freshRequest(window?: InitializationWindow): SetupRequest {
  const id = randomUUID().slice(0, 8);
  const base = syncRequest({ topology: 'oneway', name: `window-${id}` });
  return {
    ...base,
    source: { ...base.source, instanceId: `r-win-src-${id}` },
    destination: { ...base.destination, instanceId: `r-win-dst-${id}` },
    ...(window ? { initializationWindow: window } : {}),
  };
}

async function start(request: SetupRequest) {
  return stack.client.workflow.start(redisSync, {
    workflowId: `wf-window-${randomUUID()}`,
    taskQueue: stack.taskQueue,
    args: [{ request, tuning: FAST }],
  });
}

type Handle = Awaited<ReturnType<typeof start>>;

async function jobOf(id: string): Promise<EmulatorJob> {
  const { jobs } = await stack.admin<{ jobs: EmulatorJob[] }>('jobs');
  return jobs.find((j) => j.jobId === id)!;
}

async function callsOf(jobId: string): Promise<EmulatorCall[]> {
  return (await stack.admin<{ calls: EmulatorCall[] }>('calls')).calls.filter((c) => c.jobId === jobId);
}

async function release(handle: Handle) {
  await handle.signal(releaseSignal);
  expect((await handle.result()).phase).toBe('released');
}

describe('initialization window', () => {
  it('a setup inside an open window starts at once', async () => {
    const now = Date.now();
    const request = freshRequest({ start: hhmm(now - 3600_000), end: hhmm(now + 3600_000), timeZone: ZONE });
    await registerPair(stack, request);
    const handle = await start(request);
    const status = await untilPhase(handle, 'synchronizing');
    expect(Date.parse(status.window!.opensAt)).toBeLessThan(Date.now());
    expect(Date.parse(status.window!.opensAt)).toBeGreaterThanOrEqual(now - 1_000);
    // Configured without DTS's automatic start, then started by the workflow at once.
    expect((await jobOf(status.dtsJobId!)).directions.Forward?.startCount).toBe(1);
    await release(handle);
  });

  it('a setup whose window opens later waits in waiting-for-window, starts at the opening, synchronizes', async () => {
    const opensAt = Math.ceil((Date.now() + 8_000) / 60_000) * 60_000;
    const window = { start: hhmm(opensAt), end: hhmm(opensAt + 2 * 3600_000), timeZone: ZONE };
    const request = freshRequest(window);
    await registerPair(stack, request);
    const handle = await start(request);

    const waiting = await untilPhase(handle, 'waiting-for-window');
    expect(waiting.window).toEqual({ ...window, opensAt: new Date(opensAt).toISOString() });
    // Configured, not started: DTS holds the direction NotStarted (no precheck, no load).
    const held = await jobOf(waiting.dtsJobId!);
    expect(held.directions.Forward?.configureCount).toBe(1);
    expect(held.directions.Forward?.startCount).toBe(0);
    expect(held.directions.Forward?.status).toBe('NotStarted');
    await new Promise((r) => setTimeout(r, 1_000));
    expect((await handle.query(setupStatusQuery)).phase).toBe('waiting-for-window');

    const synchronizing = await untilPhase(handle, 'synchronizing', opensAt - Date.now() + 30_000);
    const job = await jobOf(synchronizing.dtsJobId!);
    const prechecking = job.directions.Forward!.history.find((h) => h.status === 'Prechecking');
    expect(Date.parse(prechecking!.at)).toBeGreaterThanOrEqual(opensAt);
    const starts = (await callsOf(job.jobId)).filter((c) => c.action === 'StartSynchronizationJob');
    expect(starts.map((c) => c.outcome)).toEqual(['OK']);
    await release(handle);
  }, 120_000);

  it('the API carries the window into the setup and shows the opening', async () => {
    const opensAt = Date.now() + 6 * 3600_000;
    const request = freshRequest();
    await registerPair(stack, request);
    const window = { start: hhmm(opensAt), end: hhmm(opensAt + 3600_000), timeZone: ZONE };
    const payload = {
      name: request.name,
      topology: 'oneway',
      region: request.region,
      source: { instanceId: request.source.instanceId, region: 'cn-hangzhou', password: request.source.password },
      destination: {
        instanceId: request.destination.instanceId,
        region: 'cn-hangzhou',
        password: request.destination.password,
      },
      initializationWindow: window,
    };
    const res = await app.inject({ method: 'POST', url: '/v1/syncs', headers: AUTH, payload });
    expect(res.statusCode, res.body).toBe(202);
    const { id } = res.json<{ id: string }>();
    const status = await eventually(
      async () => {
        const body = (await app.inject({ method: 'GET', url: `/v1/syncs/${id}`, headers: AUTH })).json();
        return body.phase === 'waiting-for-window' ? (body as SetupStatus) : undefined;
      },
      { what: 'waiting-for-window through the API' },
    );
    expect(status.window).toMatchObject(window);
    expect(Math.abs(Date.parse(status.window!.opensAt) - opensAt)).toBeLessThan(60_000);
    // A release during the wait ends the timer at once and releases the instance.
    expect((await app.inject({ method: 'DELETE', url: `/v1/syncs/${id}`, headers: AUTH })).statusCode).toBe(200);
    const final = (await stack.client.workflow.getHandle(id).result()) as SetupStatus;
    expect(final.phase).toBe('released');
    expect((await jobOf(final.dtsJobId!)).released).toBe(true);
  });

  it('the API refuses a bad window with 400 naming the field, and buys nothing', async () => {
    const request = freshRequest();
    const base = {
      name: request.name,
      topology: 'oneway',
      region: 'cn-hangzhou',
      source: { instanceId: request.source.instanceId, region: 'cn-hangzhou', password: 'x-Pa55' },
      destination: { instanceId: request.destination.instanceId, region: 'cn-hangzhou', password: 'y-Pa55' },
    };
    const cases: [Record<string, unknown>, string][] = [
      [{ start: '25:00', end: '05:00', timeZone: 'Asia/Shanghai' }, '/initializationWindow/start'],
      [{ start: '01:00', end: '5:00', timeZone: 'Asia/Shanghai' }, '/initializationWindow/end'],
      [{ start: '01:00', end: '05:00', timeZone: 'Mars/Olympus_Mons' }, '/initializationWindow/timeZone'],
      [{ start: '01:00', end: '01:00', timeZone: 'Asia/Shanghai' }, '/initializationWindow/end'],
      [{ start: '01:00', end: '05:00' }, '/initializationWindow/timeZone'],
      [{ start: '01:00', end: '05:00', timeZone: 'UTC', extra: 1 }, '/initializationWindow/extra'],
    ];
    for (const [initializationWindow, field] of cases) {
      const payload = { ...base, initializationWindow };
      const res = await app.inject({ method: 'POST', url: '/v1/syncs', headers: AUTH, payload });
      expect(res.statusCode, JSON.stringify(initializationWindow)).toBe(400);
      const fields = (res.json().fields as { field: string }[]).map((f) => f.field);
      expect(fields, res.body).toContain(field);
    }
    const calls = (await stack.admin<{ calls: EmulatorCall[] }>('calls')).calls;
    const mine = calls.filter((c) => c.action === 'CreateSynchronizationJob' && c.clientToken?.includes(request.name));
    expect(mine).toHaveLength(0);
  });
});
