// The project's words, each written once. Pure data (no imports) so the workflow bundle, the API's
// schemas, the metrics and the bench can all share it. The strings are wire names and appear in
// recorded workflow histories: never rename one.

export const TOPOLOGIES = ['oneway', 'bidirectional'] as const;
export const PAY_TYPES = ['PostPaid', 'PrePaid'] as const;
export const JOB_CLASSES = ['micro', 'small', 'medium', 'large'] as const;
/** Where a Redis lives; see `EndpointKind` in types.ts. */
export const ENDPOINT_KINDS = ['enterprise', 'community', 'ecs', 'express'] as const;

/** Every phase a setup reports (SyncPhase), in the order a setup goes through them. */
export const SYNC_PHASES = [
  'purchasing',
  'configuring-forward',
  'waiting-for-window',
  'waiting-forward',
  'configuring-reverse',
  'waiting-reverse',
  'needs-attention',
  'synchronizing',
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
] as const satisfies readonly (typeof SYNC_PHASES)[number][];
