// Every DTS call the emulator saw. Its log keeps only the last 10,000 calls, so the bench
// reads it every 20 s (at most ~1,000 new calls at the budgets used here) and keeps each call once (by seq).
import { RKVSTORE_VERSION } from '../emulator/rkvstore/operations';

export interface SeenCall {
  seq: number;
  atMs: number;
  action: string;
  outcome: string;
  jobId?: string;
}

export class CallCollector {
  private readonly bySeq = new Map<number, SeenCall>();
  private maxSeq = 0;
  private timer?: NodeJS.Timeout;
  /** Set when calls fell out of the emulator's log before the bench read them. */
  gap = false;

  /**
   * R-KVStore calls the emulator logged (the same host answers both products), by arrival time. Another product
   * with its own quota (RKVSTORE_MAX_CALLS_PER_SECOND): never counted with DTS's calls against DTS's budget.
   */
  readonly rkvstoreAtMs: number[] = [];

  constructor(private readonly emulatorUrl: string) {}

  start(everyMs = 20_000): void {
    this.timer = setInterval(() => void this.collect().catch(() => {}), everyMs);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.collect();
  }

  async collect(): Promise<void> {
    const res = await fetch(`${this.emulatorUrl}/__emulator/calls`);
    const { calls } = (await res.json()) as {
      calls: {
        seq: number;
        time: string;
        action?: string;
        outcome: string;
        jobId?: string;
        params?: Record<string, string>;
      }[];
    };
    if (calls.length > 0 && this.maxSeq > 0 && calls[0]!.seq > this.maxSeq + 1) this.gap = true;
    for (const call of calls) {
      if (call.seq <= this.maxSeq) continue;
      if (isRkvstoreCall(call)) {
        this.rkvstoreAtMs.push(Date.parse(call.time));
        continue;
      }
      this.bySeq.set(call.seq, {
        seq: call.seq,
        atMs: Date.parse(call.time),
        action: call.action ?? '-',
        outcome: call.outcome,
        jobId: call.jobId,
      });
    }
    this.maxSeq = Math.max(this.maxSeq, ...calls.map((c) => c.seq));
  }

  all(): SeenCall[] {
    return [...this.bySeq.values()].sort((a, b) => a.atMs - b.atMs);
  }
}

export function countBy<T>(items: T[], key: (item: T) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) counts[key(item)] = (counts[key(item)] ?? 0) + 1;
  return counts;
}

/** An R-KVStore call in the emulator's log: its Version is R-KVStore's (emulator/rkvstore/operations.ts). */
export function isRkvstoreCall(call: { params?: Record<string, string> }): boolean {
  return call.params?.Version === RKVSTORE_VERSION;
}

/** Most calls in any sliding window of `windowMs` (two pointers over sorted times). */
export function peakInWindow(timesMs: number[], windowMs = 1000): { count: number; startMs: number } {
  const sorted = [...timesMs].sort((a, b) => a - b);
  let best = { count: 0, startMs: 0 };
  let lo = 0;
  for (let hi = 0; hi < sorted.length; hi++) {
    while (sorted[hi]! - sorted[lo]! >= windowMs) lo++;
    if (hi - lo + 1 > best.count) best = { count: hi - lo + 1, startMs: sorted[lo]! };
  }
  return best;
}

/** Most calls in one calendar second (what a per-second quota counter would see). */
export function peakPerSecond(timesMs: number[]): number {
  const perSecond = countBy(timesMs, (t) => String(Math.floor(t / 1000)));
  return Math.max(0, ...Object.values(perSecond));
}
