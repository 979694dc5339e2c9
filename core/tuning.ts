import type { Duration } from '@temporalio/common';
import ms from 'ms';

/** Timing knobs. Production uses the defaults; tests shrink them, never the logic. */
export interface WaitTuning {
  /** First own poll after a configure or start, and the floor of every own poll: the status watcher reports changes sooner. */
  firstPoll: Duration;
  /** Longest pause between two own polls on the way to Synchronizing; the status watcher wakes it sooner. */
  maxPoll: Duration;
  /** Own health check of a synchronizing setup; the status watcher reports failures sooner. */
  monitorInterval: Duration;
  /** Automatic restarts of a Failed/InitializeFailed direction before asking a human. */
  maxAutoRestarts: number;
  /** Pause before an automatic restart, doubled each time. */
  restartBackoff: Duration;
  /** Continue-as-new after this many history events, whatever the server suggests. */
  maxHistoryEvents: number;
}

export const DEFAULT_TUNING: WaitTuning = {
  firstPoll: '10s',
  maxPoll: '2m',
  monitorInterval: '30m',
  maxAutoRestarts: 3,
  restartBackoff: '30s',
  maxHistoryEvents: 2_000,
};

/** Milliseconds of a Temporal `Duration` (ms, or a string such as '10s' or '48h'), read as the SDK reads it. */
export function durationMs(value: Duration): number {
  const result = typeof value === 'number' ? value : ms(value);
  if (Number.isNaN(result)) throw new TypeError(`Invalid duration: ${String(value)}`);
  return result;
}
