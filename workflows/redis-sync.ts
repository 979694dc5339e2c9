import { workflowInfo } from '@temporalio/workflow';
import { runSetup } from './setup/procedure';
import { Setup } from './setup/setup';
import { initialState, type SetupState } from './setup/state';
import type { WaitTuning } from '../core/tuning';
import type { SetupRequest, SetupStatus } from '../core/types';

export interface RedisSyncInput {
  request: SetupRequest;
  tuning?: Partial<WaitTuning>;
  /** Carried across continue-as-new: where the setup stands (workflows/setup/state.ts). */
  state?: SetupState;
}

/**
 * One Redis sync setup, from purchase to Synchronizing, then monitored until released.
 * The steps are in workflows/setup/ (procedure.ts reads like the procedure).
 */
export async function redisSync(input: RedisSyncInput): Promise<SetupStatus> {
  const state = input.state ?? initialState(workflowInfo().workflowId, input.request, input.tuning, Date.now());
  return runSetup(new Setup(input.request, state));
}
