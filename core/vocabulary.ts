// The project's words, each written once. Pure data (no imports) so the workflow bundle, the API's
// schemas, the metrics and the bench can all share it. The strings are wire names and appear in
// recorded workflow histories: never rename one.

export const TOPOLOGIES = ['oneway', 'bidirectional'] as const;
/** The two directions of a DTS job; a two-way sync has both. */
export const DIRECTIONS = ['Forward', 'Reverse'] as const;
export const PAY_TYPES = ['PostPaid', 'PrePaid'] as const;
/** The unit of a prepaid instance's `usedTime`. */
export const PREPAID_PERIODS = ['Year', 'Month'] as const;
export const JOB_CLASSES = ['micro', 'small', 'medium', 'large'] as const;
/**
 * The DTS API families a setup can speak (docs/dts-api.md §0): `dtsjob` (CreateDtsInstance, ConfigureDtsJob, …),
 * which Alibaba maintains, and the legacy `synchronizationjob` (CreateSynchronizationJob, …).
 */
export const DTS_APIS = ['dtsjob', 'synchronizationjob'] as const;
/** Where a Redis lives; see `EndpointKind` in types.ts. */
export const ENDPOINT_KINDS = ['enterprise', 'community', 'ecs', 'express'] as const;

/** Every phase a setup reports (SetupPhase), in the order a setup goes through them. */
export const SETUP_PHASES = [
  'purchasing',
  /** Instead of purchasing: taking over a DTS job bought outside (request `adopt`). */
  'adopting',
  'configuring-forward',
  'waiting-for-window',
  'waiting-forward',
  'configuring-reverse',
  'waiting-reverse',
  'needs-attention',
  'synchronizing',
  /** A day-two change (databases, jobClass, tags, resume) being applied; the sync keeps running. */
  'changing',
  /** Both directions suspended on request (POST /pause); resumes by itself at `paused.resumeAt`. */
  'paused',
  'releasing',
  'release-failed',
  'released',
  'failed',
  'cancelled',
] as const;

/** The phases a setup reports only once it has ended (its run is closed or closing). */
export const ENDED_PHASES = [
  'released',
  'failed',
  'cancelled',
] as const satisfies readonly (typeof SETUP_PHASES)[number][];

/** Why a setup stopped for an operator (needs-attention): `attention.kind` of its status. */
export const ATTENTION_KINDS = [
  'precheck-failed',
  'suspended-outside',
  'restarts-exhausted',
  'wait-deadline',
  'dts-unreadable',
  'purchase-outcome-unknown',
  'setup-error',
  'delay',
] as const;

/**
 * How a setup's teardown ended: `released.outcome` of its status. `left-in-place`: an adopted job the
 * setup let go of without touching it (no `?release=true`).
 */
export const RELEASE_OUTCOMES = ['released', 'already-gone', 'kept', 'prepaid-not-released', 'left-in-place'] as const;

/**
 * What DTS says about one direction of a job, normalised from its many spellings (core/normalize-dts.ts);
 * `unknown` is any spelling not seen before.
 */
export const DTS_DIRECTION_STATUSES = [
  'notconfigured',
  'notstarted',
  'prechecking',
  'precheckfailed',
  'initializing',
  'initializefailed',
  'synchronizing',
  'failed',
  'suspending',
  'modifying',
  'finished',
  'unknown',
] as const;

/** How deep a data verification compares: existence and type, then length, then the whole value. */
export const VERIFY_DEPTHS = ['type', 'length', 'value'] as const;
/** A finished verification's verdict; `unverifiable`: an instance could not be read (the sync is untouched). */
export const VERIFICATION_OUTCOMES = ['consistent', 'inconsistent', 'unverifiable'] as const;
