import { beforeEach, describe, expect, it, vi } from 'vitest';
import { teardown } from '../../workflows/setup/teardown';
import { answers, conflict, newSetup, notFound, refused, unavailable } from './helpers';

vi.mock('@temporalio/workflow', async () => (await import('../support/fake-workflow')).fakeWorkflowModule());

// The teardown step on its own (workflows/setup/teardown.ts): what it releases, keeps, suspends, and how it never gives up.
describe('teardown', () => {
  let t: ReturnType<typeof newSetup>;
  beforeEach(() => {
    t = newSetup();
    t.setup.updateStatus({ dtsJobId: 'dtsjob1', phase: 'synchronizing' });
    t.setup.direction('Forward').configured = true;
  });

  it('releases the instance once and reports it released', async () => {
    const during: string[] = [];
    t.rt.activities.releaseInstance = async () => {
      during.push(t.setup.status.phase);
      return { outcome: 'released' };
    };
    await teardown(t.setup, 'release');
    expect(during).toEqual(['releasing']);
    expect(t.rt.callsOf('releaseInstance').map((c) => c.input)).toEqual([
      { api: 'dtsjob', dtsJobId: 'dtsjob1', regionId: 'cn-hangzhou' },
    ]);
    expect(t.setup.status.released?.outcome).toBe('released');
    expect(t.setup.status.phase).toBe('releasing');
    expect(t.setup.status.releaseError).toBeUndefined();
  });

  it('does nothing without an instance, or once released', async () => {
    const bare = newSetup();
    await teardown(bare.setup, 'release');
    expect(bare.rt.calls).toEqual([]);
    expect(bare.setup.status.phase).toBe('purchasing');
    t.setup.updateStatus({ released: { at: 'then', outcome: 'released' } });
    await teardown(t.setup, 'release');
    expect(t.rt.calls).toEqual([]);
    expect(t.setup.status.phase).toBe('synchronizing');
  });

  it('ends any needs-attention: the status shows releasing', async () => {
    t.setup.state.attention = { kind: 'failed', direction: 'Forward', resumePhase: 'synchronizing' } as never;
    t.setup.updateStatus({ phase: 'needs-attention', attention: { kind: 'failed' } as never });
    t.rt.activities.releaseInstance = answers({ outcome: 'released' });
    await teardown(t.setup, 'release');
    expect(t.setup.state.attention).toBeUndefined();
    expect(t.setup.status.attention).toBeUndefined();
  });

  it('leaves an adopted job in place and lets go of its claim, unless the release asks for the instance', async () => {
    t.setup.updateStatus({ adopted: { dtsJobId: 'dtsjob1' } as never });
    t.rt.activities.releaseJobClaim = answers(undefined);
    t.rt.activities.releaseInstance = answers({ outcome: 'released' });
    await teardown(t.setup, 'release');
    expect(t.rt.callsOf('releaseInstance')).toEqual([]);
    expect(t.rt.callsOf('releaseJobClaim').map((c) => c.input)).toEqual([{ dtsJobId: 'dtsjob1' }]);
    expect(t.setup.status.released?.outcome).toBe('left-in-place');

    const asked = newSetup();
    asked.setup.updateStatus({ dtsJobId: 'dtsjob2', adopted: { dtsJobId: 'dtsjob2' } as never });
    asked.setup.state.releaseInstance = true;
    asked.rt.activities.releaseInstance = answers({ outcome: 'released' });
    await teardown(asked.setup, 'release');
    expect(asked.rt.callsOf('releaseInstance')).toHaveLength(1);
    expect(asked.setup.status.released?.outcome).toBe('released');
  });

  it('a claim that cannot be let go still leaves the job in place', async () => {
    t.setup.updateStatus({ adopted: { dtsJobId: 'dtsjob1' } as never });
    t.rt.activities.releaseJobClaim = answers(refused());
    await teardown(t.setup, 'cleanup');
    expect(t.setup.status.released?.outcome).toBe('left-in-place');
  });

  it('keeps (suspends, does not release) an instance on cleanup when keepInstanceOnFailure holds', async () => {
    const kept = newSetup({ keepInstanceOnFailure: true, topology: 'bidirectional' });
    kept.setup.updateStatus({ dtsJobId: 'dtsjob1' });
    kept.setup.direction('Forward').configured = true;
    kept.setup.direction('Reverse').configured = false;
    kept.rt.activities.suspendDirection = answers(undefined);
    await teardown(kept.setup, 'cleanup');
    expect(kept.rt.callsOf('suspendDirection').map((c) => c.input)).toEqual([
      { api: 'dtsjob', dtsJobId: 'dtsjob1', regionId: 'cn-hangzhou', direction: 'Forward' },
    ]);
    expect(kept.rt.callsOf('releaseInstance')).toEqual([]);
    expect(kept.setup.status.released).toMatchObject({ outcome: 'kept', suspended: true });
  });

  it('releases on an explicit release even with keepInstanceOnFailure', async () => {
    const kept = newSetup({ keepInstanceOnFailure: true });
    kept.setup.updateStatus({ dtsJobId: 'dtsjob1' });
    kept.rt.activities.releaseInstance = answers({ outcome: 'released' });
    await teardown(kept.setup, 'release');
    expect(kept.setup.status.released?.outcome).toBe('released');
  });

  it('suspends both directions of a PrePaid instance and reports it not released', async () => {
    const prepaid = newSetup({ payType: 'PrePaid', topology: 'bidirectional' });
    prepaid.setup.updateStatus({ dtsJobId: 'dtsjob1' });
    prepaid.setup.direction('Forward').configured = true;
    prepaid.setup.direction('Reverse').configured = true;
    // Forward is not running (nothing to suspend), Reverse is gone: neither is an error.
    prepaid.rt.activities.suspendDirection = answers(conflict(), notFound());
    await teardown(prepaid.setup, 'release');
    expect(prepaid.rt.callsOf('suspendDirection').map((c) => (c.input as { direction: string }).direction)).toEqual([
      'Forward',
      'Reverse',
    ]);
    expect(prepaid.rt.callsOf('releaseInstance')).toEqual([]);
    expect(prepaid.setup.status.released).toMatchObject({ outcome: 'prepaid-not-released', suspended: true });
  });

  it('a suspend that fails otherwise is a failed round: release-failed, then suspended on the next', async () => {
    const prepaid = newSetup({ payType: 'PrePaid' });
    prepaid.setup.updateStatus({ dtsJobId: 'dtsjob1' });
    prepaid.setup.direction('Forward').configured = true;
    prepaid.rt.activities.suspendDirection = answers(unavailable(), undefined);
    const phases: string[] = [];
    prepaid.rt.at(1, () => phases.push(prepaid.setup.status.phase));
    await teardown(prepaid.setup, 'release');
    expect(phases).toEqual(['release-failed']);
    expect(prepaid.rt.callsOf('suspendDirection')).toHaveLength(2);
    expect(prepaid.setup.status.released?.outcome).toBe('prepaid-not-released');
  });

  it('never gives up on transient failures: slower rounds in release-failed, the error shown, the original kept', async () => {
    t.setup.updateStatus({ error: { type: 'DtsInvalidParameter', message: 'why the setup ended' } });
    t.rt.activities.releaseInstance = answers(unavailable(), unavailable(), unavailable(), unavailable(), {
      outcome: 'released',
    });
    const seen: { phase: string; releaseError?: string }[] = [];
    for (const at of [1, 20_000, 60_000, 120_000, 300_000])
      t.rt.at(at, () => seen.push({ phase: t.setup.status.phase, releaseError: t.setup.status.releaseError?.type }));
    await teardown(t.setup, 'release');
    const times = t.rt.callsOf('releaseInstance').map((c) => c.atMs - t.rt.callsOf('releaseInstance')[0]!.atMs);
    // Backoff from round 3 on (8 s, 16 s, 32 s, 64 s), capped at 5 min.
    expect(times).toEqual([0, 8_000, 24_000, 56_000, 120_000]);
    expect(seen[0]).toEqual({ phase: 'release-failed', releaseError: 'DtsUnreachable' });
    expect(t.setup.status.released?.outcome).toBe('released');
    expect(t.setup.status.releaseError).toBeUndefined();
    expect(t.setup.status.error?.message).toBe('why the setup ended');
  });

  it('an operator retry during the backoff of a failed round tries again at once', async () => {
    t.rt.activities.releaseInstance = answers(unavailable(), { outcome: 'released' });
    t.rt.at(1_000, () => t.rt.handlers.get('retry')!());
    await teardown(t.setup, 'release');
    const calls = t.rt.callsOf('releaseInstance');
    expect(calls[1]!.atMs - calls[0]!.atMs).toBe(1_000);
  });

  it('a permanent refusal waits for the operator, however long, then releases on retry', async () => {
    t.rt.activities.releaseInstance = answers(refused('OperationDenied'), { outcome: 'released' });
    // A retry sent before the failure is not taken as the answer to it.
    t.setup.state.retryRequested = true;
    const day = 24 * 3_600_000;
    t.rt.at(3 * day, () => t.rt.handlers.get('retry')!());
    await teardown(t.setup, 'release');
    const calls = t.rt.callsOf('releaseInstance');
    expect(calls).toHaveLength(2);
    expect(calls[1]!.atMs - calls[0]!.atMs).toBe(3 * day);
    expect(t.setup.status.released?.outcome).toBe('released');
  });

  it('a teardown that keeps failing continues as new when the history is long, its state whole', async () => {
    t.rt.activities.releaseInstance = answers(unavailable());
    t.rt.info.historyLength = 1e9;
    t.setup.state.teardown = { why: 'release', endPhase: 'released' };
    const err = await teardown(t.setup, 'release').catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'ContinueAsNew' });
    const [{ state }] = (err as { args: [{ state: { teardown: unknown; status: { phase: string } } }] }).args;
    expect(state.teardown).toEqual({ why: 'release', endPhase: 'released' });
    expect(state.status.phase).toBe('releasing');
  });
});
