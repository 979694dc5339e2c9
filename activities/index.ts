import type { Client } from '@temporalio/client';
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
import { configureDirection, type ConfigureInput } from './dts/configure';
import { describeDirection, type DescribeInput } from './dts/describe';
import { describeJob, type DescribeJobInput } from './dts/describe-job';
import { claimAdoptedJob, releaseJobClaim, type JobClaimInput } from './adopted-claims';
import { purchaseInstance, type PurchaseInput } from './dts/purchase';
import { releaseInstance, type ReleaseInput } from './dts/release';
import { resetDirection, type ResetInput } from './dts/reset';
import { startDirection, type StartInput } from './dts/start';
import { suspendDirection, type SuspendInput } from './dts/suspend';
import type { WatchInput } from '../core/watcher';
import { watchDtsStatuses, type WatchDeps } from './watch-statuses';
import { createPreflightActivities } from './preflight';
import type { RkvstoreClient } from './rkvstore/client';

export interface ActivityDeps {
  dts: DtsClient;
  /** For the status watcher: reads visibility and signals setups. */
  client: Client;
  /** Who owns which DTS instance (a purchase claims what it buys; the watcher reports what nobody claims). */
  claims?: InstanceClaims;
  /** R-KVStore reads of the preflight (workflows/preflight.ts). */
  rkvstore: RkvstoreClient;
  /** The status watcher's liveness (worker/metrics.ts). */
  onWatchRound?: WatchDeps['onRound'];
}

/** One activity per DTS call, so the task queue's rate limit is the DTS call rate limit. */
export function createActivities({ dts, client, claims, rkvstore, onWatchRound }: ActivityDeps) {
  return {
    ...createPreflightActivities({ dts, client, rkvstore }),
    purchaseInstance: (input: PurchaseInput) => purchaseInstance(dts, input, claims),
    configureDirection: (input: ConfigureInput) => configureDirection(dts, input),
    describeDirection: (input: DescribeInput) => describeDirection(dts, input),
    /** An existing job, read for an adoption (core/adoption.ts). */
    describeJob: (input: DescribeJobInput) => describeJob(dts, input),
    claimAdoptedJob: (input: JobClaimInput) => claimAdoptedJob(claims, input),
    releaseJobClaim: (input: JobClaimInput) => releaseJobClaim(claims, input),
    startDirection: (input: StartInput) => startDirection(dts, input),
    resetDirection: (input: ResetInput) => resetDirection(dts, input),
    suspendDirection: (input: SuspendInput) => suspendDirection(dts, input),
    /** Long-running: batched status reads for the whole task queue (workflows/status-watcher.ts). */
    watchDtsStatuses: (input: WatchInput) => watchDtsStatuses({ dts, client, claims, onRound: onWatchRound }, input),
    releaseInstance: (input: ReleaseInput) => releaseInstance(dts, input),
    // Day-two changes (workflows/setup/change.ts).
    readChangeFacts: (input: DirectionInput) => readChangeFacts(dts, input),
    modifyDatabases: (input: ModifyDatabasesInput) => modifyDatabases(dts, input),
    readObjectTask: (input: ObjectTaskInput) => readObjectTask(dts, input),
    upgradeClass: (input: UpgradeClassInput) => upgradeClass(dts, input),
  };
}

export type Activities = ReturnType<typeof createActivities>;
