import type { Duration } from '@temporalio/common';

/** Timing knobs. Production uses the defaults; tests shrink them, never the logic. */
export interface WaitTuning {
  /** First poll after a configure or start. */
  firstPoll: Duration;
  /** Longest pause between two polls while a direction is on its way to Synchronizing. */
  maxPoll: Duration;
  /** Health check of a synchronizing setup. */
  monitorInterval: Duration;
  /** Automatic restarts of a Failed/InitializeFailed direction before asking a human. */
  maxAutoRestarts: number;
  /** Pause before an automatic restart, doubled each time. */
  restartBackoff: Duration;
  /** Continue-as-new after this many history events, whatever the server suggests. */
  maxHistoryEvents: number;
}

export const DEFAULT_TUNING: WaitTuning = {
  firstPoll: '2s',
  maxPoll: '30s',
  monitorInterval: '5m',
  maxAutoRestarts: 3,
  restartBackoff: '30s',
  maxHistoryEvents: 2_000,
};
