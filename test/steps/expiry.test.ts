import { describe, expect, it, vi } from 'vitest';
import type { SetupRequest } from '../../core/types';
import { forgetExpiry, noteExpiry } from '../../workflows/setup/expiry';
import { AUTO_RENEW_PATCH, RENEW_TAGS_PATCH } from '../../workflows/setup/patches';
import { newSetup } from './helpers';

vi.mock('@temporalio/workflow', async () => (await import('../support/fake-workflow')).fakeWorkflowModule());

const DAY = 86_400_000;

// A PrePaid instance's end (workflows/setup/expiry.ts): kept from the setup's own reads, announced once per
// ExpireTime when near, and renewed by itself once per ExpireTime when the request asked.
describe('noteExpiry', () => {
  const renew = { auto: true, period: 'Month', usedTime: 1, daysBefore: 3 } as const;
  function prepaid(more: Partial<SetupRequest> = {}) {
    const t = newSetup({ payType: 'PrePaid', period: 'Month', usedTime: 1, ...more });
    t.setup.updateStatus({ dtsJobId: 'dtsjob1' });
    return t;
  }
  const inDays = (t: ReturnType<typeof newSetup>, days: number) => new Date(t.rt.nowMs + days * DAY).toISOString();
  const announced = (t: ReturnType<typeof newSetup>) => t.setup.state.notices?.count ?? 0;

  it('keeps the ExpireTime; announces it once when fewer than 7 days are left, again for a new ExpireTime', () => {
    const t = prepaid();
    const far = inDays(t, 30);
    noteExpiry(t.setup, far);
    expect(t.setup.status.expiresAt).toBe(far);
    expect(announced(t)).toBe(0);
    const near = inDays(t, 6.5);
    noteExpiry(t.setup, near);
    noteExpiry(t.setup, near);
    expect(t.setup.status.expiresAt).toBe(near);
    expect(t.setup.state.expiryAnnounced).toBe(near);
    expect(announced(t)).toBe(1);
    expect(t.setup.state.notices?.count).toBe(1);
    expect(t.setup.state.notices).not.toHaveProperty('last');
    // Renewed, then near again: a new ExpireTime, announced again.
    const later = inDays(t, 5);
    noteExpiry(t.setup, later);
    expect(announced(t)).toBe(2);
    // Exactly 7 days left: not yet.
    const t2 = prepaid();
    noteExpiry(t2.setup, inDays(t2, 7));
    expect(announced(t2)).toBe(0);
  });

  it('shows the end as the gauge dts_sync_expire_time_seconds; 0 once the setup lets the instance go', () => {
    const t = prepaid();
    const end = inDays(t, 30);
    noteExpiry(t.setup, end);
    forgetExpiry(t.setup);
    expect(t.rt.gauges).toEqual([
      {
        name: 'dts_sync_expire_time_seconds',
        value: Date.parse(end) / 1000,
        attributes: { setup: 'redis-sync.test', dts_job_id: 'dtsjob1' },
      },
      {
        name: 'dts_sync_expire_time_seconds',
        value: 0,
        attributes: { setup: 'redis-sync.test', dts_job_id: 'dtsjob1' },
      },
    ]);
    // Never known: nothing to set back.
    const none = prepaid();
    forgetExpiry(none.setup);
    expect(none.rt.gauges).toEqual([]);
  });

  it('nothing for a PostPaid instance, without an ExpireTime, or in an older run', () => {
    const post = newSetup({ payType: 'PostPaid' });
    noteExpiry(post.setup, inDays(post, 1));
    expect(post.setup.status.expiresAt).toBeUndefined();
    const none = prepaid();
    noteExpiry(none.setup, undefined);
    expect(none.setup.status.expiresAt).toBeUndefined();
    const old = prepaid();
    old.rt.unpatched.add(RENEW_TAGS_PATCH);
    noteExpiry(old.setup, inDays(old, 1));
    expect(old.setup.status.expiresAt).toBeUndefined();
    expect(announced(old)).toBe(0);
  });

  it('renews by itself once per ExpireTime within daysBefore, recorded by auto-renew', () => {
    const t = prepaid({ renew });
    noteExpiry(t.setup, inDays(t, 3));
    expect(t.setup.state.change).toBeUndefined();
    const end = inDays(t, 2.9);
    noteExpiry(t.setup, end);
    expect(t.setup.state.change).toEqual({
      id: 1,
      request: { kind: 'renew', period: 'Month', usedTime: 1, by: 'auto-renew' },
    });
    expect(t.setup.state.autoRenewedFor).toBe(end);
    expect(t.setup.status.changes).toMatchObject([{ id: 1, kind: 'renew', by: 'auto-renew', outcome: 'applying' }]);
    // Applied (the change ended) but DTS still reports the same end: never asked twice.
    t.setup.state.change = undefined;
    noteExpiry(t.setup, end);
    expect(t.setup.state.change).toBeUndefined();
    // A new end, near again: asked again.
    noteExpiry(t.setup, inDays(t, 1));
    const asked = (): { id: number } | undefined => t.setup.state.change;
    expect(asked()?.id).toBe(2);
  });

  it('no renewal without renew.auto, during another change, during a teardown, or in an older run', () => {
    const plain = prepaid();
    noteExpiry(plain.setup, inDays(plain, 1));
    expect(plain.setup.state.change).toBeUndefined();

    const busy = prepaid({ renew });
    busy.setup.state.change = { id: 7, request: { kind: 'resume' } };
    noteExpiry(busy.setup, inDays(busy, 1));
    expect(busy.setup.state.change).toMatchObject({ id: 7 });
    expect(busy.setup.state.autoRenewedFor).toBeUndefined();

    const ending = prepaid({ renew });
    ending.setup.state.teardown = { why: 'release', endPhase: 'released' };
    noteExpiry(ending.setup, inDays(ending, 1));
    expect(ending.setup.state.change).toBeUndefined();

    const old = prepaid({ renew });
    old.rt.unpatched.add(AUTO_RENEW_PATCH);
    noteExpiry(old.setup, inDays(old, 1));
    expect(old.setup.state.change).toBeUndefined();
    expect(old.setup.state.autoRenewedFor).toBeUndefined();
  });
});
