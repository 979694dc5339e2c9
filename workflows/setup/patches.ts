// Behaviour changes made after the recorded histories: each is asked with patched() only where
// its path begins, so a run recorded without it replays the old path (docs/reliability.md).

/** A wait deadline passed while DTS does not answer parks (dts-unreadable) instead of ending the setup. */
export const WAIT_DEADLINE_UNREAD_PATCH = 'wait-deadline-unread-v1';
/** An unknown purchase outcome has no deadline: the same ClientToken is sent again until DTS names the instance. */
export const PURCHASE_OUTCOME_KEPT_PATCH = 'purchase-outcome-kept-v1';
/**
 * When its own read fails, the setup acts on the status watcher's latest word; a failed direction is
 * restarted from needs-attention too, and shown waiting (never synchronizing) during the restart's backoff.
 */
export const WATCHER_NEWS_PATCH = 'watcher-news-while-unreadable-v1';
/**
 * Day-two changes (the `change` Update: pause, resume, databases, jobClass, tags) carried out by the keeper.
 * Asked where a keeper takes up an accepted change; runs that never received one never ask.
 */
export const DAY_TWO_CHANGES_PATCH = 'day-two-changes-v1';
/**
 * The status is written to the memo with every change, so the API answers GET /v1/syncs/:id from describe()
 * instead of a query (a query of a setup out of the worker's cache replays its whole history).
 */
export const STATUS_MEMO_PATCH = 'status-memo-v1';
/**
 * The data at both ends is compared once after the first Synchronizing and on request (the `verify`
 * update), by a heartbeating activity that runs beside the keeper; no continue-as-new while it runs.
 */
export const VERIFICATION_PATCH = 'data-verification-v1';
/** A setup asked for a canary runs one (activity runCanary) from the keeper's first round of each run. */
export const CANARY_PATCH = 'e2e-canary-v1';
/** Phase changes operators must hear of start a notifying workflow (workflows/setup/notify.ts). */
export const NOTIFY_PATCH = 'notify-v1';
/**
 * A new setup carries its DTS API family in its state (the starter's choice, DTS_API) and every DTS activity
 * speaks it; a run without it (older) speaks the legacy `*SynchronizationJob` family.
 */
export const DTS_FAMILY_PATCH = 'dts-family-v1';
/**
 * Day-two changes of DtsJob-family setups: databases (ModifyDtsJob), jobClass (TransferInstanceClass on the
 * instance's task) and a new Redis password (ModifyDtsJobPassword). Asked where such a change is taken up.
 */
export const DAY_TWO_DTSJOB_PATCH = 'day-two-dtsjob-v1';
/**
 * The instance's ExpireTime kept in the status (`expiresAt`) from the keeper's own reads, with a notice when it
 * nears; the `renew` change; tags applied to the DTS instance after purchase and by a `tags` change.
 */
export const RENEW_TAGS_PATCH = 'renew-tags-v1';
/**
 * A PrePaid setup whose request asked `renew.auto` renews itself (the `renew` change, by `auto-renew`) once per
 * ExpireTime when fewer than `renew.daysBefore` days are left. Asked only by setups whose request has it.
 */
export const AUTO_RENEW_PATCH = 'auto-renew-v1';
