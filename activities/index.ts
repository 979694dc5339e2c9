import { ApplicationFailure, type Client } from '@temporalio/client';
import type { InstanceClaims } from './instance-claims';
import type { DtsClient } from './dts/client';
import {
  modifyDatabases,
  readChangeFacts,
  readObjectTask,
  upgradeClass,
  type DirectionInput,
  type ModifyDatabasesInput,
  type ObjectTaskInput,
  type UpgradeClassInput,
} from './dts/changes';
import {
  modifyJobDatabases,
  modifyJobPassword,
  readJobChangeFacts,
  upgradeJobClass,
  type ModifyPasswordInput,
} from './dts/dts-job-changes';
import type { ConfigureInput } from './dts/configure';
import {
  instanceTags,
  renewInstance,
  tagInstance,
  untagInstance,
  type RenewInput,
  type TagInput,
  type UntagInput,
} from './dts/subscription';
import type { DescribeInput } from './dts/describe';
import type { DescribeJobInput } from './dts/describe-job';
import { familyOf, LEGACY_API, type DtsFamilies, type DtsFamily } from './dts/family';
import { dtsFamilies } from './dts/families';
import { claimAdoptedJob, releaseJobClaim, type JobClaimInput } from './adopted-claims';
import { purchaseInstance, type PurchaseInput } from './dts/purchase';
import type { ReleaseInput } from './dts/release';
import type { ResetInput } from './dts/reset';
import type { StartInput } from './dts/start';
import type { SuspendInput } from './dts/suspend';
import type { WatchInput } from '../core/watcher';
import type { DtsJobFacts } from '../core/adoption';
import { OWNER_TAG_KEY } from '../core/renewal';
import { DtsFailure } from '../core/failures';
import type { DtsApi } from '../core/types';
import { watchDtsStatuses, type WatchDeps } from './watch-statuses';
import { createPreflightActivities } from './preflight';
import type { RkvstoreClient } from './rkvstore/client';
import type { PreflightDtsList } from './preflight/reads';

export interface ActivityDeps {
  dts: DtsClient;
  /** The family new setups speak (DTS_API); the unclaimed sweep lists the account's instances with it. */
  api?: DtsApi;
  /** For the status watcher: reads visibility and signals setups. */
  client: Client;
  /** Who owns which DTS instance (a purchase claims what it buys; the watcher reports what nobody claims). */
  claims?: InstanceClaims;
  /** R-KVStore reads of the preflight (workflows/preflight.ts). */
  rkvstore: RkvstoreClient;
  /** How the preflight reads DTS's jobs (DTS_PREFLIGHT_LIST). */
  preflightDtsList?: PreflightDtsList;
  /** The status watcher's liveness (worker/metrics.ts). */
  onWatchRound?: WatchDeps['onRound'];
}

/** Which family a call speaks: the setup's own (absent in runs older than the choice: the legacy one). */
export interface FamilyChoice {
  api?: DtsApi;
}

