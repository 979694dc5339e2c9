import { describe, expect, it } from 'vitest';
import { nextPollDelayMs } from '../../core/poll-delay';

const bounds = { minMs: 2_000, maxMs: 30_000 };

describe('adaptive poll delay', () => {
  it('polls about three times over the time DTS still needs, within bounds', () => {
    // 10 % in 60 s: 90 % left ≈ 540 s, so the next poll waits the maximum.
    expect(nextPollDelayMs(2_000, { progress: 0, atMs: 0 }, { progress: 10, atMs: 60_000 }, bounds)).toBe(30_000);
    // 97 % done at 1 %/s: 3 s left, so poll at the floor and see the switch within seconds.
    expect(nextPollDelayMs(10_000, { progress: 96, atMs: 0 }, { progress: 97, atMs: 1_000 }, bounds)).toBe(2_000);
    // 70 % at 1 %/s: 30 s left, so poll in 10 s.
    expect(nextPollDelayMs(2_000, { progress: 69, atMs: 0 }, { progress: 70, atMs: 1_000 }, bounds)).toBe(10_000);
  });

  it('backs off gently without measurable progress', () => {
    expect(nextPollDelayMs(2_000, undefined, { progress: 5, atMs: 1 }, bounds)).toBe(3_000);
    expect(nextPollDelayMs(25_000, { progress: 5, atMs: 0 }, { progress: 5, atMs: 9_000 }, bounds)).toBe(30_000);
  });
});
