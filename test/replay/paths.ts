// Every path of redisSync that must have a recorded history in test/histories (checked by
// replay.test.ts). Recorded by record-histories.ts; a new path of the workflow adds a name here.

/** Recorded before the status watcher and before the state machine (the old code, no patch marker). */
const OLD_CODE = [
  'keeper-restarted-released',
  'oneway-released',
  'precheck-failed-retried',
  'twoway-cancelled',
  'twoway-released',
];

/** The explicit state machine (patch explicit-state-machine-v1 present). */
export const STATE_MACHINE_PATHS = [
  'v1-oneway-released',
  'v1-twoway-released',
  'v1-precheck-failed-retried',
  'v1-precheck-failed-aborted',
  'v1-continued-as-new',
  'v1-continued-as-new-first-run',
  'v1-keeper-restarted-released',
  'v1-reset-and-reconfigured',
  'v1-suspended-outside-resumed',
  'v1-credentials-while-synchronizing',
  'v1-restarts-exhausted-retried',
  'v1-release-failed-retried',
  'v1-kept-suspended',
  'v1-twoway-cancelled',
  // Delay supervision (patch delay-supervision-v1): above maxDelay past delayGrace, then back by itself.
  'v1-delay-attention-recovered',
  /** Patch initialization-window-v1: Forward held NotStarted, started by the window's timer. */
  'v1-window-waited',
  /** Patch adopt-existing-job-v1: a job bought outside, adopted; released with ?release=true, or left in place. */
  'v1-adopted-twoway-released',
  'v1-adopted-forward-only-reverse-configured',
  'v1-adopted-left-in-place',
  /**
   * Patch purchase-lost-connection-v1: a purchase whose connection reset, cancelled in the backoff.
   * `-before-patch` was recorded by the code before it (the instance forgotten); it replays that code.
   */
  'v1-purchase-reset-cancelled',
  'v1-purchase-reset-cancelled-before-patch',
  /** Patch wait-deadline-unread-v1: the wait deadline passes while every read is refused: parked, then on. */
  'v1-wait-deadline-unread',
  /** Patch purchase-outcome-kept-v1: a lost purchase answer then a refusal; the same token sent again. */
  'v1-purchase-outcome-kept',
  /** Patch watcher-news-while-unreadable-v1: own reads refused while Forward fails; restarted on the watcher's news. */
  'v1-watcher-news-while-unreadable',
];

export const REQUIRED_HISTORY_FILES = [...OLD_CODE, ...OLD_CODE.map((p) => `pre-watcher-${p}`), ...STATE_MACHINE_PATHS]
  .map((p) => `${p}.json`)
  .sort();
