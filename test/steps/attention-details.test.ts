import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { DtsDirectionStatus } from '../../core/types';
import { enterAttention, waitInAttention } from '../../workflows/setup/attention';
import { StopRequested } from '../../workflows/setup/setup';
import { PURCHASE_OUTCOME_KEPT_PATCH } from '../../workflows/setup/patches';
import { actions, fakeDts, newSetup, snapshot, unavailable } from './helpers';

vi.mock('@temporalio/workflow', async () => (await import('../support/fake-workflow')).fakeWorkflowModule());

const HOUR = 3_600_000;

// needs-attention's finer decisions (workflows/setup/attention.ts): which DTS statuses are trouble a parked
// setup never returns to by itself, what the parking shows, and what an operator's retry does per kind.
describe('attention, details', () => {
  let t: ReturnType<typeof newSetup>;
  let dts: ReturnType<typeof fakeDts>;
  beforeEach(() => {
    t = newSetup({ attentionDeadline: '2h', waitDeadline: '1h' });
    t.setup.updateStatus({ dtsJobId: 'dtsjob1', phase: 'waiting-forward', everSynchronizing: true });
    t.setup.direction('Forward').configured = true;
    dts = fakeDts(t.rt, { Forward: 'suspending' });
  });
  /** Parked on an outside suspension; DTS then shows `status` for three hours; an abort ends the wait. */
  async function parkedWhileDts(status: DtsDirectionStatus): Promise<string> {
    enterAttention(t.setup, {
      kind: 'suspended-outside',
      direction: 'Forward',
      reason: 'r',
      snapshot: snapshot('suspending'),
    });
    t.rt.at(HOUR, () => {
      dts.status.Forward = status;
    });
    t.rt.at(4 * HOUR, () => t.rt.handlers.get('abort')!());
    return waitInAttention(t.setup).then(
      (outcome) => outcome,
      (err: unknown) => (err instanceof StopRequested ? 'still parked' : String(err)),
    );
  }

  it.each(['precheckfailed', 'failed', 'initializefailed', 'unknown'] as const)(
    'another trouble status (%s) keeps it parked',
    async (status) => {
      expect(await parkedWhileDts(status)).toBe('still parked');
      expect(actions(t.rt)).toEqual([]);
    },
  );

  it.each(['initializing', 'prechecking', 'notstarted'] as const)(
    'a status that is progress (%s) returns it to where it was',
    async (status) => {
      expect(await parkedWhileDts(status)).toBe('recovered');
      expect(t.setup.status.phase).toBe('waiting-forward');
    },
  );

  it('the parking shows the kind, direction, DTS words and since when; a parked setup entered again returns to waiting', () => {
    t.rt.at(1, () => undefined);
    enterAttention(t.setup, {
      kind: 'restarts-exhausted',
      direction: 'Forward',
      reason: 'too many',
      snapshot: snapshot('failed', { errorMessage: 'disk full' }),
    });
    expect(t.setup.status.attention).toEqual({
      kind: 'restarts-exhausted',
      direction: 'Forward',
      reason: 'too many',
      failures: [],
      since: new Date(t.rt.nowMs).toISOString(),
      dtsStatus: 'DTS reports Failed: disk full',
    });
    expect(t.setup.state.attention).toEqual({
      kind: 'restarts-exhausted',
      direction: 'Forward',
      resumePhase: 'waiting-forward',
      parkedStatus: 'failed',
    });
    t.setup.updateStatus({ phase: 'synchronizing' });
    enterAttention(t.setup, { kind: 'setup-error', direction: 'Reverse', reason: 'x' });
    expect(t.setup.state.attention?.resumePhase).toBe('synchronizing');
    expect(t.setup.status.attention).not.toHaveProperty('dtsStatus');
    enterAttention(t.setup, { kind: 'setup-error', direction: 'Reverse', reason: 'x' });
    expect(t.setup.state.attention?.resumePhase).toBe('waiting-reverse');
  });

  it('a retry after an outside suspension starts the direction, says so, and waits for it anew', async () => {
    enterAttention(t.setup, {
      kind: 'suspended-outside',
      direction: 'Forward',
      reason: 'r',
      snapshot: snapshot('suspending'),
    });
    t.rt.at(HOUR, () => t.rt.handlers.get('retry')!());
    expect(await waitInAttention(t.setup)).toBe('retried');
    expect(t.rt.callsOf('startDirection')[0]!.summary).toBe(
      'Start Forward on dtsjob1 (operator retry after an outside suspension)',
    );
    expect(t.setup.waitDeadline('Forward')).toBe(t.rt.nowMs + HOUR);
    expect(t.setup.status.phase).toBe('waiting-forward');
  });

  it('a retry of a setup-error clears the error and runs the step again; nothing sent to DTS', async () => {
    t.setup.updateStatus({ error: { type: 'DtsInvalidParameter', message: 'm' } });
    enterAttention(t.setup, { kind: 'setup-error', direction: 'Forward', reason: 'r' });
    t.rt.at(HOUR, () => t.rt.handlers.get('retry')!());
    expect(await waitInAttention(t.setup)).toBe('retried');
    expect(t.setup.status.error).toBeUndefined();
    expect(t.rt.calls).toEqual([]);
    expect(t.setup.status.phase).toBe('waiting-forward');
  });

  it('while parked, a read that fails shows its error; recovering in the keeper starts no wait deadline', async () => {
    enterAttention(t.setup, {
      kind: 'suspended-outside',
      direction: 'Forward',
      reason: 'r',
      snapshot: snapshot('suspending'),
    });
    dts.readError = () => unavailable();
    const shown: unknown[] = [];
    t.rt.at(HOUR, () => {
      shown.push(t.setup.status.error?.type);
      dts.readError = undefined;
      dts.status.Forward = 'synchronizing';
    });
    expect(await waitInAttention(t.setup)).toBe('recovered');
    expect(shown).toEqual(['DtsUnreachable']);
    expect(t.setup.waitDeadline('Forward')).toBeUndefined();
  });

  it('parked unreadable, DTS then reporting a suspension parks as suspended-outside; a failure restarts in the waiting phase', async () => {
    enterAttention(t.setup, { kind: 'dts-unreadable', direction: 'Forward', reason: 'r' });
    expect(await waitInAttention(t.setup)).toBe('recovered');
    expect(t.setup.status.attention).toMatchObject({
      kind: 'suspended-outside',
      reason: 'The DTS task was suspended outside this workflow',
    });

    t.setup.state.attention = undefined;
    t.setup.updateStatus({ phase: 'synchronizing', attention: undefined });
    enterAttention(t.setup, { kind: 'dts-unreadable', direction: 'Forward', reason: 'r' });
    dts.status.Forward = 'failed';
    const seen: string[] = [];
    t.rt.at(20_000, () => seen.push(t.setup.status.phase));
    expect(await waitInAttention(t.setup)).toBe('recovered');
    expect(seen).toEqual(['waiting-forward']);
    expect(actions(t.rt)).toEqual(['Start Forward']);
  });

  it('a retry past the restart budget says so in the UI; a retry of a wait deadline waits a full deadline again', async () => {
    enterAttention(t.setup, {
      kind: 'restarts-exhausted',
      direction: 'Forward',
      reason: 'r',
      snapshot: snapshot('failed'),
    });
    dts.status.Forward = 'failed';
    t.rt.at(HOUR, () => t.rt.handlers.get('retry')!());
    await waitInAttention(t.setup);
    expect(t.rt.callsOf('startDirection')[0]!.summary).toBe('Start Forward on dtsjob1 (operator retry)');

    dts.status.Forward = 'initializing';
    enterAttention(t.setup, { kind: 'wait-deadline', direction: 'Forward', reason: 'r' });
    t.setup.clearWaitDeadline('Forward');
    t.rt.at(HOUR, () => t.rt.handlers.get('retry')!());
    expect(await waitInAttention(t.setup)).toBe('retried');
    expect(t.setup.waitDeadline('Forward')).toBe(t.rt.nowMs + HOUR);
  });

  it('an unknown purchase outcome has no deadline even before the sync ran (older runs keep theirs)', () => {
    const fresh = newSetup({ attentionDeadline: '2h' });
    enterAttention(fresh.setup, { kind: 'purchase-outcome-unknown', direction: 'Forward', reason: 'r' });
    expect(fresh.setup.state.attention?.untilMs).toBeUndefined();
    const old = newSetup({ attentionDeadline: '2h' });
    old.rt.unpatched.add(PURCHASE_OUTCOME_KEPT_PATCH);
    enterAttention(old.setup, { kind: 'purchase-outcome-unknown', direction: 'Forward', reason: 'r' });
    expect(old.setup.state.attention?.untilMs).toBe(old.rt.nowMs + 2 * HOUR);
  });
});
