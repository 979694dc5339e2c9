import { patched, workflowInfo } from '@temporalio/workflow';
import { DTS_FAMILY_PATCH } from './setup/patches';
import { runSetup } from './setup/procedure';
import { Setup } from './setup/setup';
import { initialState, type SetupState } from './setup/state';
import type { WaitTuning } from '../core/tuning';
import type { DtsApi, SetupRequest, SetupStatus } from '../core/types';

export interface RedisSyncInput {
  request: SetupRequest;
  tuning?: Partial<WaitTuning>;
  /** The DTS API family the setup speaks, chosen by its starter (DTS_API); absent: the legacy one. */
  api?: DtsApi;
  /** Carried across continue-as-new: where the setup stands (workflows/setup/state.ts). */
  state?: SetupState;
}

/**
 * One Redis sync setup, from purchase to Synchronizing, then monitored until released.
 * The steps are in workflows/setup/ (procedure.ts reads like the procedure).
 */
export async function redisSync(input: RedisSyncInput): Promise<SetupStatus> {
  let state = input.state;
  if (!state) {
    state = initialState(workflowInfo().workflowId, input.request, input.tuning, Date.now());
    // The family is chosen once, here; a continued run carries it in its state.
    if (patched(DTS_FAMILY_PATCH)) {
      state.api = input.api ?? 'synchronizationjob';
      state.status.dtsApi = state.api;
    }
  }
  return runSetup(new Setup(input.request, state));
}
