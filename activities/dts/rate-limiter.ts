/**
 * Spaces calls at least 1/perSecond apart, measured when each call is let through: the
 * account's DTS quota is per second, Temporal's task-queue limiter alone lets short bursts
 * through, and a busy event loop must not release a backlog of overdue calls at once.
 */
export class RateLimiter {
  private lastReleaseMs = 0;
  private queue: Promise<void> = Promise.resolve();
  private readonly intervalMs: number;

  constructor(perSecond: number) {
    this.intervalMs = 1000 / perSecond;
  }

  /** Resolves when the caller may make its call; callers go in arrival order. */
  take(): Promise<void> {
    const turn = this.queue.then(async () => {
      const waitMs = this.lastReleaseMs + this.intervalMs - Date.now();
      if (waitMs > 0) await new Promise((resolve) => setTimeout(resolve, waitMs));
      this.lastReleaseMs = Date.now();
    });
    this.queue = turn;
    return turn;
  }
}
