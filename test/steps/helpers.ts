import { ApplicationFailure } from '@temporalio/common';
import { DtsFailure } from '../../core/failures';
import type { DirectionSnapshot, DtsDirectionStatus, SetupRequest } from '../../core/types';
import { Setup } from '../../workflows/setup/setup';
import { initialState } from '../../workflows/setup/state';
import { syncRequest } from '../support/requests';
import { resetRuntime, type FakeRuntime } from '../support/fake-workflow';

// The workflow steps outside the sandbox (test/support/fake-workflow.ts): a Setup on a fresh fake runtime.
// Each test file mocks '@temporalio/workflow' itself (vi.mock is hoisted per file).

export function newSetup(overrides: Partial<SetupRequest> = {}): { setup: Setup; rt: FakeRuntime } {
  const rt = resetRuntime();
  const request = syncRequest({ topology: 'oneway', ...overrides });
  const state = initialState('redis-sync.test', request, undefined, rt.nowMs);
  state.api = 'dtsjob';
  const setup = new Setup(request, state);
  setup.installHandlers();
  return { setup, rt };
}

/** A DTS refusal as the activities classify it (activities/dts/errors.ts). */
export function dtsError(type: string, code = 'SomeCode', nonRetryable = true): ApplicationFailure {
  return ApplicationFailure.create({
    message: `${type} ${code}`,
    type,
    nonRetryable,
    details: [{ code, requestId: 'req-1' }],
  });
}

export const refused = (code = 'InvalidParameter') => dtsError(DtsFailure.InvalidParameter, code);
export const credentials = () => dtsError(DtsFailure.Credentials, 'Forbidden.RAM');
export const unavailable = () => dtsError(DtsFailure.Unavailable, 'ServiceUnavailable', false);
/** No answer at all (a timeout): no DTS code. */
export const lost = () =>
  ApplicationFailure.create({ message: 'timed out', type: DtsFailure.Timeout, nonRetryable: false });
export const reset = () => dtsError(DtsFailure.Network, 'ECONNRESET', false);
export const conflict = () => dtsError(DtsFailure.JobStatusConflict, 'OperationDenied.JobStatusModifyConflict');
export const notFound = () => dtsError(DtsFailure.NotFound, 'Forbidden.InstanceNotFound');

export function snapshot(status: DtsDirectionStatus, more: Partial<DirectionSnapshot> = {}): DirectionSnapshot {
  const raw: Record<string, string> = {
    synchronizing: 'Synchronizing',
    failed: 'Failed',
    initializing: 'Initializing',
    prechecking: 'Prechecking',
    precheckfailed: 'PrecheckFailed',
    initializefailed: 'InitializeFailed',
    suspending: 'Suspending',
    notstarted: 'NotStarted',
    notconfigured: 'NotConfigured',
  };
  return {
    status,
    rawStatus: raw[status] ?? status,
    progress: status === 'synchronizing' ? 100 : 0,
    stage: 'other',
    stagePercent: 0,
    precheckFailures: [],
    ...more,
  };
}

/** Activities that answer from a queue of outcomes, the last repeated: an Error is thrown, anything else returned. */
export function answers(...outcomes: unknown[]): () => Promise<unknown> {
  let i = 0;
  return async () => {
    const outcome = outcomes[Math.min(i, outcomes.length - 1)];
    i += 1;
    if (outcome instanceof Error) throw outcome;
    return outcome;
  };
}
