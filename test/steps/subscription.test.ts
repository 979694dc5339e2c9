import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { ChangeRecord } from '../../core/changes';
import { RENEW_TAGS_PATCH } from '../../workflows/setup/patches';
import { renew, retag, tagAfterPurchase } from '../../workflows/setup/subscription';
import { answers, lost, newSetup, refused, snapshot, unavailable } from './helpers';

vi.mock('@temporalio/workflow', async () => (await import('../support/fake-workflow')).fakeWorkflowModule());

const OWNER = { key: 'redis-dts-sync:setup', value: 'redis-sync.test' };

// The instance's tags and renewal (workflows/setup/subscription.ts): the owner tag after the purchase, a tags
// change that never drops the owner's, and a renewal order never placed twice.
describe('subscription', () => {
  let t: ReturnType<typeof newSetup>;
  const record = (): ChangeRecord => ({
    id: 1,
    kind: 'tags',
    what: {},
    requestedAt: '',
    outcome: 'applying',
    applied: [],
  });
  beforeEach(() => {
    t = newSetup({ payType: 'PrePaid', period: 'Month', usedTime: 1 });
    t.setup.updateStatus({ dtsJobId: 'dtsjob1' });
    t.rt.tags = ['team:a', 'env=prod'];
    t.rt.activities.tagInstance = answers(undefined);
    t.rt.activities.untagInstance = answers(undefined);
  });

  it('after the purchase: the request tags and the owner tag on the instance, once', async () => {
    await tagAfterPurchase(t.setup);
    await tagAfterPurchase(t.setup);
    expect(t.rt.calls.map((c) => [c.name, c.input, c.summary])).toEqual([
      [
        'tagInstance',
        { dtsJobId: 'dtsjob1', regionId: 'cn-hangzhou', tags: ['team:a', 'env=prod'], owner: OWNER },
        'Tag the DTS instance',
      ],
    ]);
    expect(t.setup.state.tagged).toBe(true);
  });

  it('no tagging for an adopted job, before an instance, or in an older run; a tag DTS does not answer is retried', async () => {
    t.rt.activities.tagInstance = answers(unavailable(), undefined);
    await tagAfterPurchase(t.setup);
    expect(t.rt.callsOf('tagInstance')).toHaveLength(2);
    const adopted = newSetup({ adopt: { dtsJobId: 'x' } });
    adopted.setup.updateStatus({ dtsJobId: 'x' });
    await tagAfterPurchase(adopted.setup);
    const bare = newSetup();
    await tagAfterPurchase(bare.setup);
    const old = newSetup();
    old.setup.updateStatus({ dtsJobId: 'dtsjob1' });
    old.rt.unpatched.add(RENEW_TAGS_PATCH);
    await tagAfterPurchase(old.setup);
    expect([adopted, bare, old].flatMap((s) => s.rt.calls)).toEqual([]);
    expect(old.setup.state.tagged).toBeUndefined();
  });

  it('a tags change tags the wanted ones (the owner tag with them), untags the dropped keys, each step once', async () => {
    const r = record();
    await retag(t.setup, r, ['team:b']);
    expect(t.rt.calls.map((c) => [c.name, c.input, c.summary])).toEqual([
      [
        'tagInstance',
        { dtsJobId: 'dtsjob1', regionId: 'cn-hangzhou', tags: ['team:b'], owner: OWNER },
        'Tag the DTS instance',
      ],
      ['untagInstance', { dtsJobId: 'dtsjob1', regionId: 'cn-hangzhou', keys: ['env'] }, 'Untag the DTS instance'],
    ]);
    expect(r.applied).toEqual(['tag instance', 'untag instance']);
    // Run again (a new run after a crash): both steps are recorded, nothing is sent twice.
    await retag(t.setup, r, ['team:b']);
    expect(t.rt.calls).toHaveLength(2);
    // Nothing dropped: no untag.
    const only = record();
    await retag(t.setup, only, ['team:a', 'env=dev']);
    expect(t.rt.calls.map((c) => c.name)).toEqual(['tagInstance', 'untagInstance', 'tagInstance']);
    expect(only.applied).toEqual(['tag instance']);
  });

  describe('renew', () => {
    const term = { period: 'Month', usedTime: 1 } as const;
    const before = '2026-02-01T00:00:00Z';
    const after = '2026-03-01T00:00:00Z';
    let expireTime = before;
    beforeEach(() => {
      expireTime = before;
      t.setup.updateStatus({ expiresAt: before });
      t.rt.activities.describeDirection = async () => snapshot('synchronizing', { expireTime });
    });

    it('places one order and reads the new end back', async () => {
      t.rt.activities.renewInstance = async () => {
        expireTime = after;
      };
      const r = record();
      await renew(t.setup, r, term);
      expect(t.rt.callsOf('renewInstance').map((c) => [c.input, c.summary])).toEqual([
        [
          { api: 'dtsjob', dtsJobId: 'dtsjob1', regionId: 'cn-hangzhou', period: 'Month', usedTime: 1 },
          'Renew the DTS instance for 1 Month',
        ],
      ]);
      expect(r.applied).toEqual(['renew 1 Month']);
      expect(t.setup.status.expiresAt).toBe(after);
    });

    it('an order whose answer was lost but that shows is not placed again; one that does not show is', async () => {
      t.rt.activities.renewInstance = async () => {
        expireTime = after;
        throw lost();
      };
      await renew(t.setup, record(), term);
      expect(t.rt.callsOf('renewInstance')).toHaveLength(1);

      expireTime = before;
      t.setup.updateStatus({ expiresAt: before, error: undefined });
      let orders = 0;
      t.rt.activities.renewInstance = async () => {
        orders += 1;
        if (orders === 1) throw lost();
        expireTime = after;
      };
      await renew(t.setup, record(), term);
      expect(orders).toBe(2);
      expect(t.setup.status.error).toBeUndefined();
    });

    it('a refusal is the change’s failure; an order accepted whose end does not move fails loudly', async () => {
      t.rt.activities.renewInstance = answers(refused('InvalidParameter.Period'));
      await expect(renew(t.setup, record(), term)).rejects.toMatchObject({ cause: { type: 'DtsInvalidParameter' } });

      t.rt.activities.renewInstance = answers(undefined);
      await expect(renew(t.setup, record(), term)).rejects.toMatchObject({
        message: `DTS accepted the renewal but reports the instance ending at ${before}`,
        nonRetryable: true,
      });
    });

    it('without a known end, it is read first; DTS unreachable meanwhile is retried', async () => {
      t.setup.updateStatus({ expiresAt: undefined });
      let reads = 0;
      t.rt.activities.describeDirection = async () => {
        reads += 1;
        if (reads === 1) throw unavailable();
        return snapshot('synchronizing', { expireTime });
      };
      t.rt.activities.renewInstance = async () => {
        expireTime = after;
      };
      await renew(t.setup, record(), term);
      expect(reads).toBe(3);
      expect(t.setup.status.expiresAt).toBe(after);
    });
  });
});
