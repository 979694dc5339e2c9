import type { ActivityOptions, LocalActivityOptions } from '@temporalio/common';
import { PassingFailure } from './failures';

// Every timeout, retry policy and backoff cap of the workflows' activity calls, in one table: the
// worker's shutdown grace and the steps' retry loops read them from here.

/** Start-to-close timeout of the setups' DTS activities; the worker's shutdown grace is longer. */
export const DTS_ACTIVITY_TIMEOUT_MS = 30_000;

// Each call is tried a few times inside Temporal (no history); the step's own loop then shows
// the error in the status, waits, honours an abort or release, and tries again.
const FEW_TRIES = { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '10s' } as const;

/** A setup's DTS read or change (describe, configure, start, reset, suspend, claim). */
export const DTS_CALL: ActivityOptions = {
  startToCloseTimeout: DTS_ACTIVITY_TIMEOUT_MS,
  retry: { ...FEW_TRIES, maximumAttempts: 3 },
};
/** One attempt per activity: the purchase loop must see every ambiguous (timed-out) attempt. */
export const PURCHASE_CALL: ActivityOptions = {
  startToCloseTimeout: DTS_ACTIVITY_TIMEOUT_MS,
  retry: { maximumAttempts: 1 },
};
export const RELEASE_CALL: ActivityOptions = {
  startToCloseTimeout: DTS_ACTIVITY_TIMEOUT_MS,
  retry: { ...FEW_TRIES, maximumAttempts: 5 },
};
/** Reads that answer an HTTP request (preflight, adoption check): retried briefly, then reported. */
export const ANSWER_CALL: ActivityOptions = {
  startToCloseTimeout: '10s',
  scheduleToCloseTimeout: '20s',
  retry: { initialInterval: '200ms', maximumInterval: '2s' },
};
/**
 * A preflight's reads as local activities (workflows/preflight.ts): given up within the preflight's own 15 s, so a
 * read that never answers is in the report as unread rather than the whole preflight timing out.
 */
export const ANSWER_LOCAL_CALL: LocalActivityOptions = {
  startToCloseTimeout: ANSWER_CALL.startToCloseTimeout,
  scheduleToCloseTimeout: '12s',
  retry: ANSWER_CALL.retry,
};
/** The status watcher's one long activity: it runs until cancelled; a lost worker's heartbeat times out. */
export const WATCHER_CALL: ActivityOptions = {
  startToCloseTimeout: '3650d',
  heartbeatTimeout: '30s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s' },
};

/** Longest pause between two attempts of a call DTS keeps refusing (credentials: fixable only outside). */
export const MAX_BACKOFF_MS = 5 * 60_000;
/** Longest pause between two attempts while DTS is unreachable. */
export const MAX_TRANSIENT_BACKOFF_MS = 60_000;

/** 1 s doubling per attempt, up to the cap. */
export function backoffMs(attempt: number, capMs: number): number {
  return Math.min(capMs, 1_000 * 2 ** Math.min(attempt, 20));
}

/** The pause before the next attempt of a DTS call that failed with `errorType` (a status error type). */
export function retryPauseMs(attempt: number, errorType: string): number {
  return backoffMs(
    attempt,
    errorType === PassingFailure.CredentialsRejected ? MAX_BACKOFF_MS : MAX_TRANSIENT_BACKOFF_MS,
  );
}
