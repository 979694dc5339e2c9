// Failure type names, each written once. They are `ApplicationFailure.type`s and status `error.type`s
// recorded in workflow histories: never rename one. Import the constants so a typo fails to compile.

/** The types activities give DTS and R-KVStore failures. Retryable ones are retried by Temporal's policy. */
export const DtsFailure = {
  Throttled: 'DtsThrottled',
  Unavailable: 'DtsUnavailable',
  Network: 'DtsNetworkError',
  Timeout: 'DtsTimeout',
  Credentials: 'DtsCredentialsError',
  InvalidParameter: 'DtsInvalidParameter',
  Billing: 'DtsBillingError',
  NotFound: 'DtsNotFound',
  JobStatusConflict: 'DtsJobStatusConflict',
  IdempotencyMismatch: 'DtsIdempotencyMismatch',
  Permanent: 'DtsPermanentError',
} as const;
export type DtsFailureType = (typeof DtsFailure)[keyof typeof DtsFailure];

/** The DTS failures a setup's status shows as they are: the refusals that retrying does not change. */
export type PermanentDtsFailureType = (typeof DtsFailure)[
  'InvalidParameter' | 'Billing' | 'NotFound' | 'JobStatusConflict' | 'IdempotencyMismatch' | 'Permanent'];

/** What a setup's status shows for the DTS failures it keeps retrying; the next success clears them. */
export const PassingFailure = {
  /** A DTS call failed for now (network, throttling, timeout, 5xx). */
  Unreachable: 'DtsUnreachable',
  /** DTS refused the AccessKey or its permissions; retried slowly. */
  CredentialsRejected: 'DtsCredentialsRejected',
} as const;
export type PassingFailureType = (typeof PassingFailure)[keyof typeof PassingFailure];

/** The types a setup ends with when it gives up, thrown by the workflow itself. */
export const SetupFailure = {
  PurchaseOutcomeUnknown: 'PurchaseOutcomeUnknown',
  WaitDeadlineExceeded: 'WaitDeadlineExceeded',
  AttentionDeadlineExceeded: 'AttentionDeadlineExceeded',
  /** Ended failed with no error of its own recorded. */
  Failed: 'SetupFailed',
  /** An adoption refused: the job differs from the request, or another setup holds it. */
  AdoptedJobMismatch: 'AdoptedJobMismatch',
  AdoptedJobHeld: 'AdoptedJobHeld',
} as const;
export type SetupFailureType = (typeof SetupFailure)[keyof typeof SetupFailure];

/**
 * Every `error.type` (and `releaseError.type`) a setup's status can carry; the API returns them as they are.
 * Open-ended on purpose: an unexpected error keeps its own name, and recorded histories hold any string.
 */
export type FailureType =
  /** A DTS failure being retried; cleared by the next success. */
  | PassingFailureType
  /** DTS refused the call for good. */
  | PermanentDtsFailureType
  /** The setup gave up. */
  | SetupFailureType
  /** A closed run read by the API (api/setup-view.ts): terminated, or failed without a type. */
  | 'Terminated'
  | 'Error'
  /** Any other error, by its name. */
  | (string & {});
