// The product's DTS verbs, one implementation per API family (docs/dts-api.md §13): the legacy
// `*SynchronizationJob` family (synchronization-job.ts) and the maintained DtsJob family (dts-job.ts).
// Everything above this interface (activities, workflow, watcher, preflight) speaks verbs, never actions.
import type { DtsClient } from './client';
import type { ConfigureInput } from './configure';
import type { DtsInstanceSummary } from './list-instances';
import type { ReleaseResult } from './release';
import type { CheckpointBoard, StatusBoard } from './status-list';
import type { DtsJobFacts } from '../../core/adoption';
import type { Direction, DirectionSnapshot, DtsApi, JobClass, PayType, Topology } from '../../core/types';

/**
 * One DTS instance: `dtsJobId` is the id the setup keeps, the SynchronizationJobId of the legacy family or the
 * DtsInstanceId of the DtsJob family.
 */
export interface JobRef {
  dtsJobId: string;
  regionId: string;
}

export interface DirectionRef extends JobRef {
  direction: Direction;
}

export interface CreateInput {
  regionId: string;
  sourceRegion: string;
  destinationRegion: string;
  topology: Topology;
  jobClass: JobClass;
  payType: PayType;
  period?: 'Year' | 'Month';
  usedTime?: number;
  /** ResourceGroupId of the purchase; absent: the account's default group. */
  resourceGroupId?: string;
  /** Makes a retried purchase answer the same instance, in a family that takes one (the legacy family). */
  clientToken: string;
}

/** Counts the calls a verb made (pages), for the caller's pace. */
export interface CallCount {
  count: number;
}

export interface DtsFamily {
  readonly api: DtsApi;
  /** Buys one instance; answers its id. Nothing runs until a direction is configured. */
  create(input: CreateInput): Promise<string>;
  /** Configures one direction; DTS runs its precheck (and, unless told otherwise, the sync) by itself. */
  configure(input: ConfigureInput): Promise<void>;
  /** One direction's status, reduced to what the workflow needs. */
  describe(input: DirectionRef): Promise<DirectionSnapshot>;
  /** Both directions of many instances of one region, every page (the status watcher's batched read). */
  statuses(regionId: string, ids: string[], checkpoints?: CheckpointBoard, calls?: CallCount): Promise<StatusBoard>;
  /** Every live instance of the account in a region (lost purchases, the unclaimed sweep, the preflight). */
  list(regionId: string, calls?: CallCount): Promise<DtsInstanceSummary[]>;
  /**
   * The live instances with a direction from or to one of these cloud instances (the preflight's cascade check),
   * filtered by DTS; absent where the family's list cannot filter by instance (then `list` and filter here).
   */
  touching?(regionId: string, instanceIds: string[], calls?: CallCount): Promise<DtsInstanceSummary[]>;
  /**
   * The live instances created since `sinceMs`, perhaps with older ones (a lost purchase's candidates), in fewer
   * calls than `list`; absent where the family cannot list newest first (then `list`).
   */
  listSince?(regionId: string, sinceMs: number, calls?: CallCount): Promise<DtsInstanceSummary[]>;
  /** One instance read for an adoption; undefined when this family does not know the id. */
  job(input: JobRef): Promise<DtsJobFacts | undefined>;
  /** Starts a NotStarted direction (its precheck), or restarts a Failed or Suspending one. */
  start(input: DirectionRef): Promise<void>;
  /** Stops a Synchronizing direction from writing, keeping the instance. */
  suspend(input: DirectionRef): Promise<void>;
  /** Clears a direction's configuration (configure it again afterwards). */
  reset(input: DirectionRef): Promise<void>;
  /** Releases the whole instance; one already gone counts as released. */
  release(input: JobRef): Promise<ReleaseResult>;
}

/** The family of a run that predates the choice: every setup then spoke the legacy family. */
export const LEGACY_API: DtsApi = 'synchronizationjob';

/** The families over one client; activities pick one per call by the setup's `api`. */
export type DtsFamilies = Record<DtsApi, DtsFamily>;

export function familyOf(families: DtsFamilies, api: DtsApi | undefined): DtsFamily {
  return families[api ?? LEGACY_API];
}

export type DtsFamilyFactory = (dts: DtsClient) => DtsFamily;

type WithClient<F> = F extends (...args: infer A) => infer R ? (dts: DtsClient, ...args: A) => R : never;

/** A family's verbs as plain functions of the client, each file's own. */
export type FamilyVerbs = {
  [K in Exclude<keyof DtsFamily, 'api' | 'touching' | 'listSince'>]: WithClient<DtsFamily[K]>;
} & {
  touching?: WithClient<NonNullable<DtsFamily['touching']>>;
  listSince?: WithClient<NonNullable<DtsFamily['listSince']>>;
};

/** The family whose verbs all speak through one client. */
export function withClient(dts: DtsClient, api: DtsApi, verbs: FamilyVerbs): DtsFamily {
  const { touching, listSince } = verbs;
  return {
    api,
    create: (input) => verbs.create(dts, input),
    configure: (input) => verbs.configure(dts, input),
    describe: (input) => verbs.describe(dts, input),
    statuses: (regionId, ids, checkpoints, calls) => verbs.statuses(dts, regionId, ids, checkpoints, calls),
    list: (regionId, calls) => verbs.list(dts, regionId, calls),
    ...(touching ? { touching: (regionId, ids, calls) => touching(dts, regionId, ids, calls) } : {}),
    ...(listSince ? { listSince: (regionId, sinceMs, calls) => listSince(dts, regionId, sinceMs, calls) } : {}),
    job: (input) => verbs.job(dts, input),
    start: (input) => verbs.start(dts, input),
    suspend: (input) => verbs.suspend(dts, input),
    reset: (input) => verbs.reset(dts, input),
    release: (input) => verbs.release(dts, input),
  };
}
