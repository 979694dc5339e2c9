import type { Duration } from '@temporalio/common';
import type { ChangeRecord, PauseState } from './changes';
import type { FailureType } from './failures';
import type * as vocabulary from './vocabulary';

// The contract shared by the API, the workflow and the activities. Plain data only:
// everything here crosses Temporal payloads.

export type Topology = (typeof vocabulary.TOPOLOGIES)[number];
export type Direction = (typeof vocabulary.DIRECTIONS)[number];
export type PayType = (typeof vocabulary.PAY_TYPES)[number];
export type JobClass = (typeof vocabulary.JOB_CLASSES)[number];
export type PrepaidPeriod = (typeof vocabulary.PREPAID_PERIODS)[number];
export type VerifyDepth = (typeof vocabulary.VERIFY_DEPTHS)[number];
export type VerificationOutcome = (typeof vocabulary.VERIFICATION_OUTCOMES)[number];
export type DtsApi = (typeof vocabulary.DTS_APIS)[number];

/**
 * Where a Redis lives. `enterprise` and `community` are Alibaba Cloud instances (by id);
 * `ecs` is a self-managed Redis on an ECS instance (id + port); `express` is a self-managed
 * Redis reachable by IP and port. Two-way sync needs two `enterprise` endpoints.
 */
export type EndpointKind = (typeof vocabulary.ENDPOINT_KINDS)[number];

export interface RedisEndpoint {
  kind: EndpointKind;
  instanceId?: string;
  region: string;
  password: string;
  /** Database account; absent: the default account (docs/dts-api.md §1.2). */
  username?: string;
  ip?: string;
  port?: number;
}

export interface DatabaseMapping {
  from: number;
  to: number;
}

/**
 * When DTS may run the full initialization (it loads both databases): local wall-clock times
 * "HH:MM" in an IANA zone; `end` before `start` crosses midnight.
 */
export interface InitializationWindow {
  start: string;
  end: string;
  timeZone: string;
}

export interface SetupRequest {
  name: string;
  topology: Topology;
  /** Region of the DTS instance. */
  region: string;
  source: RedisEndpoint;
  destination: RedisEndpoint;
  databases: DatabaseMapping[];
  jobClass: JobClass;
  payType: PayType;
  period?: PrepaidPeriod;
  usedTime?: number;
  /** Keep the paid DTS instance when the setup fails or is aborted. */
  keepInstanceOnFailure: boolean;
  /** How long to wait for each direction to reach Synchronizing, e.g. '48h'. */
  waitDeadline: Duration;
  /** How long a setup waits for an operator in needs-attention before giving up. */
  attentionDeadline: Duration;
  /** Replication delay a kept setup tolerates (default DEFAULT_MAX_DELAY); absent in older requests. */
  maxDelay?: Duration;
  /** How long the delay may stay above maxDelay before needs-attention (default DEFAULT_DELAY_GRACE). */
  delayGrace?: Duration;
  /** Start the Forward direction (precheck and full initialization) only inside this window. */
  initializationWindow?: InitializationWindow;
  /** Measure the end-to-end lag with a canary key written every `intervalSeconds` (patch e2e-canary-v1). */
  canary?: { intervalSeconds: number };
  /** Take over this existing DTS job instead of buying one (patch adopt-existing-job-v1). */
  adopt?: { dtsJobId: string };
  /** The resource group the instance is bought in (ResourceGroupId of the purchase). */
  resourceGroupId?: string;
  /** PrePaid only: renew by itself this term when fewer than `daysBefore` days are left (patch auto-renew-v1). */
  renew?: AutoRenewal;
}

/** A setup's own renewal: absent, it never renews by itself. */
export interface AutoRenewal {
  auto: true;
  period: 'Month' | 'Year';
  usedTime: number;
  daysBefore: number;
}

export const DEFAULT_MAX_DELAY: Duration = '5m';
export const DEFAULT_DELAY_GRACE: Duration = '10m';

/**
 * Where a setup is (SETUP_PHASES in vocabulary.ts). `waiting-for-window`: Forward is configured with its
 * automatic start suppressed; a timer starts it at the window's opening. `release-failed`: the release
 * failed and waits for an operator's retry (or its own slow retries); the instance may still bill.
 */
export type SetupPhase = (typeof vocabulary.SETUP_PHASES)[number];

export interface PrecheckFailure {
  item: string;
  message: string;
  repairMethod?: string;
}

/** What DTS says about one direction, normalised (core/normalize-dts.ts). */
export interface DirectionSnapshot {
  status: DtsDirectionStatus;
  /** DTS's own spelling, for operators. */
  rawStatus: string;
  /** Overall progress 0..100 across precheck, structure and data initialization. */
  progress: number;
  /** The step DTS is in now and its own percent: what the adaptive wait extrapolates. */
  stage: 'precheck' | 'structure' | 'data' | 'other';
  stagePercent: number;
  precheckFailures: PrecheckFailure[];
  errorMessage?: string;
  delaySeconds?: number;
  checkpoint?: string;
  /** When a PrePaid instance ends (DTS's ExpireTime, the instance's, the same in both directions); absent for PostPaid. */
  expireTime?: string;
}

