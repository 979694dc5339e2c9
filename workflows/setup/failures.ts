import { ActivityFailure, ApplicationFailure } from '@temporalio/workflow';
import { DtsFailure, PassingFailure } from '../../core/failures';
import type { ErrorSummary } from '../../core/types';

// How the workflow reads an activity's failure. Activities classify DTS errors
// (activities/dts/errors.ts): retryable ones are transient, nonRetryable ones permanent.

function rootCause(err: unknown): unknown {
  return err instanceof ActivityFailure && err.cause ? err.cause : err;
}

export function failureType(err: unknown): string | undefined {
  const cause = rootCause(err);
  return cause instanceof ApplicationFailure ? (cause.type ?? undefined) : undefined;
}

export function failureMessage(err: unknown): string {
  const cause = rootCause(err);
  return cause instanceof Error ? cause.message : String(cause);
}

function dtsDetails(err: unknown): { code?: string; requestId?: string } | undefined {
  const cause = rootCause(err);
  return cause instanceof ApplicationFailure
    ? (cause.details?.[0] as { code?: string; requestId?: string } | undefined)
    : undefined;
}

/** DTS refused the call for good (bad parameter, billing...); retrying changes nothing. */
export function isPermanent(err: unknown): boolean {
  const cause = rootCause(err);
  return cause instanceof ApplicationFailure && Boolean(cause.nonRetryable) && !isCredentials(err);
}

/** Credentials or permissions (RAM policy, clock skew, expired token): fixable outside, so retried slowly. */
export function isCredentials(err: unknown): boolean {
  return failureType(err) === DtsFailure.Credentials;
}

/** The connection failed (reset, refused, unreachable): its `code` is the socket's errno, not DTS's. */
export function isNetworkFailure(err: unknown): boolean {
  return failureType(err) === DtsFailure.Network;
}

export function isJobStatusConflict(err: unknown): boolean {
  return failureType(err) === DtsFailure.JobStatusConflict;
}

/**
 * DTS answered with an error code: the call was refused, not lost (it did not take effect). A network
 * failure carries the socket's errno as its code too: tell it apart with isNetworkFailure.
 */
export function hasDtsAnswer(err: unknown): boolean {
  return Boolean(dtsDetails(err)?.code);
}

/** The error as the status shows it, with DTS's code and RequestId. */
export function errorSummary(err: unknown): ErrorSummary {
  const cause = rootCause(err);
  const details = dtsDetails(err);
  let type = failureType(err) ?? (cause instanceof Error ? cause.name : 'Error');
  if (isCredentials(err)) type = PassingFailure.CredentialsRejected;
  else if (!(cause instanceof ApplicationFailure && cause.nonRetryable)) type = PassingFailure.Unreachable;
  return {
    type,
    message: failureMessage(err),
    ...(details?.code ? { code: details.code } : {}),
    ...(details?.requestId ? { requestId: details.requestId } : {}),
  };
}

/** Types of errors that a later successful call makes stale. */
export const PASSING_ERROR_TYPES = new Set<string>(Object.values(PassingFailure));
