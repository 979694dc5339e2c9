import { describe, expect, it } from 'vitest';
import { forEachConcurrently } from '../../activities/concurrently';

describe('forEachConcurrently', () => {
  it('keeps at most the limit in flight and runs every item', async () => {
    let inFlight = 0;
    let most = 0;
    const done: number[] = [];
    await forEachConcurrently([1, 2, 3, 4, 5, 6, 7], 3, async (n) => {
      most = Math.max(most, ++inFlight);
      await new Promise((resolve) => setTimeout(resolve, 5));
      inFlight -= 1;
      done.push(n);
    });
    expect(most).toBe(3);
    expect(done.sort()).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it('begins no item after a failure and throws the first one', async () => {
    const begun: number[] = [];
    const run = forEachConcurrently([1, 2, 3, 4, 5], 2, async (n) => {
      begun.push(n);
      await new Promise((resolve) => setTimeout(resolve, n === 1 ? 1 : 20));
      if (n <= 2) throw new Error(`item ${n}`);
    });
    await expect(run).rejects.toThrow('item 1');
    expect(begun).toEqual([1, 2]);
  });
});
