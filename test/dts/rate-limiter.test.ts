import { describe, expect, it } from 'vitest';
import { peakInWindow } from '../../bench/calls';
import { RateLimiter, type Lane } from '../../activities/dts/rate-limiter';

describe('DTS call rate limiter', () => {
  it('spaces concurrent callers evenly: no burst above the per-second budget', async () => {
    const limiter = new RateLimiter(20);
    const started = Date.now();
    const times = await Promise.all(
      Array.from({ length: 30 }, async () => {
        await limiter.take();
        return Date.now() - started;
      }),
    );
    times.sort((a, b) => a - b);
    // 30 calls at 20/s need at least 1.45 s, and any 1-second window holds at most 20 (+1 at its edge).
    expect(times.at(-1)!).toBeGreaterThanOrEqual(1_400);
    for (const t of times) expect(times.filter((u) => u >= t && u < t + 1_000).length).toBeLessThanOrEqual(21);
  });
});

describe('DTS call rate limiter after a stalled event loop', () => {
  it('does not release the overdue backlog at once', async () => {
    const limiter = new RateLimiter(20);
    const released: number[] = [];
    const all = Array.from({ length: 10 }, () => limiter.take().then(() => released.push(Date.now())));
    const stallUntil = Date.now() + 300;
    while (Date.now() < stallUntil) {
      // busy: timers cannot fire
    }
    await Promise.all(all);
    for (let i = 1; i < released.length; i++) expect(released[i]! - released[i - 1]!).toBeGreaterThanOrEqual(45);
  });
});

describe('DTS call rate limiter lanes', () => {
  it('lets status reads go ahead of purchases and configures already waiting', async () => {
    const limiter = new RateLimiter(50);
    const order: string[] = [];
    const others = Array.from({ length: 5 }, (_, i) => limiter.take('other').then(() => order.push(`other${i}`)));
    const reads = Array.from({ length: 3 }, (_, i) => limiter.take('read').then(() => order.push(`read${i}`)));
    await Promise.all([...others, ...reads]);
    expect(order).toEqual(['read0', 'read1', 'read2', 'other0', 'other1', 'other2', 'other3', 'other4']);
  });

  it('does not starve the other lane: a call that waited too long goes before new reads', async () => {
    const limiter = new RateLimiter(20, 200);
    const order: string[] = [];
    const reads = Array.from({ length: 15 }, () => limiter.take('read').then(() => order.push('read')));
    const other = limiter.take('other').then(() => order.push('other'));
    await Promise.all([...reads, other]);
    // 50 ms apart: after 200 ms of waiting (about 5 reads) the other call goes next, not last.
    expect(order.indexOf('other')).toBeGreaterThanOrEqual(3);
    expect(order.indexOf('other')).toBeLessThanOrEqual(7);
  });
});

describe('DTS call rate limiter across workers (docs/deployment.md, "Without Docker")', () => {
  // Each worker spends budget / DTS_WORKERS. Spaced exactly 1/perSecond apart at release, calls reached DTS
  // a few ms sooner or later (489 ms apart for 500 ms at 2/s), so one worker could put perSecond + 1 calls in
  // a sliding second, and two workers budget + 2. Spaced 5 % wider, a sliding second holds at most the budget.
  const JITTER_MS = 20;

  it('keeps two workers within the budget in every sliding second though each call arrives up to 20 ms early or late', async () => {
    const budget = 10;
    const workers = [new RateLimiter(budget / 2), new RateLimiter(budget / 2)];
    const released: number[][] = [[], []];
    const take = (w: number, lane: Lane) => workers[w]!.take(lane).then(() => released[w]!.push(Date.now()));
    // On both workers: a burst after idle with both lanes, then more while it drains.
    const burst = () =>
      [0, 1].flatMap((w) => Array.from({ length: 6 }, (_, i) => take(w, i % 3 === 0 ? 'other' : 'read')));
    const first = burst();
    await new Promise((resolve) => setTimeout(resolve, 300));
    await Promise.all([...first, ...burst()]);
    // A call released at t reaches DTS in [t - J, t + J]: whatever each call's jitter, a second [w, w + 1000)
    // can only hold calls released in [w - J, w + 1000 + J), so that window must hold at most the budget.
    const all = released.flat();
    expect(all).toHaveLength(24);
    expect(peakInWindow(all, 1000 + 2 * JITTER_MS).count).toBeLessThanOrEqual(budget);
    for (const times of released)
      expect(peakInWindow(times, 1000 + 2 * JITTER_MS).count).toBeLessThanOrEqual(budget / 2);
    expect(peakInWindow(all, 10_000 + 2 * JITTER_MS).count).toBeLessThanOrEqual(10 * budget);
  });
});
