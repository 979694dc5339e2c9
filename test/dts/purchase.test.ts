// The purchase activity's decisions (activities/dts/purchase.ts) against a scripted family and an in-memory claim
// store: which token is sent, when a lost purchase is looked for, which instance is adopted, when it waits, when
// it buys again. test/dts/lost-purchase.test.ts proves the same against the emulator over HTTP.
import { createHash } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { CreateInput, DtsFamily } from '../../activities/dts/family';
import type { DtsInstanceSummary } from '../../activities/dts/list-instances';
import { purchaseInstance, type PurchaseInput } from '../../activities/dts/purchase';
import type { InstanceClaims } from '../../activities/instance-claims';
import type { InstanceClaim } from '../../core/claims';

/** The activity's own log lines are not what these tests read. */
const QUIET = { logger: new DefaultLogger('ERROR') };

const NOW = Date.parse('2026-12-06T12:00:00Z');
const MINUTE = 60_000;

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(NOW);
});
afterEach(() => vi.useRealTimers());

const input: PurchaseInput = {
  clientToken: 'setup-a-purchase',
  regionId: 'cn-hangzhou',
  sourceRegion: 'cn-hangzhou',
  destinationRegion: 'cn-shanghai',
  topology: 'oneway',
  jobClass: 'small',
  payType: 'PostPaid',
};

/** A family that buys `bought` in turn and lists `listed`; records what create was handed. */
function family(listed: DtsInstanceSummary[] = [], bought = ['dtsi-new-1', 'dtsi-new-2', 'dtsi-new-3', 'dtsi-new-4']) {
  const created: CreateInput[] = [];
  const listedRegions: string[] = [];
  const dts = {
    create: (c: CreateInput) => {
      created.push(c);
      return Promise.resolve(bought[created.length - 1] ?? 'dtsi-extra');
    },
    list: (regionId: string) => {
      listedRegions.push(regionId);
      return Promise.resolve(listed);
    },
  };
  return { dts: dts as unknown as DtsFamily, created, listedRegions };
}

/** First claim wins; `taken` are instances another setup already holds. */
function memoryClaims(opts: { othersBuying?: number; earlier?: number; taken?: string[] } = {}) {
  const owners = new Map<string, InstanceClaim>();
  for (const id of opts.taken ?? []) owners.set(id, { dtsJobId: id, setupId: 'setup-b', how: 'bought', claimedAt: '' });
  const records: { token: string; setupId: string; firstScheduledMs: number }[] = [];
  const otherAsked: string[] = [];
  const claims = {
    claim: (claim: InstanceClaim) => {
      if (!owners.has(claim.dtsJobId)) owners.set(claim.dtsJobId, claim);
      return Promise.resolve(owners.get(claim.dtsJobId) as InstanceClaim);
    },
    earlierPurchase: (token: string, record: { setupId: string; firstScheduledMs: number }) => {
      records.push({ token, ...record });
      return Promise.resolve(opts.earlier);
    },
    otherPurchases: (setupId: string) => {
      otherAsked.push(setupId);
      return Promise.resolve(opts.othersBuying ?? 0);
    },
  };
  return { claims: claims as unknown as InstanceClaims, owners, records, otherAsked };
}

const SCHEDULED = NOW - 10 * MINUTE;
const CLAIM_WINDOW = 30_000;

function attempt(n: number) {
  return new MockActivityEnvironment(
    {
      attempt: n,
      scheduledTimestampMs: SCHEDULED,
      startToCloseTimeoutMs: CLAIM_WINDOW,
      workflowExecution: { workflowId: 'setup-a', runId: 'run-1' },
    },
    QUIET,
  );
}

function instance(id: string, over: Partial<DtsInstanceSummary> = {}): DtsInstanceSummary {
  return {
    dtsJobId: id,
    name: '',
    jobClass: 'SMALL',
    payType: 'postpaid',
    directions: 1,
    routes: [],
    unconfigured: true,
    createdAtMs: SCHEDULED,
    ...over,
  };
}

