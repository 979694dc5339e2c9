// Every path of redisSync that must have a recorded history in test/histories (checked by
// replay.int.test.ts). Recorded by record-histories.ts; a new path of the workflow adds a name here.

/** Recorded from the 1.0 baseline (docs/reliability.md, "Versioning"): no patch marker. */
export const BASELINE_PATHS = [
  'oneway-released',
  'twoway-released',
  'precheck-failed-retried',
  'precheck-failed-aborted',
  'continued-as-new',
  'continued-as-new-first-run',
  'keeper-restarted-released',
  'reset-and-reconfigured',
  'suspended-outside-resumed',
  'credentials-while-synchronizing',
  'restarts-exhausted-retried',
  'release-failed-retried',
  'kept-suspended',
  'twoway-cancelled',
  /** Above maxDelay past delayGrace, then back by itself. */
  'delay-attention-recovered',
  /** Forward held NotStarted, started by the initialization window's timer. */
  'window-waited',
  /** A job bought outside, adopted; released with ?release=true, or left in place. */
  'adopted-twoway-released',
  'adopted-forward-only-reverse-configured',
  'adopted-left-in-place',
  /** A purchase whose connection reset after DTS bought, cancelled in the backoff. */
  'purchase-reset-cancelled',
];

/** Patches retired by the 1.0 baseline: no recording may carry them (their code is gone). */
export const RETIRED_PATCHES = [
  'explicit-state-machine-v1',
  'delay-supervision-v1',
  'initialization-window-v1',
  'purchase-lost-connection-v1',
  'adopt-existing-job-v1',
  'reverse-waits-for-forward',
];

/** Recorded on the baseline with a patch added since (docs/reliability.md, "Versioning"): its marker present. */
export const PATCHED_PATHS = [
  /** Patch wait-deadline-unread-v1: the wait deadline passes while every read is refused: parked, then on. */
  'wait-deadline-unread',
  /** Patch purchase-outcome-kept-v1: a lost purchase answer then a refusal; the same token sent again. */
  'purchase-outcome-kept',
  /** Patch watcher-news-while-unreadable-v1: own reads refused while Forward fails; restarted on the watcher's news. */
  'watcher-news-while-unreadable',
  /** Patch day-two-changes-v1: a pause refused midway (undone), a pause resumed by itself, one by request. */
  'day-two-paused-resumed',
  /** Patch day-two-changes-v1: the databases of a two-way sync, then tags, then the instance class. */
  'day-two-databases-and-class',
  /** Patch status-memo-v1: the status upserted to the memo with each change; two-way to synchronizing, released. */
  'status-memo',
  /** Patch data-verification-v1: verified after the first Synchronizing, then on request (the verify update). */
  'verified-on-request',
  /** Patch e2e-canary-v1: a two-way setup with a canary, kept synchronizing a while, released. */
  'canary-released',
  /** Patch notify-v1: synchronizing, needs-attention, back, released: each starts a notifying workflow. */
  'notified-attention-recovered',
  /** Patch dts-family-v1: a two-way setup over the DtsJob family, released. */
  'dtsjob-twoway-released',
  /** Patch dts-family-v1: the family carried across continue-as-new (both runs recorded). */
  'dtsjob-continued-as-new',
  'dtsjob-continued-as-new-first-run',
  /** Patch day-two-dtsjob-v1: a two-way DtsJob setup's databases, class, then destination password; released. */
  'day-two-dtsjob-changes',
  /** Patch day-two-dtsjob-v1: a re-key refused by DTS on Reverse, asked again (Forward not sent twice). */
  'day-two-dtsjob-rekey-retried',
  /** Patch renew-tags-v1: PrePaid, tagged after purchase, tags changed, renewed with a lost answer, expiring, released. */
  'renewed-tagged-expiring',
  /** Patch preflight-pair-reads-v1 (the preflight workflow, started as PREFLIGHT_REPLAY_ID): DTS read by the pair. */
  'preflight-pair-reads',
  /** Patch preflight-own-queue-v1 (the preflight workflow, on its own queue): its DTS and visibility reads there too. */
  'preflight-own-queue',
  /** Patch preflight-local-reads-v1 (the preflight workflow, on its own queue): its reads as local activities. */
  'preflight-local-reads',
  /** Patch auto-renew-v1: a PrePaid setup that asked renew.auto renews by itself near its end, answer lost; released. */
  'auto-renewed',
];

/**
 * Recorded by code that a later patch replaced: replayed, never recorded again (today's code would record the
 * later path under their names).
 */
export const FROZEN_PATHS = ['preflight-pair-reads', 'preflight-own-queue'];

export const REQUIRED_HISTORY_FILES = [...BASELINE_PATHS, ...PATCHED_PATHS].map((p) => `${p}.json`).sort();

/** The workflow id the recorded preflight ran under (a preflight's commands name no id derived from it). */
export const PREFLIGHT_REPLAY_ID = 'preflight.replay-pair-reads';
