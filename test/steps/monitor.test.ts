import { beforeEach, describe, expect, it, vi } from 'vitest';
import { monitorUntilStopped } from '../../workflows/setup/monitor';
import { StopRequested } from '../../workflows/setup/setup';
import { actions, credentials, fakeDts, newSetup, refused, unavailable } from './helpers';

vi.mock('@temporalio/workflow', async () => (await import('../support/fake-workflow')).fakeWorkflowModule());

const HOUR = 3_600_000;

// The keeper of a running sync on its own (workflows/setup/monitor.ts, with attention.ts and wait.ts under it):
// it never releases, heals within a budget, parks what needs a human, and acts on the watcher's news.
describe('monitorUntilStopped', () => {
  let t: ReturnType<typeof newSetup>;
  let dts: ReturnType<typeof fakeDts>;
  beforeEach(() => {
    t = newSetup({ topology: 'bidirectional', attentionDeadline: '2h' });
    t.setup.updateStatus({ dtsJobId: 'dtsjob1', phase: 'synchronizing', everSynchronizing: true });
    for (const dir of ['Forward', 'Reverse'] as const) {
      Object.assign(t.setup.direction(dir), { configured: true, status: 'synchronizing', rawStatus: 'Synchronizing' });
    }
    t.setup.state.verifiedOnce = true; // the verification has tests of its own
    dts = fakeDts(t.rt, { Forward: 'synchronizing', Reverse: 'synchronizing' });
  });
  /** Runs the keeper until `ms` of virtual time have passed, then stops it as a release would. */
  async function runFor(ms: number): Promise<void> {
    t.rt.at(ms, () => t.rt.handlers.get('release')!());
    await expect(monitorUntilStopped(t.setup)).rejects.toBeInstanceOf(StopRequested);
  }
  const sample = (everyMs: number, untilMs: number) => {
    const seen: { phase: string; forward?: string; restarts: number }[] = [];
    for (let at = everyMs; at < untilMs; at += everyMs)
      t.rt.at(at, () =>
        seen.push({
          phase: t.setup.status.phase,
          forward: t.setup.status.forward.status,
          restarts: t.setup.status.forward.restarts,
        }),
      );
    return seen;
  };

  it('reads both directions every monitor interval and changes nothing while they run', async () => {
    await runFor(2 * HOUR);
    const reads = t.rt.callsOf('describeDirection');
    // Rounds at 30, 60 and 90 minutes; the release at 120 wakes the keeper before its fourth.
    expect(reads.length).toBe(2 * 3);
    expect(reads[2]!.atMs - reads[0]!.atMs).toBe(30 * 60_000);
    expect(actions(t.rt)).toEqual([]);
    expect(t.setup.status.phase).toBe('synchronizing');
  });

  it('restarts a direction that failed, then has a fresh budget once it runs again', async () => {
    t.rt.at(HOUR, () => {
      dts.status.Forward = 'failed';
    });
    t.rt.at(4 * HOUR, () => {
      dts.status.Forward = 'failed';
    });
    await runFor(6 * HOUR);
    expect(actions(t.rt)).toEqual(['Start Forward', 'Start Forward']);
    // From the restart's backoff on, the phase says the direction is waiting, never synchronizing.
    const phases = t.rt.searchAttributes.map((a) => (a as { value: string }[])[0]!.value);
    expect(phases).toEqual(['synchronizing', 'waiting-forward', 'synchronizing', 'waiting-forward', 'synchronizing']);
    expect(t.setup.status.forward.restarts).toBe(2);
    expect(t.setup.state.restartStreak?.Forward).toBe(0);
    expect(t.setup.status.phase).toBe('synchronizing');
  });

  it('a refused read parks the sync (dts-unreadable) without deadline, releases nothing, and returns when reads work', async () => {
    t.rt.at(HOUR, () => {
      dts.readError = () => credentials();
    });
    const seen = sample(HOUR, 12 * HOUR);
    t.rt.at(8 * HOUR, () => {
      dts.readError = undefined;
    });
    await runFor(12 * HOUR);
    expect(seen.slice(1, 6).map((s) => s.phase)).toEqual(Array(5).fill('needs-attention'));
    expect(seen.at(-1)!.phase).toBe('synchronizing');
    expect(actions(t.rt)).toEqual([]);
    expect(t.setup.status.error).toBeUndefined();
    expect(t.setup.status.attention).toBeUndefined();
  });

  it('a permanent refusal of a read parks it too; a transient one is only retried sooner', async () => {
    t.rt.at(HOUR, () => {
      dts.readError = () => refused('Forbidden.Unknown');
    });
    const parked: unknown[] = [];
    t.rt.at(2 * HOUR, () => parked.push(t.setup.status.attention));
    await runFor(3 * HOUR);
    expect(parked[0]).toMatchObject({ kind: 'dts-unreadable', direction: 'Forward' });
    expect((parked[0] as { deadline?: string }).deadline).toBeUndefined();

    t = newSetup({ topology: 'oneway' });
    t.setup.updateStatus({ dtsJobId: 'dtsjob1', phase: 'synchronizing', everSynchronizing: true });
    Object.assign(t.setup.direction('Forward'), { configured: true, status: 'synchronizing' });
    t.setup.state.verifiedOnce = true;
    dts = fakeDts(t.rt, { Forward: 'synchronizing' });
    let outage = 3;
    t.rt.at(HOUR, () => {
      dts.readError = () => (outage-- > 0 ? unavailable() : undefined);
    });
    await runFor(3 * HOUR);
    const reads = t.rt.callsOf('describeDirection').map((c) => c.atMs);
    const gaps = reads.slice(1).map((ms, i) => ms - reads[i]!);
    expect(gaps).toContain(2_000);
    expect(gaps).toContain(4_000);
    expect(t.setup.status.phase).toBe('synchronizing');
    expect(t.setup.status.attention).toBeUndefined();
  });

  it('does not undo a suspension from outside: parks, and returns when resumed outside', async () => {
    t.rt.at(HOUR, () => {
      dts.status.Reverse = 'suspending';
    });
    const parked: unknown[] = [];
    t.rt.at(2 * HOUR, () => parked.push(t.setup.status.attention?.kind));
    t.rt.at(3 * HOUR, () => {
      dts.status.Reverse = 'synchronizing';
    });
    await runFor(5 * HOUR);
    expect(parked).toEqual(['suspended-outside']);
    expect(actions(t.rt)).toEqual([]);
    expect(t.setup.status.phase).toBe('synchronizing');
  });

  it('acts at once on the watcher news while its own reads are refused, shows what DTS said, counts the restart', async () => {
    // Parked on refused reads first, then DTS fails Forward: only the watcher's batched list can tell.
    t.rt.at(HOUR, () => {
      dts.readError = () => credentials();
    });
    let failedAt = 0;
    t.rt.at(2 * HOUR, () => {
      dts.status.Forward = 'failed';
      failedAt = t.rt.nowMs;
      t.rt.handlers.get('dtsStatusChanged')!({ direction: 'Forward', status: 'failed' });
    });
    const seen = sample(5_000, 3 * HOUR);
    await runFor(3 * HOUR);
    const start = t.rt.callsOf('startDirection')[0];
    expect(start).toBeDefined();
    expect(start!.atMs - failedAt).toBeLessThanOrEqual(60_000);
    // Never a healthy phase while DTS reports Forward failed.
    expect(seen.filter((s) => s.forward === 'failed' && s.phase === 'synchronizing')).toEqual([]);
    expect(t.setup.status.forward.restarts).toBe(1);
  });

  it('news of a suspension while reads are refused parks as suspended-outside', async () => {
    t.rt.at(HOUR, () => {
      dts.readError = () => credentials();
    });
    t.rt.at(2 * HOUR, () => t.rt.handlers.get('dtsStatusChanged')!({ direction: 'Reverse', status: 'suspending' }));
    const parked: unknown[] = [];
    t.rt.at(2 * HOUR + 60_000, () => parked.push(t.setup.status.attention?.kind));
    await runFor(3 * HOUR);
    expect(parked).toEqual(['suspended-outside']);
    expect(actions(t.rt)).toEqual([]);
  });

  it('a signal without payload is ignored', async () => {
    t.rt.at(HOUR, () => t.rt.handlers.get('dtsStatusChanged')!(undefined));
    await runFor(2 * HOUR);
    expect(t.setup.status.phase).toBe('synchronizing');
  });

  it('past the restart budget it asks a human; a retry gives a fresh budget', async () => {
    dts.next.start = 'failed';
    t.rt.at(HOUR, () => {
      dts.status.Forward = 'failed';
    });
    const parked: unknown[] = [];
    t.rt.at(5 * HOUR, () => {
      parked.push(t.setup.status.attention?.kind);
      dts.next.start = 'synchronizing';
      t.rt.handlers.get('retry')!();
    });
    await runFor(6 * HOUR);
    expect(parked).toEqual(['restarts-exhausted']);
    expect(actions(t.rt)).toEqual(['Start Forward', 'Start Forward', 'Start Forward', 'Start Forward']);
    // `restarts` counts the automatic ones; the operator's is not one.
    expect(t.setup.status.forward.restarts).toBe(3);
    expect(t.setup.state.restartStreak?.Forward).toBe(0);
    expect(t.setup.status.phase).toBe('synchronizing');
  });
});
