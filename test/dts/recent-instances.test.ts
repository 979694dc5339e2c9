// A lost purchase's search (activities/dts/recent-instances.ts, the DtsJob family's listSince): a burst of retried
// purchases shares one listing per region and process, and each listing reads only the newest pages when DTS
// answers newest first.
import { describe, expect, it } from 'vitest';
import { dtsJobFamily } from '../../activities/dts/dts-job';
import type { DtsFamily } from '../../activities/dts/family';
import type { DtsInstanceSummary } from '../../activities/dts/list-instances';
import { recentInstances } from '../../activities/dts/recent-instances';
import { scriptedClient, type Json } from '../support/scripted-dts';

function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/** A family whose every listing waits for the test; records when each began and what it asked. */
function slowFamily() {
  const listings: { sinceMs: number; done: ReturnType<typeof deferred<DtsInstanceSummary[]>> }[] = [];
  const dts = {
    api: 'dtsjob',
    list: () => Promise.reject(new Error('the full list is not for purchases')),
    listSince: (_region: string, sinceMs: number) => {
      const done = deferred<DtsInstanceSummary[]>();
      listings.push({ sinceMs, done });
      return done.promise;
    },
  };
  /** The i-th listing begun. */
  const listing = (i: number) => {
    const found = listings[i];
    if (!found) throw new Error(`no listing ${i}`);
    return found;
  };
  return { dts: dts as unknown as DtsFamily, listings, listing };
}

const found = (id: string) => [{ dtsJobId: id }] as DtsInstanceSummary[];
const ticks = async () => {
  for (let i = 0; i < 5; i++) await Promise.resolve();
};

describe('recentInstances', () => {
  it('serves every purchase that asked while a listing ran with one listing begun after them', async () => {
    const { dts, listings, listing } = slowFamily();
    const first = recentInstances(dts, 'cn-hangzhou', 1_000);
    await ticks();
    expect(listings).toHaveLength(1);
    const burst = Array.from({ length: 20 }, (_, i) => recentInstances(dts, 'cn-hangzhou', 5_000 - i));
    await ticks();
    // The burst waits: a listing begun before they asked may miss what their lost calls bought.
    expect(listings).toHaveLength(1);
    listing(0).done.resolve(found('dtsi-old'));
    expect(await first).toEqual(found('dtsi-old'));
    await ticks();
    expect(listings).toHaveLength(2);
    // One listing for all twenty, reaching back as far as the oldest of them asked.
    expect(listing(1).sinceMs).toBe(5_000 - 19);
    listing(1).done.resolve(found('dtsi-new'));
    for (const answer of await Promise.all(burst)) expect(answer).toEqual(found('dtsi-new'));
    expect(listings).toHaveLength(2);
  });

  it('lists each region on its own, and a failed listing fails only the purchases that waited for it', async () => {
    const { dts, listings, listing } = slowFamily();
    const hangzhou = recentInstances(dts, 'cn-hangzhou', 0);
    const shanghai = recentInstances(dts, 'cn-shanghai', 0);
    await ticks();
    expect(listings).toHaveLength(2);
    listing(0).done.promise.catch(() => undefined);
    (listing(0).done.resolve as unknown as (v: Promise<never>) => void)(Promise.reject(new Error('Throttling')));
    await expect(hangzhou).rejects.toThrow('Throttling');
    listing(1).done.resolve(found('dtsi-sh'));
    expect(await shanghai).toEqual(found('dtsi-sh'));
    const again = recentInstances(dts, 'cn-hangzhou', 0);
    await ticks();
    expect(listings).toHaveLength(3);
    listing(2).done.resolve([]);
    expect(await again).toEqual([]);
  });

  it('uses the full list where the family cannot list newest first', async () => {
    const dts = { api: 'synchronizationjob', list: () => Promise.resolve(found('dtsi-all')) };
    expect(await recentInstances(dts as unknown as DtsFamily, 'cn-hangzhou', 0)).toEqual(found('dtsi-all'));
  });
});

describe('DtsJob family listSince', () => {
  const SECOND = 1_000;
  const T0 = Date.parse('2026-12-06T12:00:00Z');
  /** 100 unconfigured instances, one a second; the answer's order as `order` says. */
  function region(order: 'asked' | 'oldest-first' | 'no-time') {
    const all = Array.from({ length: 100 }, (_, i) => ({
      DtsInstanceID: `dtsi-${String(i).padStart(3, '0')}`,
      CreateTime: order === 'no-time' ? '' : new Date(T0 + i * SECOND).toISOString(),
      Status: 'NotConfigured',
      DtsJobClass: 'small',
      PayType: 'PostPaid',
    }));
    return scriptedClient((action, params) => {
      expect(action).toBe('DescribeDtsJobs');
      const newestFirst = params.OrderColumn === 'CreateTime' && params.OrderDirection === 'DESC';
      const sorted = newestFirst && order === 'asked' ? [...all].reverse() : all;
      const size = Number(params.PageSize);
      const page = Number(params.PageNumber);
      const items: Json[] = sorted.slice((page - 1) * size, page * size);
      return { DtsJobList: items, TotalRecordCount: all.length, PageRecordCount: items.length };
    });
  }

  function listSince(family: DtsFamily) {
    if (!family.listSince) throw new Error('the DtsJob family lists newest first');
    return family.listSince.bind(family);
  }

  it('reads only the pages down to the first instance older than asked', async () => {
    const { dts, calls } = region('asked');
    const family = dtsJobFamily(dts);
    const since = T0 + 60 * SECOND; // the 40 newest
    const listed = await listSince(family)('cn-hangzhou', since);
    expect(calls).toHaveLength(2);
    expect(calls[0]?.params).toMatchObject({ OrderColumn: 'CreateTime', OrderDirection: 'DESC', JobType: 'SYNC' });
    const recent = listed.filter((i) => i.createdAtMs >= since).map((i) => i.dtsJobId);
    expect(recent).toHaveLength(40);
  });

  it('reads every page when DTS does not answer in the order asked, or gives no creation time', async () => {
    for (const order of ['oldest-first', 'no-time'] as const) {
      const { dts, calls } = region(order);
      const listed = await listSince(dtsJobFamily(dts))('cn-hangzhou', T0 + 60 * SECOND);
      expect(calls).toHaveLength(4);
      expect(listed).toHaveLength(100);
    }
  });
});