async function failureOf(promise: Promise<unknown>): Promise<ApplicationFailure> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ApplicationFailure);
  return err as ApplicationFailure;
}

const shape = (token: string): CreateInput => ({
  clientToken: token,
  regionId: 'cn-hangzhou',
  sourceRegion: 'cn-hangzhou',
  destinationRegion: 'cn-shanghai',
  topology: 'oneway',
  jobClass: 'small',
  payType: 'PostPaid',
});

describe('purchase: buying', () => {
  it('outside an activity or without a claim store it buys with the token, handing the family only the shape', async () => {
    const { dts, created } = family();
    const withExtras = { ...input, api: 'dtsjob' as const, outcomeUnknownSince: new Date(SCHEDULED).toISOString() };
    expect(await purchaseInstance(dts, withExtras)).toEqual({ dtsJobId: 'dtsi-new-1' });
    expect(await attempt(2).run(() => purchaseInstance(dts, withExtras))).toEqual({ dtsJobId: 'dtsi-new-2' });
    expect(created).toEqual([shape(input.clientToken), shape(input.clientToken)]);
  });

  it('a first attempt with no earlier purchase buys at once with its token and claims what it bought', async () => {
    const { dts, created, listedRegions } = family([instance('dtsi-lost')]);
    const { claims, owners, records } = memoryClaims();
    expect(await attempt(1).run(() => purchaseInstance(dts, input, claims))).toEqual({ dtsJobId: 'dtsi-new-1' });
    expect(listedRegions).toEqual([]);
    expect(created).toEqual([shape(input.clientToken)]);
    expect(records).toEqual([{ token: input.clientToken, setupId: 'setup-a', firstScheduledMs: SCHEDULED }]);
    expect(owners.get('dtsi-new-1')).toEqual({
      dtsJobId: 'dtsi-new-1',
      setupId: 'setup-a',
      how: 'bought',
      claimedAt: new Date(NOW).toISOString(),
    });
  });

  it('an instance the token answered that another setup holds: buys again with fresh tokens, at most three times', async () => {
    const fresh = (n: number) => createHash('sha256').update(`${input.clientToken}#${n}`).digest('hex').slice(0, 64);
    const some = family();
    const { claims } = memoryClaims({ taken: ['dtsi-new-1', 'dtsi-new-2'] });
    expect(await attempt(1).run(() => purchaseInstance(some.dts, input, claims))).toEqual({ dtsJobId: 'dtsi-new-3' });
    expect(some.created.map((c) => c.clientToken)).toEqual([input.clientToken, fresh(1), fresh(2)]);

    const all = family();
    const allTaken = memoryClaims({ taken: ['dtsi-new-1', 'dtsi-new-2', 'dtsi-new-3', 'dtsi-new-4'] });
    const failure = await failureOf(attempt(1).run(() => purchaseInstance(all.dts, input, allTaken.claims)));
    expect(all.created.map((c) => c.clientToken)).toEqual([input.clientToken, fresh(1), fresh(2), fresh(3)]);
    expect(failure.type).toBe('PurchaseClaimLost');
    expect(failure.nonRetryable).toBe(false);
    expect(failure.message).toBe('every instance bought for setup-a was claimed by another setup');
  });
});

