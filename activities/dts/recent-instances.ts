// The lost-purchase search's listing, shared by the purchases of one worker process. When a burst of purchases timed
// out together (the DTS budget was busy), each retry searched the region on its own: at 1,000 instances that was
// about 34 calls each, so 77 retries needed a minute of the whole budget, every one outlived its 30 s and retried
// again, for ever. Now at most one listing of a region runs per process, and the next one serves every purchase
// that asked while it ran.
import { withoutDeadline } from './client';
import type { DtsFamily } from './family';
import type { DtsInstanceSummary } from './list-instances';

interface Next {
  sinceMs: number;
  answer: Promise<DtsInstanceSummary[]>;
}

interface Region {
  running?: Promise<unknown>;
  next?: Next;
}

const regions = new WeakMap<DtsFamily, Map<string, Region>>();

/**
 * The region's live instances created since `sinceMs` (perhaps with older ones), from a listing that began after
 * this call: a purchase lost before the call is in it.
 */
export function recentInstances(dts: DtsFamily, regionId: string, sinceMs: number): Promise<DtsInstanceSummary[]> {
  const byRegion = regions.get(dts) ?? new Map<string, Region>();
  regions.set(dts, byRegion);
  const region = byRegion.get(regionId) ?? {};
  byRegion.set(regionId, region);
  if (region.next) {
    region.next.sinceMs = Math.min(region.next.sinceMs, sinceMs);
    return region.next.answer;
  }
  const next: Next = { sinceMs, answer: Promise.resolve([]) };
  const before = region.running ?? Promise.resolve();
  next.answer = before
    .catch(() => undefined)
    .then(() => {
      // From here on a new caller waits for the listing after this one.
      if (region.next === next) region.next = undefined;
      // Shared: one purchase's nearer deadline must not cut the listing short for the others.
      const listing = withoutDeadline(() =>
        dts.listSince ? dts.listSince(regionId, next.sinceMs) : dts.list(regionId),
      );
      region.running = listing;
      void listing
        .catch(() => undefined)
        .then(() => {
          if (region.running === listing) region.running = undefined;
        });
      return listing;
    });
  region.next = next;
  return next.answer;
}
