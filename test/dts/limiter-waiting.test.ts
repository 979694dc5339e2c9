// The rate limiter's queue as the watcher reads it (DtsClient.budget): how many calls wait in each lane, and that
// a call waits for a turn of the event loop even when the budget is free (callers arriving together are then
// ordered by lane). Fake timers: no wall-clock spacing is asserted here (test/dts/rate-limiter.test.ts does).
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { callSpacingMs, RateLimiter } from '../../activities/dts/rate-limiter';

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('rate limiter queue', () => {
  it('counts the calls waiting per lane, and lets them through one spacing apart', async () => {
    const limiter = new RateLimiter(2);
    expect(limiter.waiting()).toEqual({ answer: 0, read: 0, other: 0 });
    const released: string[] = [];
    void limiter.take('read').then(() => released.push('read'));
    void limiter.take('other').then(() => released.push('other'));
    void limiter.take().then(() => released.push('default'));
    expect(limiter.waiting()).toEqual({ answer: 0, read: 1, other: 2 });
    // Not even the first goes before the event loop turns.
    await Promise.resolve();
    expect(released).toEqual([]);
    await vi.advanceTimersByTimeAsync(0);
    expect(released).toEqual(['read']);
    expect(limiter.waiting()).toEqual({ answer: 0, read: 0, other: 2 });
    await vi.advanceTimersByTimeAsync(callSpacingMs(2) - 1);
    expect(released).toEqual(['read']);
    await vi.advanceTimersByTimeAsync(1);
    expect(released).toEqual(['read', 'other']);
    await vi.advanceTimersByTimeAsync(callSpacingMs(2));
    expect(released).toEqual(['read', 'other', 'default']);
    expect(limiter.waiting()).toEqual({ answer: 0, read: 0, other: 0 });
  });

  it('a call of the other lane that waited the longest wait goes before a newer read', async () => {
    const limiter = new RateLimiter(1, 2_000);
    const released: string[] = [];
    void limiter.take('read').then(() => released.push('r0'));
    void limiter.take('other').then(() => released.push('o1'));
    await vi.advanceTimersByTimeAsync(0);
    // The next slot comes 1050 ms later: o1 has waited 1050 ms, less than 2000: a read arriving now goes first.
    void limiter.take('read').then(() => released.push('r1'));
    await vi.advanceTimersByTimeAsync(1_050);
    expect(released).toEqual(['r0', 'r1']);
    // At the next slot (2100 ms) o1 has waited over 2000 ms: it goes before the read that arrived at 1999 ms.
    await vi.advanceTimersByTimeAsync(949);
    void limiter.take('read').then(() => released.push('r2'));
    await vi.advanceTimersByTimeAsync(1);
    expect(released).toEqual(['r0', 'r1']);
    await vi.advanceTimersByTimeAsync(100);
    expect(released).toEqual(['r0', 'r1', 'o1']);
    await vi.advanceTimersByTimeAsync(1_050);
    expect(released).toEqual(['r0', 'r1', 'o1', 'r2']);
  });

  it("a preflight's reads (the answer lane) go ahead of a queue of setup calls, even an aged mutation", async () => {
    const limiter = new RateLimiter(1, 2_000);
    const released: string[] = [];
    // The setups' queue: status reads and mutations, waiting longer than maxLaneWaitMs by the time answers come.
    for (const name of ['r0', 'r1', 'r2']) void limiter.take('read').then(() => released.push(name));
    for (const name of ['o0', 'o1']) void limiter.take('other').then(() => released.push(name));
    await vi.advanceTimersByTimeAsync(0);
    expect(released).toEqual(['r0']);
    await vi.advanceTimersByTimeAsync(2_500);
    // o0 has waited over 2000 ms, so without answers it would go next; 4 reads of a preflight arrive.
    for (const name of ['a0', 'a1', 'a2', 'a3']) void limiter.take('answer').then(() => released.push(name));
    expect(limiter.waiting()).toEqual({ answer: 4, read: 1, other: 1 });
    await vi.advanceTimersByTimeAsync(4 * callSpacingMs(1));
    expect(released).toEqual(['r0', 'r1', 'o0', 'a0', 'a1', 'a2', 'a3']);
    await vi.advanceTimersByTimeAsync(2 * callSpacingMs(1));
    expect(released).toEqual(['r0', 'r1', 'o0', 'a0', 'a1', 'a2', 'a3', 'o1', 'r2']);
    expect(limiter.waiting()).toEqual({ answer: 0, read: 0, other: 0 });
  });
});
