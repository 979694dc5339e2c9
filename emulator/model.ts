// Data model of the emulator: instances, jobs, directions and their run timelines.

/** One spelling per status (PascalCase); clients must compare case-insensitively. */
export type JobStatus =
  | 'NotConfigured'
  | 'NotStarted'
  | 'Prechecking'
  | 'PrecheckFailed'
  | 'Initializing'
  | 'InitializeFailed'
  | 'Synchronizing'
  | 'Failed'
  | 'Suspending'
  | 'Modifying'
  | 'Finished';

export type Direction = 'Forward' | 'Reverse';
export type Topology = 'oneway' | 'bidirectional';
export type PayType = 'PrePaid' | 'PostPaid';
/** The API family a job was bought through (absent in state files of older emulators: the legacy one). */
export type ApiFamily = 'synchronizationjob' | 'dtsjob';

export interface RedisInstance {
  instanceId: string;
  password: string;
  engineVersion: string;
  architecture: 'standard' | 'cluster' | 'rwsplit';
  region: string;
  edition: 'enterprise' | 'community' | 'self-managed';
  maxmemoryPolicy: string;
  /** R-KVStore InstanceStatus (default Normal) and direct connection (default off). */
  status?: string;
  directConnection?: boolean;
  dataSizeMb?: number;
  ip?: string;
  port?: number;
}

/** An endpoint as Configure received it (password kept only to re-run the precheck). */
export interface EndpointConfig {
  instanceType: string;
  instanceId?: string;
  ip?: string;
  port?: number;
  password?: string;
  userName?: string;
  /** When ModifyDtsJobPassword last gave this end a new password (the admin view shows it, never the password). */
  passwordChangedAt?: number;
}

export interface DirectionConfig {
  name?: string;
  taskId: string;
  source: EndpointConfig;
  destination: EndpointConfig;
  structureInitialization: boolean;
  dataInitialization: boolean;
  synchronizationObjects: unknown[];
  migrationReserved?: Record<string, unknown>;
  checkpoint?: number;
  /** DtsJob's DataSynchronization: false runs the initialization only, then the direction is Finished. */
  dataSynchronization?: boolean;
  /** DtsJob's DbList as sent (the legacy family's objects are in synchronizationObjects). */
  dbList?: Record<string, unknown>;
}

export interface PrecheckItem {
  ItemName: string;
  CheckStatus: 'Success' | 'Failed' | 'Warning';
  ErrorMessage: string;
  RepairMethod: string;
}

/** A module of a run: skipped, already done by an earlier run, or running for `ms`. */
export type RunModule = { state: 'skip' } | { state: 'done' } | { state: 'run'; ms: number };

/**
 * The timeline of one start of a direction. Every status is a function of `now` and these
 * absolute numbers, so a restarted emulator continues where it stopped.
 */
export interface RunPlan {
  kind: 'full' | 'recover' | 'resume';
  startedAt: number;
  precheck: { ms: number; items: PrecheckItem[]; passed: boolean };
  structure: RunModule;
  data: RunModule;
  /** Extra Initializing time of a recovery (modules already done). */
  warmupMs: number;
  totalRecords: number;
  objectCount: number;
  /** Offset from startedAt at which initialization fails (fault `init-fail`). */
  initFailAfterMs?: number;
  initFailMessage?: string;
  /** Absolute time at which a Synchronizing direction turns Failed (fault `fail-later`). */
  failAt?: number;
  failMessage?: string;
  suspendedAt?: number;
  /** No incremental synchronization (DtsJob DataSynchronization=false): Finished where it would synchronize. */
  finishAfterInit?: boolean;
  /** How many of this run's transitions are already copied into the direction history. */
  emitted: number;
}

export interface StatusChange {
  status: JobStatus;
  at: string;
}

export interface DirectionRecord {
  /** The DtsJob family's id of this direction's task (DtsJobId); the legacy family names the instance only. */
  dtsJobId?: string;
  configureCount: number;
  startCount: number;
  config?: DirectionConfig;
  configuredAt?: number;
  run?: RunPlan;
  history: StatusChange[];
  /** Extra replication lag while Synchronizing, set by the admin route POST /__emulator/jobs/:id/delay. */
  extraDelayMs?: number;
  /** ModifySynchronizationObject under way or done: Modifying until `until`, then these objects. */
  modification?: ObjectModification;
}

export interface ObjectModification {
  taskId: string;
  objects: unknown[];
  /** ModifyDtsJob's DbList as sent (its objects are also in `objects`, in the legacy family's shape). */
  dbList?: Record<string, unknown>;
  startedAt: number;
  until: number;
}

export interface JobRecord {
  /** The instance id: SynchronizationJobId of the legacy family, DtsInstanceId of the DtsJob family. */
  jobId: string;
  family?: ApiFamily;
  createdAt: number;
  released: boolean;
  releasedAt?: number;
  topology: Topology;
  payType: PayType;
  period?: 'Year' | 'Month';
  usedTime?: number;
  jobClass: string;
  /** When a PrePaid subscription ends, once RenewInstance (or the admin) moved it; absent: purchase + term. */
  expiresAt?: number;
  /** TagResources: key → value (at most 20). */
  tags?: Record<string, string>;
  /** CreateDtsInstance/CreateSynchronizationJob ResourceGroupId. */
  resourceGroupId?: string;
  /** TransferInstanceClass placed: DTS reports the new class from `at` on. */
  classChange?: { to: string; at: number };
  sourceRegion: string;
  destRegion: string;
  regionId?: string;
  sourceEngine: string;
  destinationEngine: string;
  clientToken?: string;
  directions: { Forward: DirectionRecord; Reverse?: DirectionRecord };
}

export interface ClientTokenRecord {
  accessKeyId: string;
  token: string;
  fingerprint: string;
  jobId: string;
  /** When the token was first used (absent in state files of older emulators). */
  createdAt?: number;
}
