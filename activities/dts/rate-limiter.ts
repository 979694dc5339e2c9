/**
 * Which queue a call waits in: a person waits on an answer (a POST's preflight reads), so those go first; status
 * reads let a waiting setup move on, so under a burst they go ahead of purchases and configures (which only add
 * more work to wait for).
 */
export type Lane = 'answer' | 'read' | 'other';

/** A call waiting longer than this goes first whatever its lane, so mutations are never starved. */
export const DEFAULT_MAX_LANE_WAIT_MS = 10_000;

/**
 * How much wider than the budget calls are spaced. Calls released exactly 1/perSecond apart reach DTS
 * a few ms sooner or later (seen: 489 ms apart for 500 ms at release), so a sliding second could hold
 * one call over the budget; 5 % (26 ms at 2 calls/s) absorbs that, in every worker's share.
 */
export const SPACING_HEADROOM = 1.05;

/** The gap the limiter keeps between two calls of a process spending `perSecond`. */
export function callSpacingMs(perSecond: number): number {
  return (1000 / perSecond) * SPACING_HEADROOM;
}

interface Waiter {
  enqueuedMs: number;
  release: () => void;
}

/**
 * Spaces calls at least 1/perSecond apart (plus SPACING_HEADROOM), measured when each call is let through: the
 * account's DTS quota is per second, Temporal's task-queue limiter alone lets short bursts
 * through, and a busy event loop must not release a backlog of overdue calls at once.
 * Answers go first, then reads; a call of the other lane that has waited `maxLaneWaitMs` goes before new reads.
 */
export class RateLimiter {
  private lastReleaseMs = 0;
  private readonly lanes: Record<Lane, Waiter[]> = { answer: [], read: [], other: [] };
  private timer: NodeJS.Timeout | undefined;
  private readonly intervalMs: number;

  constructor(
    readonly perSecond: number,
    private readonly maxLaneWaitMs = DEFAULT_MAX_LANE_WAIT_MS,
  ) {
    this.intervalMs = callSpacingMs(perSecond);
  }

  /** Resolves when the caller may make its call; within a lane callers go in arrival order. */
  take(lane: Lane = 'other'): Promise<void> {
    return new Promise((release) => {
      this.lanes[lane].push({ enqueuedMs: Date.now(), release });
      // Decided on a later turn of the event loop, so callers arriving together are ordered by lane.
      if (!this.timer) this.timer = setTimeout(() => this.tick(), 0);
    });
  }

  /** Calls waiting for a slot, by lane. */
  waiting(): Record<Lane, number> {
    return { answer: this.lanes.answer.length, read: this.lanes.read.length, other: this.lanes.other.length };
  }

  private pump(): void {
    if (this.timer) return;
    const waitMs = this.lastReleaseMs + this.intervalMs - Date.now();
    if (waitMs > 0) {
      this.timer = setTimeout(() => this.tick(), waitMs);
      return;
    }
    const next = this.next();
    if (!next) return;
    this.lastReleaseMs = Date.now();
    next.release();
    if (this.lanes.answer.length + this.lanes.read.length + this.lanes.other.length > 0) this.pump();
  }

  private tick(): void {
    this.timer = undefined;
    this.pump();
  }

  private next(): Waiter | undefined {
    // Answers are bounded by the API's requests and live 15 s at most (api/routes/preflight.ts): even an aged
    // mutation waits for them.
    const answer = this.lanes.answer.shift();
    if (answer) return answer;
    const oldOther = this.lanes.other[0];
    if (oldOther && Date.now() - oldOther.enqueuedMs >= this.maxLaneWaitMs) return this.lanes.other.shift();
    return this.lanes.read.shift() ?? this.lanes.other.shift();
  }
}