/** DTS's status of one direction (DTS_DIRECTION_STATUSES), not the setup's phase nor Temporal's execution status. */
export type DtsDirectionStatus = (typeof vocabulary.DTS_DIRECTION_STATUSES)[number];

export interface DirectionState extends Partial<DirectionSnapshot> {
  configured: boolean;
  configuredAt?: string;
  synchronizingAt?: string;
  restarts: number;
}

export interface ErrorSummary {
  type: FailureType;
  message: string;
  /** DTS's error code and RequestId, when DTS answered. */
  code?: string;
  requestId?: string;
}

export type AttentionKind = (typeof vocabulary.ATTENTION_KINDS)[number];
export type ReleaseOutcome = (typeof vocabulary.RELEASE_OUTCOMES)[number];

/** An endpoint without its password: what histories, memos and replies may show. */
export type EndpointSummary = Omit<RedisEndpoint, 'password'>;

/**
 * The setup's own status: the story of one setup as its workflow tells it (the `status` query, its result), shown by
 * the API and the Temporal UI. Not DTS's status of a direction (DtsDirectionStatus) nor Temporal's execution status
 * (`workflowStatus` in the API). Never holds a secret.
 */
export interface SetupStatus {
  id: string;
  name: string;
  topology: Topology;
  phase: SetupPhase;
  /** The DTS instance: its SynchronizationJobId (legacy family) or DtsInstanceId (dtsjob family). */
  dtsJobId?: string;
  /** The DTS API family the setup speaks; absent in runs older than the choice (they speak the legacy one). */
  dtsApi?: DtsApi;
  payType: PayType;
  source: EndpointSummary;
  destination: EndpointSummary;
  forward: DirectionState;
  reverse?: DirectionState;
  /** The initialization window of the request, and when Forward starts (or started) in it. */
  window?: InitializationWindow & { opensAt: string };
  error?: ErrorSummary;
  attention?: {
    direction: Direction;
    reason: string;
    failures: PrecheckFailure[];
    since: string;
    /** When the setup gives up by itself; absent once the sync ever ran (then only an operator ends it). */
    deadline?: string;
    /** Why the setup stopped (absent in statuses of older runs). */
    kind?: AttentionKind;
    /** DTS's own status and words at the time, when DTS said something. */
    dtsStatus?: string;
  };
  released?: {
    at: string;
    outcome: ReleaseOutcome;
    suspended?: boolean;
  };
  /** The last failed release attempt (phase release-failed); `error` keeps what ended the setup. */
  releaseError?: ErrorSummary;
  /**
   * The setup adopted an existing DTS job (request `adopt`): nothing was bought, and only a release asked
   * with `releaseInstance` (DELETE ?release=true) deletes the job; every other ending leaves it as it is.
   */
  adopted?: { dtsJobId: string; at: string; releaseInstance?: boolean };
  /** Set once any direction reached Synchronizing: from then on only an explicit release ends the sync. */
  everSynchronizing?: boolean;
  /** Day-two changes asked of this setup, oldest first (the last CHANGES_KEPT). */
  changes?: ChangeRecord[];
  /** Paused on request (POST /pause); absent when running or paused from the console. */
  paused?: PauseState;
  /** What is synchronized now, once a change made it differ from the request (absent: as requested). */
  databases?: DatabaseMapping[];
  jobClass?: JobClass;
  tags?: string[];
  /** When the PrePaid instance ends, as DTS last reported it (patch renew-tags-v1); absent for PostPaid. */
  expiresAt?: string;
  /** The latest comparison of the data at both ends (after first Synchronizing, or on request). */
  verification?: VerificationStatus;
  createdAt: string;
  updatedAt: string;
}

/**
 * One verification of a setup's data. Key names and why they differ, never values: examples are the
 * differences that remained after the re-check rounds.
 */
export interface VerificationStatus {
  id: string;
  state: 'running' | 'done';
  depth: VerifyDepth;
  /** `both`: a two-way setup is checked from each end (a key only at the destination differs too). */
  directions: 'forward' | 'both';
  /** `synchronizing`: the automatic one after the first Synchronizing; else who asked. */
  trigger: 'synchronizing' | 'request';
  by?: string;
  startedAt: string;
  finishedAt?: string;
  outcome?: VerificationOutcome;
  rounds?: number;
  keysCompared?: number;
  keysDiffering?: number;
  examples?: { key: string; reason: string }[];
  /** Why it is unverifiable. */
  reason?: string;
}

export function summarizeEndpoint(endpoint: RedisEndpoint): EndpointSummary {
  const { password: _secret, ...summary } = endpoint;
  return summary;
}
