import { describe, expect, it } from 'vitest';
import { RateLimiter } from '../../activities/dts/rate-limiter';

describe('DTS call rate limiter', () => {
  it('spaces concurrent callers evenly: no burst above the per-second budget', async () => {
    const limiter = new RateLimiter(20);
    const started = Date.now();
    const times = await Promise.all(Array.from({ length: 30 }, async () => {
      await limiter.take();
      return Date.now() - started;
    }));
    times.sort((a, b) => a - b);
    // 30 calls at 20/s need at least 1.45 s, and any 1-second window holds at most 20 (+1 at its edge).
    expect(times.at(-1)!).toBeGreaterThanOrEqual(1_400);
    for (const t of times) expect(times.filter((u) => u >= t && u < t + 1_000).length).toBeLessThanOrEqual(21);
  });
});
