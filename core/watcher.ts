// The DTS status watcher's names and messages (workflows/status-watcher.ts runs it), shared with the
// watch activity and the API.
import { defineQuery, defineSignal } from '@temporalio/workflow';

export interface WatchInput {
  taskQueue: string;
  namespace: string;
  /** The longest pause between rounds (used while the DTS budget is busy). */
  intervalMs: number;
  /** Kept for watchers started before per-region calls; each region is now one call, read page by page. */
  batchSize: number;
  /** The shortest pause between rounds, used while the budget has room (absent in old watchers). */
  minIntervalMs?: number;
  /** Unowned instances younger than this are not reported yet (a purchase may be about to claim them). */
  unclaimedSettleMs?: number;
  /**
   * The pause between reads while no watched setup waits for DTS (all settled): nobody waits on a change then,
   * only a failure must be seen soon; also the pace of the settled setups' reads while others wait. Absent in
   * older watchers: they read at the waiting pace throughout.
   */
  settledIntervalMs?: number;
  /** The unclaimed-instance sweep's pause after a change (absent: one minute). */
  sweepIntervalMs?: number;
  /** The longest it doubles to while nothing changes (absent: it never slows). */
  sweepMaxIntervalMs?: number;
}

export function statusWatcherId(taskQueue: string): string {
  return `dts-status-watcher.${taskQueue}`;
}

/** A DTS instance of the account that no setup owns (neither claimed nor any setup's DtsJobId). */
export interface UnclaimedInstance {
  dtsJobId: string;
  regionId: string;
  name: string;
  jobClass: string;
  payType: string;
  createdAt: string;
  /** The setup its owner tag names, which no longer runs (the instance was bought by this service). */
  taggedSetup?: string;
}

/** The watch activity's latest sweep; sent only when the list changes. */
export const unclaimedInstancesSignal = defineSignal<[UnclaimedInstance[]]>('unclaimedInstances');
/** What the API lists at GET /v1/instances/unclaimed. */
export const unclaimedInstancesQuery = defineQuery<{ instances: UnclaimedInstance[]; checkedAt?: string }>(
  'unclaimedInstances',
);
