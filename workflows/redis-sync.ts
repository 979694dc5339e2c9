import { patched, workflowInfo } from '@temporalio/workflow';
import { legacyRedisSync } from './setup/legacy';
import { runSetup } from './setup/procedure';
import { Setup } from './setup/setup';
import { initialState, stateFromStatus, type SetupState } from './setup/state';
import type { WaitTuning } from './tuning';
import type { SyncRequest, SetupStatus } from './types';

export interface RedisSyncInput {
  request: SyncRequest;
  tuning?: Partial<WaitTuning>;
  /** Carried across continue-as-new by runs of the code before the state machine. */
  resumed?: SetupStatus;
  /** Carried across continue-as-new: where the setup stands (workflows/setup/state.ts). */
  state?: SetupState;
}

/** Patch of the explicit state machine (issue 9). Runs recorded without it replay the old code. */
export const STATE_MACHINE_PATCH = 'explicit-state-machine-v1';

/**
 * One Redis sync setup, from purchase to Synchronizing, then its keeper until released.
 * The steps are in workflows/setup/ (procedure.ts reads like the procedure).
 */
export async function redisSync(input: RedisSyncInput): Promise<SetupStatus> {
  if (!patched(STATE_MACHINE_PATCH)) return legacyRedisSync(input);
  const info = workflowInfo();
  const state =
    input.state ??
    (input.resumed
      ? stateFromStatus(input.resumed, input.request, input.tuning)
      : initialState(info.workflowId, input.request, input.tuning, Date.now()));
  return runSetup(new Setup(input.request, state));
}