/** One activity per DTS call, so the task queue's rate limit is the DTS call rate limit. */
export function createActivities({ dts, api, client, claims, rkvstore, onWatchRound, preflightDtsList }: ActivityDeps) {
  const families = dtsFamilies(dts);
  const family = (input: FamilyChoice): DtsFamily => familyOf(families, input.api);
  return {
    ...createPreflightActivities({ families, client, rkvstore, dtsList: preflightDtsList }),
    purchaseInstance: (input: PurchaseInput) => purchaseInstance(family(input), input, claims),
    configureDirection: (input: ConfigureInput & FamilyChoice) => configureOnce(family(input), input),
    describeDirection: (input: DescribeInput & FamilyChoice) => family(input).describe(input),
    /**
     * An existing job, read for an adoption (core/adoption.ts). A setup that names its family accepts an id of
     * either family: its own is asked first.
     */
    describeJob: (input: DescribeJobInput & FamilyChoice) => describeAnyFamily(dts, families, input),
    claimAdoptedJob: (input: JobClaimInput) => claimAdoptedJob(claims, input),
    releaseJobClaim: (input: JobClaimInput) => releaseJobClaim(claims, input),
    startDirection: (input: StartInput & FamilyChoice) => family(input).start(input),
    resetDirection: (input: ResetInput & FamilyChoice) => family(input).reset(input),
    suspendDirection: (input: SuspendInput & FamilyChoice) => family(input).suspend(input),
    /** Long-running: batched status reads for the whole task queue (workflows/status-watcher.ts). */
    watchDtsStatuses: (input: WatchInput) =>
      watchDtsStatuses({ dts, families, api: api ?? LEGACY_API, client, claims, onRound: onWatchRound }, input),
    releaseInstance: (input: ReleaseInput & FamilyChoice) => family(input).release(input),
    // Day-two changes (workflows/setup/change.ts), in the setup's family.
    readChangeFacts: (input: DirectionInput & FamilyChoice) =>
      input.api === 'dtsjob' ? readJobChangeFacts(dts, input) : readChangeFacts(dts, input),
    modifyDatabases: (input: ModifyDatabasesInput & FamilyChoice) =>
      input.api === 'dtsjob' ? modifyJobDatabases(dts, input) : modifyDatabases(dts, input),
    readObjectTask: (input: ObjectTaskInput) => readObjectTask(dts, input),
    upgradeClass: (input: UpgradeClassInput & FamilyChoice) =>
      input.api === 'dtsjob' ? upgradeJobClass(dts, input) : upgradeClass(dts, input),
    /** DtsJob only: the legacy family has no operation for a password (core/changes.ts familyRefusal). */
    modifyPassword: (input: ModifyPasswordInput) => modifyJobPassword(dts, input),
    // The instance's subscription and tags, both families (activities/dts/subscription.ts).
    renewInstance: (input: RenewInput) => renewInstance(dts, input),
    tagInstance: (input: TagInput) => tagInstance(dts, input),
    untagInstance: (input: UntagInput) => untagInstance(dts, input),
  };
}

/**
 * DTS refuses a Configure of a direction that is already configured (a retry after a lost answer) with a code
 * its documents do not name: a job-status code or an invalid parameter (dialect `reconfigure`). An
 * invalid-parameter refusal of a direction DTS shows configured is that case: it is told to the workflow as the
 * job-status conflict after which it reads the real state. A direction still unconfigured keeps the refusal.
 */
async function configureOnce(family: DtsFamily, input: ConfigureInput): Promise<void> {
  try {
    await family.configure(input);
  } catch (err) {
    if (!(err instanceof ApplicationFailure) || err.type !== DtsFailure.InvalidParameter) throw err;
    const { dtsJobId, regionId, direction } = input;
    const now = await family.describe({ dtsJobId, regionId, direction }).catch(() => undefined);
    if (!now || now.status === 'notconfigured' || now.status === 'unknown') throw err;
    throw ApplicationFailure.create({
      message: `${err.message} (the ${direction} direction is already configured: ${now.rawStatus})`,
      type: DtsFailure.JobStatusConflict,
      nonRetryable: true,
      details: err.details ? [...err.details] : undefined,
    });
  }
}

async function describeAnyFamily(
  dts: DtsClient,
  families: DtsFamilies,
  input: DescribeJobInput & FamilyChoice,
): Promise<DtsJobFacts | undefined> {
  const own = familyOf(families, input.api);
  let found = await own.job(input);
  // A run older than the choice speaks only the legacy family: it must not adopt a job it cannot drive.
  if (!found && input.api) found = await families[input.api === 'dtsjob' ? 'synchronizationjob' : 'dtsjob'].job(input);
  if (!found || !input.ownerTag) return found;
  const owner = await ownerTagOf(dts, input);
  return owner ? { ...found, ownerTag: owner } : found;
}

/**
 * The setup the instance's owner tag names. A refused read (RAM policy without ListTagResources, a DTS refusal)
 * leaves the claim as the only proof; a lost answer is retried like any read.
 */
async function ownerTagOf(dts: DtsClient, input: DescribeJobInput): Promise<string | undefined> {
  try {
    const tags = await instanceTags(dts, input.regionId, [input.dtsJobId]);
    return tags[input.dtsJobId]?.[OWNER_TAG_KEY] || undefined;
  } catch (err) {
    if (err instanceof ApplicationFailure && err.nonRetryable) return undefined;
    throw err;
  }
}

export type Activities = ReturnType<typeof createActivities>;
