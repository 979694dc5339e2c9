import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { Direction, DtsStatus, SyncStatus } from './types';

/** The whole story of a setup, without secrets. Served by the API's GET /v1/syncs/:id. */
export const statusQuery = defineQuery<SyncStatus>('status');

/** Operator fixed what the failed precheck reported: run the precheck again. */
export const retrySignal = defineSignal('retry');
/** Operator gives up on a setup that needs attention; the instance is released unless kept. */
export const abortSignal = defineSignal('abort');
/** Tear the sync down: release the DTS instance and finish. */
export const releaseSignal = defineSignal('release');
/** From the status watcher: DTS reports a new status for one direction of this setup. */
export const dtsStatusSignal = defineSignal<[DtsStatusNews]>('dtsStatusChanged');

export interface DtsStatusNews {
  direction: Direction;
  status: DtsStatus;
}
