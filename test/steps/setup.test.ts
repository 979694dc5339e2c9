import { beforeEach, describe, expect, it, vi } from 'vitest';
import { STATUS_MEMO } from '../../core/search-attributes';
import { STATUS_MEMO_PATCH, WATCHER_NEWS_PATCH } from '../../workflows/setup/patches';
import { initialState } from '../../workflows/setup/state';
import { syncRequest } from '../support/requests';
import { credentials, fakeDts, newSetup, refused, unavailable } from './helpers';

vi.mock('@temporalio/workflow', async () => (await import('../support/fake-workflow')).fakeWorkflowModule());

// What every step leans on (workflows/setup/setup.ts, state.ts): the operators' messages and when each is
// refused, the watcher's news, one read of DTS, the retried call, and what the status shows outside.
describe('the setup’s own helpers', () => {
  let t: ReturnType<typeof newSetup>;
  const send = (name: string, ...args: unknown[]) => t.rt.handlers.get(name)!(...args);
  const refusal = (name: string, ...args: unknown[]) => {
    try {
      t.rt.validators.get(name)!(...args);
      return undefined;
    } catch (err) {
      return (err as Error).message;
    }
  };
  beforeEach(() => {
    t = newSetup({ topology: 'bidirectional' });
    t.setup.updateStatus({ dtsJobId: 'dtsjob1', phase: 'synchronizing' });
  });

  describe('operators’ messages', () => {
    it('retry is accepted only while parked or after a failed release, and who sent it is shown', () => {
      expect(refusal('retry')).toBe(
        'retry is only accepted in needs-attention or release-failed, not in synchronizing',
      );
      t.setup.updateStatus({ phase: 'needs-attention' });
      expect(refusal('retry')).toBeUndefined();
      t.setup.updateStatus({ phase: 'release-failed' });
      expect(refusal('retry')).toBeUndefined();
      send('retry', { by: 'dave' });
      expect(t.setup.state.retryRequested).toBe(true);
      expect(t.setup.state.lastAction).toEqual({ action: 'retry', by: 'dave', at: new Date(t.rt.nowMs).toISOString() });
      expect(t.rt.details).toContain('**Last operator action:** `retry` by dave at');
      expect(t.setup.takeRetry()).toBe(true);
      expect(t.setup.takeRetry()).toBe(false);
    });

    it('abort is refused once the setup is ending or ended, and while a release is under way', () => {
      for (const phase of ['releasing', 'release-failed', 'released', 'cancelled', 'failed'] as const) {
        t.setup.updateStatus({ phase });
        expect(refusal('abort')).toBe(`abort is not accepted in ${phase}`);
      }
      t.setup.updateStatus({ phase: 'synchronizing' });
      expect(refusal('abort')).toBeUndefined();
      send('release');
      expect(refusal('abort')).toBe('a release is already under way');
    });

    it('abort asks the setup to stop at its next safe point; a later release outranks it, never the other way', () => {
      expect(t.setup.stopRequested()).toBe(false);
      expect(() => t.setup.checkStop()).not.toThrow();
      send('abort');
      expect(t.setup.state.stop).toBe('abort');
      expect(() => t.setup.checkStop()).toThrow('stop requested: abort');
      send('release');
      expect(t.setup.state.stop).toBe('release');
      send('abort');
      expect(t.setup.state.stop).toBe('release');
      expect(t.setup.state.lastAction?.action).toBe('abort');
    });

    it('release with releaseInstance marks an adopted instance for deletion; not once the teardown runs', () => {
      t.setup.updateStatus({ adopted: { dtsJobId: 'dtsjob1', releaseInstance: false } as never });
      send('release', { releaseInstance: true, by: 'erin' });
      expect(t.setup.state.releaseInstance).toBe(true);
      expect(t.setup.status.adopted).toMatchObject({ releaseInstance: true });
      expect(t.setup.state.lastAction).toMatchObject({ action: 'release', by: 'erin' });
      t = newSetup();
      t.setup.state.teardown = { why: 'release', endPhase: 'released' };
      send('release', { releaseInstance: true });
      expect(t.setup.state.releaseInstance).toBeUndefined();
      expect(t.setup.state.stop).toBe('release');
    });

    it('a release is refused once released; in release-failed a release or an abort asks for another round', () => {
      t.setup.updateStatus({ phase: 'released' });
      expect(refusal('release', undefined)).toBe('the instance is already released');
      t.setup.updateStatus({ phase: 'release-failed' });
      expect(refusal('release', undefined)).toBeUndefined();
      send('release');
      expect(t.setup.state.retryRequested).toBe(true);
      t.setup.state.retryRequested = false;
      t.setup.state.stop = undefined;
      send('abort');
      expect(t.setup.state.retryRequested).toBe(true);
    });

    it('a stop asked outside release-failed asks for no retry', () => {
      send('abort');
      send('release');
      expect(t.setup.takeRetry()).toBe(false);
    });

    it('the status query answers the live status', () => {
      expect(send('status')).toBe(t.setup.status);
    });
  });

  describe('the watcher’s news', () => {
    const news = (payload: unknown) => send('dtsStatusChanged', payload);
    const wakes = async () => {
      const from = t.rt.nowMs;
      await t.setup.pause(60_000);
      return t.rt.nowMs - from < 60_000;
    };

    it('a new status is kept per direction and wakes the setup’s sleep', async () => {
      t.rt.at(1_000, () => news({ direction: 'forward', status: 'failed' }));
      expect(await wakes()).toBe(true);
      expect(t.setup.newsFor('Forward')).toBe('failed');
      expect(t.setup.newsFor('Reverse')).toBeUndefined();
    });

    it('the status already known is no news; a payload without a direction or status is ignored', async () => {
      t.setup.record('Forward', { status: 'synchronizing', rawStatus: 'Synchronizing' } as never);
      news({ direction: 'Forward', status: 'synchronizing' });
      news(undefined);
      news({ direction: 'Sideways', status: 'failed' });
      news({ direction: 'Reverse' });
      expect(await wakes()).toBe(false);
      expect(t.setup.state.news).toEqual({ Forward: 'synchronizing' });
    });

    it('a delay crossing maxDelay either way is news; one staying on its side is not', async () => {
      t.setup.record('Forward', { status: 'synchronizing', rawStatus: 'Synchronizing', delaySeconds: 5 } as never);
      news({ direction: 'Forward', status: 'synchronizing', delaySeconds: 10 });
      expect(await wakes()).toBe(false);
      news({ direction: 'Forward', status: 'synchronizing', delaySeconds: 3_600 });
      expect(await wakes()).toBe(true);
      t.setup.record('Forward', { status: 'synchronizing', rawStatus: 'Synchronizing', delaySeconds: 3_600 } as never);
      news({ direction: 'Forward', status: 'synchronizing', delaySeconds: 0 });
      expect(await wakes()).toBe(true);
    });

    it('a sleep told not to wake for news sleeps on; a stop wakes every sleep and is thrown', async () => {
      t.rt.at(1_000, () => news({ direction: 'Forward', status: 'failed' }));
      const from = t.rt.nowMs;
      await t.setup.pause(60_000, { wakeOnDtsChange: false });
      expect(t.rt.nowMs - from).toBe(60_000);
      t.rt.at(1_000, () => send('abort'));
      await expect(t.setup.pause(60_000)).rejects.toThrow('stop requested: abort');
      await t.setup.pause(60_000, { stoppable: false });
    });

    it('a parked sleep wakes for news, a retry or a stop, or not at all without a timeout', async () => {
      t.rt.at(1_000, () => send('retry'));
      await t.setup.pauseInAttention(undefined);
      expect(t.rt.nowMs).toBe(Date.parse('2026-01-01T00:00:01Z'));
      const from = t.rt.nowMs;
      t.setup.takeRetry();
      await t.setup.pauseInAttention(5_000);
      expect(t.rt.nowMs - from).toBe(5_000);
    });
  });

  describe('one read of DTS', () => {
    let dts: ReturnType<typeof fakeDts>;
    beforeEach(() => {
      dts = fakeDts(t.rt, { Forward: 'synchronizing', Reverse: 'initializing' });
    });

    it('records what DTS says, marks the first Synchronizing, and answers the news it had', async () => {
      send('dtsStatusChanged', { direction: 'Forward', status: 'failed' });
      const { snapshot, failure } = await t.setup.read('Forward');
      expect(snapshot).toMatchObject({ status: 'synchronizing' });
      expect(failure).toBeUndefined();
      expect(t.setup.status.forward).toMatchObject({ status: 'synchronizing', rawStatus: 'Synchronizing' });
      expect(t.setup.status.everSynchronizing).toBe(true);
      expect(t.setup.newsFor('Forward')).toBeUndefined();
      expect(t.rt.callsOf('describeDirection')[0]).toMatchObject({
        input: { api: 'dtsjob', dtsJobId: 'dtsjob1', regionId: 'cn-hangzhou', direction: 'Forward' },
        summary: 'Read Forward status of dtsjob1',
      });
    });

    it('news that came while the read was in flight is kept for the next one', async () => {
      t.rt.activities.describeDirection = async () => {
        send('dtsStatusChanged', { direction: 'Reverse', status: 'failed' });
        return { status: 'initializing', rawStatus: 'Initializing', progress: 0, precheckFailures: [] };
      };
      await t.setup.read('Reverse');
      expect(t.setup.newsFor('Reverse')).toBe('failed');
      expect(t.setup.status.everSynchronizing).toBeUndefined();
    });

    it('a refused read shows the error and returns the failure, the status as last read', async () => {
      await t.setup.read('Forward');
      dts.readError = () => credentials();
      const { snapshot, failure } = await t.setup.read('Forward');
      expect(snapshot).toBeUndefined();
      expect(failure).toBeDefined();
      expect(t.setup.status.error).toMatchObject({ type: 'DtsCredentialsRejected', code: 'Forbidden.RAM' });
      expect(t.setup.status.forward.status).toBe('synchronizing');
    });

    it('a refused read with the watcher’s news returns and shows the news (the error stays shown)', async () => {
      await t.setup.read('Forward');
      t.setup.direction('Forward').errorMessage = 'old';
      dts.readError = () => credentials();
      send('dtsStatusChanged', { direction: 'Forward', status: 'failed' });
      const { snapshot, failure } = await t.setup.read('Forward');
      expect(failure).toBeDefined();
      expect(snapshot).toMatchObject({ status: 'failed', rawStatus: 'Failed', progress: 100, precheckFailures: [] });
      expect(t.setup.status.forward).toMatchObject({ status: 'failed', rawStatus: 'Failed', errorMessage: 'old' });
      expect(t.setup.status.error?.type).toBe('DtsCredentialsRejected');
      expect(t.setup.newsFor('Forward')).toBeUndefined();
      send('dtsStatusChanged', { direction: 'Forward', status: 'synchronizing' });
      await t.setup.read('Forward');
      expect(t.setup.status.forward).not.toHaveProperty('errorMessage');
    });

    it('news of a first Synchronizing counts as ever synchronizing', async () => {
      dts.readError = () => unavailable();
      send('dtsStatusChanged', { direction: 'Reverse', status: 'synchronizing' });
      await t.setup.read('Reverse');
      expect(t.setup.status.everSynchronizing).toBe(true);
      expect(t.setup.status.reverse).toMatchObject({ status: 'synchronizing', rawStatus: 'Synchronizing' });
    });

    it('news shown while reads fail is spelled as DTS spells it, per direction', async () => {
      dts.readError = () => credentials();
      const spelled: Record<string, string> = {
        notconfigured: 'NotConfigured',
        notstarted: 'NotStarted',
        prechecking: 'Prechecking',
        precheckfailed: 'PrecheckFailed',
        initializing: 'Initializing',
        initializefailed: 'InitializeFailed',
        suspending: 'Suspending',
        modifying: 'Modifying',
        finished: 'Finished',
      };
      for (const [status, raw] of Object.entries(spelled)) {
        send('dtsStatusChanged', { direction: 'Reverse', status });
        expect((await t.setup.read('Reverse')).snapshot?.rawStatus).toBe(raw);
        expect(t.setup.status.reverse?.rawStatus).toBe(raw);
        expect(t.setup.status.forward.rawStatus).toBeUndefined();
      }
    });

    it('an older run ignores the news when its read fails', async () => {
      t.rt.unpatched.add(WATCHER_NEWS_PATCH);
      dts.readError = () => credentials();
      send('dtsStatusChanged', { direction: 'Forward', status: 'failed' });
      expect((await t.setup.read('Forward')).snapshot).toBeUndefined();
      expect(t.setup.newsFor('Forward')).toBe('failed');
    });
  });

  describe('a call that must succeed', () => {
    it('retries an outage with the error shown, clears it once answered, and a refusal is thrown', async () => {
      let n = 0;
      const shown: (string | undefined)[] = [];
      t.rt.at(1, () => shown.push(t.setup.status.error?.type));
      const result = await t.setup.callWithRetries(async () => {
        n += 1;
        if (n < 3) throw unavailable();
        return 'ok';
      });
      expect(result).toBe('ok');
      expect(shown).toEqual(['DtsUnreachable']);
      expect(t.setup.status.error).toBeUndefined();
      await expect(t.setup.callWithRetries(() => Promise.reject(refused()))).rejects.toMatchObject({
        type: 'DtsInvalidParameter',
      });
    });

    it('a stop ends the retrying unless told otherwise', async () => {
      t.rt.at(10, () => send('abort'));
      await expect(t.setup.callWithRetries(() => Promise.reject(unavailable()))).rejects.toThrow('stop requested');
      let n = 0;
      const done = await t.setup.callWithRetries(
        async () => {
          n += 1;
          if (n < 3) throw unavailable();
          return n;
        },
        { stoppable: false },
      );
      expect(done).toBe(3);
    });
  });

  describe('what is shown outside', () => {
    it('search attributes are written only when the phase or the DTS id change', () => {
      const before = t.rt.searchAttributes.length;
      t.setup.updateStatus({ error: { type: 'X', message: 'y' } });
      expect(t.rt.searchAttributes).toHaveLength(before);
      t.setup.updateStatus({ phase: 'needs-attention' });
      expect(t.rt.searchAttributes.at(-1)).toEqual([
        { key: expect.objectContaining({ name: 'SyncPhase' }), value: 'needs-attention' },
        { key: expect.objectContaining({ name: 'DtsJobId' }), value: 'dtsjob1' },
      ]);
    });

    it('the status memo follows the status, not the clock, and a status too large is left out', () => {
      const memos = () => t.rt.memos.filter((m) => STATUS_MEMO in m);
      const before = memos().length;
      t.rt.nowMs += 1000;
      vi.setSystemTime(t.rt.nowMs);
      t.setup.updateStatus({});
      expect(memos()).toHaveLength(before);
      t.setup.updateStatus({ error: { type: 'X', message: 'y' } });
      expect(memos().at(-1)![STATUS_MEMO]).toMatchObject({ error: { type: 'X' } });
      t.setup.updateStatus({ error: { type: 'X', message: 'y'.repeat(20_000) } });
      expect(memos().at(-1)![STATUS_MEMO]).toBeNull();
    });

    it('an older run keeps no status memo', () => {
      t = newSetup();
      t.rt.unpatched.add(STATUS_MEMO_PATCH);
      t.setup.updateStatus({ phase: 'synchronizing' });
      expect(t.rt.memos.filter((m) => STATUS_MEMO in m)).toEqual([]);
    });

    it('a field set to undefined is removed from the status', () => {
      t.setup.updateStatus({ error: { type: 'X', message: 'y' } });
      t.setup.updateStatus({ error: undefined });
      expect(t.setup.status).not.toHaveProperty('error');
    });

    it('the Temporal UI details name the phase, the job, both directions, the parking and the error', () => {
      t.setup.updateStatus({
        phase: 'needs-attention',
        attention: {
          kind: 'dts-unreadable',
          direction: 'Forward',
          reason: 'DTS refuses reads',
          deadline: 'D',
        } as never,
        error: { type: 'CredentialsRejected', message: 'Forbidden.RAM' },
      });
      expect(t.rt.details).toContain('**needs-attention** · DTS `dtsjob1`');
      expect(t.rt.details).toContain('| Forward | not configured | 0% |  |');
      expect(t.rt.details).toContain('| Reverse | not configured | 0% |  |');
      expect(t.rt.details).toContain('**Needs attention:** DTS refuses reads. Send `retry` or `abort` before D.');
      expect(t.rt.details).toContain('**Error:** CredentialsRejected: Forbidden.RAM');
    });

    it('the details also name the window, a verification, a failed release, an adoption and a job not bought', () => {
      t = newSetup();
      t.setup.updateStatus({ phase: 'purchasing' });
      expect(t.rt.details).toContain('**purchasing** · DTS `not bought yet`');
      t.setup.updateStatus({
        phase: 'waiting-for-window',
        window: { start: '01:00', end: '05:00', timeZone: 'UTC', opensAt: 'T1' },
      });
      expect(t.rt.details).toContain(
        '**Waiting for the initialization window** 01:00-05:00 UTC: Forward starts at T1.',
      );
      t.setup.direction('Forward').rawStatus = 'Failed';
      t.setup.direction('Forward').progress = 40;
      t.setup.direction('Forward').errorMessage = 'boom';
      t.setup.updateStatus({
        phase: 'release-failed',
        dtsJobId: 'j1',
        adopted: { dtsJobId: 'j1' } as never,
        verification: { state: 'running', startedAt: 'S', depth: 'type' } as never,
        releaseError: { type: 'DtsUnreachable', message: 'down' },
      });
      expect(t.rt.details).toContain('**release-failed** · DTS `j1` (adopted) · ');
      expect(t.rt.details).toContain('| Forward | Failed | 40% | boom |');
      expect(t.rt.details).not.toContain('| Reverse');
      expect(t.rt.details).not.toContain('Waiting for the initialization window');
      expect(t.rt.details).toContain('**Verification:** running since S (type)');
      expect(t.rt.details).toContain('**Release failed:** DtsUnreachable: down. Send `retry`.');
      expect(t.rt.details).not.toContain('Last operator action');
      t.setup.updateStatus({
        verification: { state: 'done', outcome: 'consistent', finishedAt: 'F', depth: 'value', reason: 'r' } as never,
      });
      expect(t.rt.details).toContain('**Verification:** consistent at F (value, 0 keys compared, 0 differing): r');
    });

    it('the first time all directions synchronize is measured once', () => {
      t.setup.direction('Forward').synchronizingAt = 'x';
      t.setup.updateStatus({ phase: 'needs-attention' });
      t.setup.updateStatus({ phase: 'synchronizing' });
      expect(t.setup.state.measuredTimeToSynchronizing).toBeUndefined();
      t.setup.direction('Reverse').synchronizingAt = 'x';
      t.setup.updateStatus({ phase: 'needs-attention' });
      t.setup.updateStatus({ phase: 'synchronizing' });
      expect(t.setup.state.measuredTimeToSynchronizing).toBe(true);
    });
  });

  describe('continue-as-new', () => {
    const cont = () =>
      t.setup.maybeContinueAsNew().then(
        () => undefined,
        (e: { args: unknown[] }) => e.args,
      );

    it('hands the whole request and state over once the history is long', async () => {
      expect(await cont()).toBeUndefined();
      t.rt.info.historyLength = t.setup.state.tuning.maxHistoryEvents + 1;
      expect(await cont()).toEqual([{ request: t.setup.request, state: t.setup.state }]);
      t.rt.info.historyLength = 10;
      t.rt.info.continueAsNewSuggested = true;
      expect(await cont()).toBeDefined();
    });

    it('never with a stop pending (unless its teardown is under way), nor during a verification', async () => {
      t.rt.info.continueAsNewSuggested = true;
      send('abort');
      expect(await cont()).toBeUndefined();
      t.setup.state.teardown = { why: 'cleanup', endPhase: 'cancelled' };
      expect(await cont()).toBeDefined();
      t = newSetup();
      t.rt.info.continueAsNewSuggested = true;
      t.setup.updateStatus({ verification: { state: 'running' } as never });
      expect(await cont()).toBeUndefined();
    });
  });

  describe('the initial state', () => {
    it('a one-way setup has Forward only, purchasing; an adoption starts adopting; tuning overrides the defaults', () => {
      const oneway = initialState('id1', syncRequest({ topology: 'oneway' }), { firstPoll: '3s' }, 0);
      expect(oneway.status).toMatchObject({
        id: 'id1',
        phase: 'purchasing',
        forward: { configured: false, restarts: 0 },
      });
      expect(oneway.status).not.toHaveProperty('reverse');
      expect(oneway.tuning.firstPoll).toBe('3s');
      expect(oneway.status.createdAt).toBe('1970-01-01T00:00:00.000Z');
      expect(oneway.status.source).not.toHaveProperty('password');
      const adopt = initialState(
        'id2',
        syncRequest({ topology: 'bidirectional', adopt: { dtsJobId: 'j' } } as never),
        undefined,
        0,
      );
      expect(adopt.status.phase).toBe('adopting');
      expect(adopt.status.reverse).toEqual({ configured: false, restarts: 0 });
      expect(adopt.waitUntilMs).toEqual({});
    });
  });
});
