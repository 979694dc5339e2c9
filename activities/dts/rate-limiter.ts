/**
 * Spaces calls evenly at `perSecond`, with no burst: the account's DTS quota is per second,
 * and Temporal's task-queue limiter alone lets short bursts through (docs/performance.md).
 */
export class RateLimiter {
  private nextSlotMs = 0;
  private readonly intervalMs: number;

  constructor(perSecond: number) {
    this.intervalMs = 1000 / perSecond;
  }

  /** Resolves when the caller may make its call. */
  async take(): Promise<void> {
    const now = Date.now();
    const slot = Math.max(now, this.nextSlotMs);
    this.nextSlotMs = slot + this.intervalMs;
    if (slot > now) await new Promise((resolve) => setTimeout(resolve, slot - now));
  }
}