describe('purchase: a lost answer', () => {
  it('a retried attempt adopts the oldest unconfigured instance of its shape bought since it was first scheduled', async () => {
    const listed = [
      instance('dtsi-young', { createdAtMs: SCHEDULED + MINUTE }),
      instance('dtsi-edge', { createdAtMs: SCHEDULED - 5 * MINUTE }),
      instance('dtsi-too-old', { createdAtMs: SCHEDULED - 5 * MINUTE - 1 }),
      instance('dtsi-configured', { unconfigured: false, createdAtMs: SCHEDULED - MINUTE }),
      instance('dtsi-class', { jobClass: 'large', createdAtMs: SCHEDULED - MINUTE }),
      instance('dtsi-pay', { payType: 'PrePaid', createdAtMs: SCHEDULED - MINUTE }),
      instance('dtsi-two-way', { directions: 2, createdAtMs: SCHEDULED - MINUTE }),
    ];
    const { dts, created, listedRegions } = family(listed);
    const { claims, owners } = memoryClaims();
    expect(await attempt(2).run(() => purchaseInstance(dts, input, claims))).toEqual({ dtsJobId: 'dtsi-edge' });
    expect(listedRegions).toEqual(['cn-hangzhou']);
    expect(created).toEqual([]);
    expect(owners.get('dtsi-edge')).toMatchObject({ setupId: 'setup-a', how: 'adopted' });
  });

  it('an instance of another class or pay type is not the lost purchase; no candidate, no question about others', async () => {
    const listed = [
      instance('dtsi-class', { jobClass: 'large' }),
      instance('dtsi-pay', { payType: 'PrePaid' }),
      instance('dtsi-both', { jobClass: 'medium', payType: 'PrePaid' }),
    ];
    const { dts, created } = family(listed);
    const { claims, otherAsked, owners } = memoryClaims({ othersBuying: 1 });
    expect(await attempt(2).run(() => purchaseInstance(dts, input, claims))).toEqual({ dtsJobId: 'dtsi-new-1' });
    expect(created).toHaveLength(1);
    expect(otherAsked).toEqual([]);
    expect([...owners.keys()]).toEqual(['dtsi-new-1']);
  });

  it('topology: two-way takes only one listed two-way; one-way takes one-way or unknown', async () => {
    const twoWay = { ...input, topology: 'bidirectional' as const };
    const unknown = [instance('dtsi-unknown', { directions: undefined }), instance('dtsi-one', { createdAtMs: NOW })];
    const a = family(unknown);
    expect(await attempt(2).run(() => purchaseInstance(a.dts, twoWay, memoryClaims().claims))).toEqual({
      dtsJobId: 'dtsi-new-1',
    });
    const b = family([...unknown, instance('dtsi-two', { directions: 2, createdAtMs: NOW })]);
    expect(await attempt(2).run(() => purchaseInstance(b.dts, twoWay, memoryClaims().claims))).toEqual({
      dtsJobId: 'dtsi-two',
    });
    const c = family(unknown);
    expect(await attempt(2).run(() => purchaseInstance(c.dts, input, memoryClaims().claims))).toEqual({
      dtsJobId: 'dtsi-unknown',
    });
    const d = family([instance('dtsi-two', { directions: 2 })]);
    expect(await attempt(2).run(() => purchaseInstance(d.dts, input, memoryClaims().claims))).toEqual({
      dtsJobId: 'dtsi-new-1',
    });
  });

  it('a first attempt looks too when the setup bought before (a purchase record, or an outcome it reports unknown)', async () => {
    // Bought 20 minutes before this activity was scheduled: inside the window only if the window starts earlier.
    const lost = instance('dtsi-lost', { createdAtMs: SCHEDULED - 20 * MINUTE });
    const byRecord = family([lost]);
    const recorded = memoryClaims({ earlier: SCHEDULED - 16 * MINUTE });
    expect(await attempt(1).run(() => purchaseInstance(byRecord.dts, input, recorded.claims))).toEqual({
      dtsJobId: 'dtsi-lost',
    });

    const byInput = family([lost]);
    const since = { ...input, outcomeUnknownSince: new Date(SCHEDULED - 16 * MINUTE).toISOString() };
    expect(await attempt(1).run(() => purchaseInstance(byInput.dts, since, memoryClaims().claims))).toEqual({
      dtsJobId: 'dtsi-lost',
    });

    // The earliest of the three starts the window.
    const earliest = family([lost]);
    const both = { ...input, outcomeUnknownSince: new Date(SCHEDULED - 14 * MINUTE).toISOString() };
    const later = memoryClaims({ earlier: SCHEDULED - 16 * MINUTE });
    expect(await attempt(1).run(() => purchaseInstance(earliest.dts, both, later.claims))).toEqual({
      dtsJobId: 'dtsi-lost',
    });

    // Not early enough: the window starts 5 minutes (clock skew) before the earliest.
    const short = family([lost]);
    const near = { ...input, outcomeUnknownSince: new Date(SCHEDULED - 14 * MINUTE).toISOString() };
    expect(await attempt(1).run(() => purchaseInstance(short.dts, near, memoryClaims().claims))).toEqual({
      dtsJobId: 'dtsi-new-1',
    });
    expect(short.listedRegions).toEqual(['cn-hangzhou']);

    // An unreadable time is no time: a first attempt then buys without looking.
    const junk = family([lost]);
    const unreadable = { ...input, outcomeUnknownSince: 'yesterday-ish' };
    expect(await attempt(1).run(() => purchaseInstance(junk.dts, unreadable, memoryClaims().claims))).toEqual({
      dtsJobId: 'dtsi-new-1',
    });
    expect(junk.listedRegions).toEqual([]);
  });

  it('never takes a claimed instance: the next candidate, else a purchase', async () => {
    const listed = [instance('dtsi-1', { createdAtMs: SCHEDULED }), instance('dtsi-2', { createdAtMs: SCHEDULED + 1 })];
    const next = family(listed);
    expect(
      await attempt(2).run(() => purchaseInstance(next.dts, input, memoryClaims({ taken: ['dtsi-1'] }).claims)),
    ).toEqual({ dtsJobId: 'dtsi-2' });
    const none = family(listed);
    expect(
      await attempt(2).run(() =>
        purchaseInstance(none.dts, input, memoryClaims({ taken: ['dtsi-1', 'dtsi-2'] }).claims),
      ),
    ).toEqual({ dtsJobId: 'dtsi-new-1' });
  });

  it('while another setup is buying, waits on a young instance until the claim window has passed; takes an old one', async () => {
    const young = instance('dtsi-young', { createdAtMs: NOW - 10_000 });
    const wait = family([young]);
    const busy = memoryClaims({ othersBuying: 1 });
    const failure = await failureOf(attempt(2).run(() => purchaseInstance(wait.dts, input, busy.claims)));
    expect(failure.type).toBe('PurchaseCandidateUnsettled');
    expect(failure.nonRetryable).toBe(false);
    expect(failure.nextRetryDelay).toBe(20_000);
    expect(failure.message).toBe("an unclaimed instance bought 10 s ago may be this setup's; checking again");
    expect(busy.otherAsked).toEqual(['setup-a']);
    expect(wait.created).toEqual([]);
    expect(busy.owners.size).toBe(0);

    // Two young ones: it waits for the younger.
    const two = family([young, instance('dtsi-younger', { createdAtMs: NOW - 5_000 })]);
    const both = await failureOf(
      attempt(2).run(() => purchaseInstance(two.dts, input, memoryClaims({ othersBuying: 2 }).claims)),
    );
    expect(both.nextRetryDelay).toBe(25_000);

    // Exactly a claim window old is old enough.
    const settled = family([young, instance('dtsi-old', { createdAtMs: NOW - CLAIM_WINDOW })]);
    expect(
      await attempt(2).run(() => purchaseInstance(settled.dts, input, memoryClaims({ othersBuying: 1 }).claims)),
    ).toEqual({ dtsJobId: 'dtsi-old' });

    // Nobody else buying: a young one is this setup's.
    const alone = family([young]);
    expect(await attempt(2).run(() => purchaseInstance(alone.dts, input, memoryClaims().claims))).toEqual({
      dtsJobId: 'dtsi-young',
    });
  });
});

describe('purchase: a burst of lost answers', () => {
  it('twenty retried purchases of one worker share the region listing instead of listing it twenty times', async () => {
    const { dts, listedRegions, created } = family(
      [],
      Array.from({ length: 20 }, (_, i) => `dtsi-new-${i}`),
    );
    const { claims } = memoryClaims();
    const bought = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        attempt(2).run(() => purchaseInstance(dts, { ...input, clientToken: `setup-${i}-purchase` }, claims)),
      ),
    );
    expect(bought).toHaveLength(20);
    expect(created).toHaveLength(20);
    // One listing began with the first; every other waited for the one after it.
    expect(listedRegions.length).toBeLessThanOrEqual(2);
  });
});
