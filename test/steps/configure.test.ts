import { beforeEach, describe, expect, it, vi } from 'vitest';
import { configure, rerunPrecheck, resetAndConfigure, restartDirection, start } from '../../workflows/setup/configure';
import { waitForWindow } from '../../workflows/setup/window';
import { actions, conflict, credentials, fakeDts, newSetup, refused } from './helpers';

vi.mock('@temporalio/workflow', async () => (await import('../support/fake-workflow')).fakeWorkflowModule());

const HOUR = 3_600_000;
const WINDOW = { start: '01:00', end: '05:00', timeZone: 'UTC' };

// The DTS actions of one direction (workflows/setup/configure.ts, window.ts): what each sends, what it leaves
// in the status, and how a refusal for the job's status is told from one that ends the step.
describe('configure, start, reset', () => {
  let t: ReturnType<typeof newSetup>;
  let dts: ReturnType<typeof fakeDts>;
  const phases = () => t.rt.searchAttributes.map((a) => (a as { value: string }[])[0]!.value);
  const inputOf = (name: string, i = 0) => t.rt.callsOf(name)[i]!.input as Record<string, unknown>;
  beforeEach(() => {
    t = newSetup({ topology: 'bidirectional', databases: [{ from: 0, to: 1 }], waitDeadline: '1h' });
    t.setup.updateStatus({ dtsJobId: 'dtsjob1' });
    dts = fakeDts(t.rt);
  });

  it('configures Reverse from the destination with the mapping swapped, records it, and starts its wait', async () => {
    t.rt.at(1, () => undefined);
    await configure(t.setup, 'Reverse');
    expect(inputOf('configureDirection')).toEqual({
      api: 'dtsjob',
      dtsJobId: 'dtsjob1',
      regionId: 'cn-hangzhou',
      direction: 'Reverse',
      jobName: 'test-sync',
      source: t.setup.request.destination,
      destination: t.setup.request.source,
      databases: [{ from: 1, to: 0 }],
    });
    expect(phases()).toEqual(['purchasing', 'configuring-reverse', 'waiting-reverse']);
    expect(t.setup.direction('Reverse')).toMatchObject({
      configured: true,
      configuredAt: new Date(t.rt.nowMs).toISOString(),
    });
    expect(t.setup.waitDeadline('Reverse')).toBe(t.rt.nowMs + HOUR);
    expect(t.setup.waitDeadline('Forward')).toBeUndefined();
  });

  it('a configure that fails otherwise than for the job status is thrown, nothing recorded', async () => {
    dts.configureError = () => refused('InvalidParameter.DbList');
    await expect(configure(t.setup, 'Forward')).rejects.toMatchObject({ cause: { type: 'DtsInvalidParameter' } });
    expect(t.setup.status.forward.configured).toBe(false);
    expect(t.setup.waitDeadline('Forward')).toBeUndefined();
    expect(t.setup.status.phase).toBe('configuring-forward');
  });

  it('with an initialization window ahead, Forward is configured not to start by itself; Reverse never is', async () => {
    t = newSetup({ topology: 'bidirectional', initializationWindow: WINDOW });
    t.setup.updateStatus({ dtsJobId: 'dtsjob1' });
    dts = fakeDts(t.rt);
    await configure(t.setup, 'Forward');
    await configure(t.setup, 'Reverse');
    expect(inputOf('configureDirection', 0)).toMatchObject({ direction: 'Forward', startAutomatically: false });
    expect(inputOf('configureDirection', 1)).not.toHaveProperty('startAutomatically');

    // Once the window opened (or the sync ever ran) DTS starts it by itself again.
    t.setup.state.window = { opened: true };
    await configure(t.setup, 'Forward');
    expect(inputOf('configureDirection', 2)).not.toHaveProperty('startAutomatically');
    t.setup.state.window = {};
    t.setup.updateStatus({ everSynchronizing: true });
    await configure(t.setup, 'Forward');
    expect(inputOf('configureDirection', 3)).not.toHaveProperty('startAutomatically');
    // Without a window, never.
    const plain = newSetup();
    plain.setup.updateStatus({ dtsJobId: 'dtsjob2' });
    fakeDts(plain.rt);
    await configure(plain.setup, 'Forward');
    expect(plain.rt.callsOf('configureDirection')[0]!.input).not.toHaveProperty('startAutomatically');
  });

  it('the window: Forward waits, unstarted and with no wait deadline, until the opening, then is started', async () => {
    t = newSetup({ initializationWindow: WINDOW });
    t.setup.updateStatus({ dtsJobId: 'dtsjob1' });
    dts = fakeDts(t.rt);
    await configure(t.setup, 'Forward');
    const seen: unknown[] = [];
    t.rt.at(30 * 60_000, () => seen.push({ phase: t.setup.status.phase, deadline: t.setup.waitDeadline('Forward') }));
    await waitForWindow(t.setup);
    // 00:00 UTC now: the window opens at 01:00.
    const opensAt = Date.parse('2026-01-01T01:00:00Z');
    expect(seen).toEqual([{ phase: 'waiting-for-window', deadline: undefined }]);
    expect(t.rt.callsOf('startDirection').map((c) => c.atMs)).toEqual([opensAt]);
    expect(t.setup.status.window?.opensAt).toBe('2026-01-01T01:00:00.000Z');
    expect(t.setup.state.window).toEqual({ opensAtMs: opensAt, opened: true });
    expect(t.setup.waitDeadline('Forward')).toBe(opensAt + t.setup.tuningMs.waitDeadline);
    // Opened once: never waits again.
    await waitForWindow(t.setup);
    expect(t.rt.callsOf('startDirection')).toHaveLength(1);
  });

  it('start sends the job, region and direction; true when DTS accepts, false when it refuses for the status', async () => {
    expect(await start(t.setup, 'Reverse', 'test')).toBe(true);
    expect(inputOf('startDirection')).toEqual({
      api: 'dtsjob',
      dtsJobId: 'dtsjob1',
      regionId: 'cn-hangzhou',
      direction: 'Reverse',
    });
    dts.startError = () => conflict();
    expect(await start(t.setup, 'Reverse', 'test')).toBe(false);
    dts.startError = () => refused('InvalidParameter');
    await expect(start(t.setup, 'Reverse', 'test')).rejects.toMatchObject({ cause: { type: 'DtsInvalidParameter' } });
  });

  it('a Start refused for credentials is retried (never permanent), the error shown meanwhile', async () => {
    let refusals = 2;
    dts.startError = () => (refusals-- > 0 ? credentials() : undefined);
    const shown: unknown[] = [];
    t.rt.at(1, () => shown.push(t.setup.status.error?.type));
    expect(await start(t.setup, 'Forward', 'test')).toBe(true);
    expect(t.rt.callsOf('startDirection')).toHaveLength(3);
    expect(shown).toEqual(['DtsCredentialsRejected']);
    expect(t.setup.status.error).toBeUndefined();
  });

  it('reset then configure: Reset sent for the direction, the configuration redone', async () => {
    t.setup.direction('Forward').configured = true;
    dts.status.Forward = 'initializefailed';
    await resetAndConfigure(t.setup, 'Forward', 'test');
    expect(actions(t.rt)).toEqual(['Reset Forward', 'Configure Forward']);
    expect(inputOf('resetDirection')).toEqual({
      api: 'dtsjob',
      dtsJobId: 'dtsjob1',
      regionId: 'cn-hangzhou',
      direction: 'Forward',
    });
    expect(t.setup.status.forward.configured).toBe(true);
  });

  it('a reset that fails leaves the direction marked not configured only after DTS took it', async () => {
    t.setup.direction('Forward').configured = true;
    t.rt.activities.resetDirection = async () => {
      throw refused('Forbidden');
    };
    await expect(resetAndConfigure(t.setup, 'Forward', 'test')).rejects.toBeDefined();
    expect(t.setup.status.forward.configured).toBe(true);
    expect(actions(t.rt)).toEqual(['Reset Forward']);
  });

  it('a precheck re-run: Start accepted is remembered (the wait checks it ran); refused, Reset + Configure', async () => {
    await rerunPrecheck(t.setup, 'Forward');
    expect(actions(t.rt)).toEqual(['Start Forward']);
    expect(t.setup.state.precheckRerun).toEqual({ Forward: true });

    t.setup.state.precheckRerun = { Reverse: true };
    dts.startError = () => conflict();
    await rerunPrecheck(t.setup, 'Forward');
    expect(actions(t.rt)).toEqual(['Start Forward', 'Start Forward', 'Reset Forward', 'Configure Forward']);
    expect(t.setup.state.precheckRerun).toEqual({ Reverse: true });
    expect(t.rt.calls.map((c) => c.summary)).toEqual([
      'Start Forward on dtsjob1 (operator retry of the precheck)',
      'Start Forward on dtsjob1 (operator retry of the precheck)',
      'Reset Forward on dtsjob1 (DTS refused Start after a failed precheck)',
      'Configure Forward on dtsjob1',
    ]);
  });

  it('a reset whose configure then fails leaves the direction not configured (the wait configures it)', async () => {
    t.setup.direction('Forward').configured = true;
    dts.configureError = () => refused('InvalidParameter.DbList');
    await expect(resetAndConfigure(t.setup, 'Forward', 'test')).rejects.toBeDefined();
    expect(t.setup.status.forward.configured).toBe(false);
  });

  it('a precheck re-run keeps the other direction’s flag', async () => {
    t.setup.state.precheckRerun = { Reverse: true };
    await rerunPrecheck(t.setup, 'Forward');
    expect(t.setup.state.precheckRerun).toEqual({ Reverse: true, Forward: true });
  });

  it('each DTS call names its action, direction, job and reason in the Temporal UI', async () => {
    await configure(t.setup, 'Forward');
    await start(t.setup, 'Forward', 'because');
    await resetAndConfigure(t.setup, 'Reverse', 'again');
    expect(t.rt.calls.map((c) => c.summary)).toEqual([
      'Configure Forward on dtsjob1',
      'Start Forward on dtsjob1 (because)',
      'Reset Reverse on dtsjob1 (again)',
      'Configure Reverse on dtsjob1',
    ]);
  });

  it('restarting: Failed is started (never reset) and waited for anew; InitializeFailed is reset and configured', async () => {
    t.setup.direction('Reverse').status = 'failed';
    t.setup.direction('Reverse').configured = true;
    t.setup.updateStatus({ phase: 'synchronizing' });
    await restartDirection(t.setup, 'Reverse', 'test');
    expect(actions(t.rt)).toEqual(['Start Reverse']);
    expect(t.setup.waitDeadline('Reverse')).toBe(t.rt.nowMs + HOUR);
    expect(t.setup.status.phase).toBe('waiting-reverse');

    // A Start refused for the status: still no Reset (the direction may be syncing), the wait reads it.
    dts.startError = () => conflict();
    await restartDirection(t.setup, 'Reverse', 'test');
    expect(actions(t.rt)).toEqual(['Start Reverse', 'Start Reverse']);

    t.setup.direction('Forward').status = 'initializefailed';
    await restartDirection(t.setup, 'Forward', 'test');
    expect(actions(t.rt)).toEqual(['Start Reverse', 'Start Reverse', 'Reset Forward', 'Configure Forward']);
    expect(t.setup.status.phase).toBe('waiting-forward');
  });
});
