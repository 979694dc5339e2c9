import { describe, expect, it } from 'vitest';
import { RateLimiter } from '../../activities/dts/rate-limiter';

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
