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

type Dir = 'Forward' | 'Reverse';

/**
 * DTS as the steps' activities see it: a status per direction that configure/start/reset move on, reads that
 * can be refused, and every call recorded by the runtime. `next` says where each action leaves a direction.
 */
export function fakeDts(rt: FakeRuntime, initial: Partial<Record<Dir, DtsDirectionStatus>> = {}) {
  const dts = {
    status: { Forward: 'notconfigured', Reverse: 'notconfigured', ...initial } as Record<Dir, DtsDirectionStatus>,
    next: { configure: 'synchronizing', start: 'synchronizing', reset: 'notconfigured' } as Record<
      'configure' | 'start' | 'reset',
      DtsDirectionStatus
    >,
    /** Set to make reads (of a direction, or all) throw. */
    readError: undefined as ((dir: Dir) => Error | undefined) | undefined,
    startError: undefined as (() => Error | undefined) | undefined,
    configureError: undefined as (() => Error | undefined) | undefined,
    precheckFailures: [] as DirectionSnapshot['precheckFailures'],
    errorMessage: undefined as string | undefined,
  };
  const dir = (input: unknown) => (input as { direction: Dir }).direction;
  rt.activities.describeDirection = async (input: unknown) => {
    const err = dts.readError?.(dir(input));
    if (err) throw err;
    const status = dts.status[dir(input)];
    return snapshot(status, {
      precheckFailures: status === 'precheckfailed' ? dts.precheckFailures : [],
      ...(dts.errorMessage && status === 'failed' ? { errorMessage: dts.errorMessage } : {}),
    });
  };
  rt.activities.configureDirection = async (input: unknown) => {
    const err = dts.configureError?.();
    if (err) throw err;
    dts.status[dir(input)] = dts.next.configure;
  };
  rt.activities.startDirection = async (input: unknown) => {
    const err = dts.startError?.();
    if (err) throw err;
    dts.status[dir(input)] = dts.next.start;
  };
  rt.activities.resetDirection = async (input: unknown) => {
    dts.status[dir(input)] = dts.next.reset;
  };
  return dts;
}

/** The actions a test's DTS received, as `Action Direction`. */
export function actions(rt: FakeRuntime): string[] {
  const names: Record<string, string> = {
    configureDirection: 'Configure',
    startDirection: 'Start',
    resetDirection: 'Reset',
    suspendDirection: 'Suspend',
    releaseInstance: 'Release',
  };
  return rt.calls
    .filter((c) => names[c.name])
    .map((c) => `${names[c.name]} ${(c.input as { direction?: string }).direction ?? ''}`.trim());
}
