import { beforeEach, describe, expect, it, vi } from 'vitest';
import { announce, noticesStarted } from '../../workflows/setup/notify';
import { NOTIFY_PATCH } from '../../workflows/setup/patches';
import { newSetup } from './helpers';

vi.mock('@temporalio/workflow', async () => (await import('../support/fake-workflow')).fakeWorkflowModule());

// Operators' notices (workflows/setup/notify.ts): which phase changes are announced, once each, under an id
// Temporal keeps unique, and that the run never ends before its notifiers have started.
describe('notices', () => {
  let t: ReturnType<typeof newSetup>;
  const events = () => t.rt.children.map((c) => (c.options.args as [{ event: string }])[0].event);
  const ids = () => t.rt.children.map((c) => c.options.workflowId);
  beforeEach(() => {
    t = newSetup();
    t.setup.updateStatus({ dtsJobId: 'dtsjob1' });
  });

  it('the first Synchronizing is announced once, with the setup’s facts, by a notifier that outlives the run', () => {
    t.setup.updateStatus({ phase: 'synchronizing' });
    t.setup.updateStatus({ phase: 'synchronizing', error: undefined });
    expect(t.rt.children).toEqual([
      {
        workflow: 'setupNotice',
        options: {
          workflowId: 'redis-sync.test.notice-0-synchronizing',
          args: [expect.objectContaining({ event: 'synchronizing', phase: 'synchronizing', dtsJobId: 'dtsjob1' })],
          parentClosePolicy: 'ABANDON',
          workflowIdReusePolicy: 'REJECT_DUPLICATE',
          staticSummary: 'synchronizing: test-sync',
        },
      },
    ]);
    expect(t.setup.state.notices).toEqual({ count: 1, last: 'synchronizing', synchronized: true });
  });

  it('trouble then Synchronizing again is `recovered`; each notice has its own sequence number', () => {
    t.setup.updateStatus({ phase: 'synchronizing' });
    t.setup.updateStatus({ phase: 'needs-attention' });
    t.setup.updateStatus({ phase: 'synchronizing' });
    t.setup.updateStatus({ phase: 'changing' });
    t.setup.updateStatus({ phase: 'synchronizing' });
    expect(events()).toEqual(['synchronizing', 'needs-attention', 'recovered']);
    expect(ids()).toEqual([
      'redis-sync.test.notice-0-synchronizing',
      'redis-sync.test.notice-1-needs-attention',
      'redis-sync.test.notice-2-recovered',
    ]);
    expect(t.setup.state.notices).toMatchObject({ count: 3, last: 'recovered', synchronized: true });
  });

  it('trouble before the first Synchronizing: that one is still `synchronizing`, not `recovered`', () => {
    t.setup.updateStatus({ phase: 'needs-attention' });
    expect(t.setup.state.notices).toMatchObject({ synchronized: false });
    t.setup.updateStatus({ phase: 'synchronizing' });
    expect(events()).toEqual(['needs-attention', 'synchronizing']);
  });

  it('a status update without a phase change announces nothing', () => {
    t.setup.updateStatus({ phase: 'needs-attention' });
    t.setup.updateStatus({ error: { type: 'DtsUnreachable', message: 'x' } });
    expect(events()).toEqual(['needs-attention']);
  });

  it('an inconsistent verification is announced once (beside the phase story: recovered still follows trouble)', () => {
    t.setup.updateStatus({ phase: 'synchronizing' });
    t.setup.updateStatus({ phase: 'needs-attention' });
    const verification = {
      id: 'v1',
      state: 'done',
      outcome: 'inconsistent',
      depth: 'value',
      directions: 'forward',
      trigger: 'request',
      startedAt: '',
    } as const;
    t.setup.updateStatus({ verification });
    t.setup.updateStatus({ verification: { ...verification } });
    expect(events()).toEqual(['synchronizing', 'needs-attention', 'verification-differs']);
    expect(t.setup.state.notices).toMatchObject({ count: 3, last: 'needs-attention', verification: 'v1' });
    t.setup.updateStatus({ phase: 'synchronizing' });
    expect(events().at(-1)).toBe('recovered');
  });

  it('an expiry warning does not count as the last event either', () => {
    t.setup.updateStatus({ phase: 'synchronizing' });
    announce(t.setup, 'expiring');
    expect(t.setup.state.notices).toMatchObject({ count: 2, last: 'synchronizing' });
  });

  it('an older run (without the patch) announces nothing and keeps no log', () => {
    t.rt.unpatched.add(NOTIFY_PATCH);
    t.setup.updateStatus({ phase: 'synchronizing' });
    expect(t.rt.children).toEqual([]);
    expect(t.setup.state.notices).toBeUndefined();
  });

  it('a notifier already started (the same id after a replay) is no failure, and the run waits for every start', async () => {
    t.rt.childError = new Error('already started');
    t.setup.updateStatus({ phase: 'failed' });
    expect(t.setup.noticeStarts).toHaveLength(1);
    await noticesStarted(t.setup);
    expect(t.setup.noticeStarts).toHaveLength(0);
    expect(events()).toEqual(['failed']);
  });
});
