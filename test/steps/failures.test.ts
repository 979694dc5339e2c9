import { ActivityFailure, ApplicationFailure, RetryState } from '@temporalio/common';
import { describe, expect, it, vi } from 'vitest';
import {
  errorSummary,
  failureMessage,
  failureType,
  hasDtsAnswer,
  isCredentials,
  isJobStatusConflict,
  isNetworkFailure,
  isPermanent,
  PASSING_ERROR_TYPES,
} from '../../workflows/setup/failures';
import { conflict, credentials, lost, refused, reset, unavailable } from './helpers';

vi.mock('@temporalio/workflow', async () => (await import('../support/fake-workflow')).fakeWorkflowModule());

const viaActivity = (cause: Error) =>
  new ActivityFailure('activity failed', 'describeDirection', '1', RetryState.MAXIMUM_ATTEMPTS_REACHED, 'w', cause);

// How the workflow reads an activity's failure (workflows/setup/failures.ts).
describe('failures', () => {
  it('reads the activity failure through to its cause', () => {
    const err = viaActivity(refused('InvalidParameter.Region'));
    expect(failureType(err)).toBe('DtsInvalidParameter');
    expect(failureMessage(err)).toBe('DtsInvalidParameter InvalidParameter.Region');
    expect(failureType(new Error('plain'))).toBeUndefined();
    expect(failureType(ApplicationFailure.create({ message: 'untyped' }))).toBeUndefined();
    expect(failureMessage('a string')).toBe('a string');
    // An activity failure without a cause speaks for itself.
    const bare = new ActivityFailure('no cause', 'x', '1', RetryState.MAXIMUM_ATTEMPTS_REACHED, 'w');
    expect(failureMessage(bare)).toBe('no cause');
  });

  it('a non-retryable refusal is permanent, except credentials; retryable ones never are', () => {
    expect(isPermanent(viaActivity(refused()))).toBe(true);
    expect(isPermanent(viaActivity(credentials()))).toBe(false);
    expect(isPermanent(viaActivity(unavailable()))).toBe(false);
    expect(isPermanent(new Error('boom'))).toBe(false);
    expect(isCredentials(viaActivity(credentials()))).toBe(true);
    expect(isCredentials(viaActivity(refused()))).toBe(false);
  });

  it('tells a network failure, a status conflict and a DTS answer apart', () => {
    expect(isNetworkFailure(viaActivity(reset()))).toBe(true);
    expect(isNetworkFailure(viaActivity(unavailable()))).toBe(false);
    expect(isJobStatusConflict(viaActivity(conflict()))).toBe(true);
    expect(isJobStatusConflict(viaActivity(refused()))).toBe(false);
    expect(hasDtsAnswer(viaActivity(refused()))).toBe(true);
    expect(hasDtsAnswer(viaActivity(lost()))).toBe(false);
    expect(hasDtsAnswer(new Error('boom'))).toBe(false);
  });

  it('summarizes an error as the status shows it: passing types for what is retried, with code and RequestId', () => {
    expect(errorSummary(viaActivity(credentials()))).toEqual({
      type: 'DtsCredentialsRejected',
      message: 'DtsCredentialsError Forbidden.RAM',
      code: 'Forbidden.RAM',
      requestId: 'req-1',
    });
    expect(errorSummary(viaActivity(unavailable()))).toMatchObject({
      type: 'DtsUnreachable',
      code: 'ServiceUnavailable',
    });
    expect(errorSummary(viaActivity(refused('Bad')))).toEqual({
      type: 'DtsInvalidParameter',
      message: 'DtsInvalidParameter Bad',
      code: 'Bad',
      requestId: 'req-1',
    });
    expect(errorSummary(viaActivity(lost()))).toEqual({ type: 'DtsUnreachable', message: 'timed out' });
    const untyped = ApplicationFailure.create({ message: 'no type', nonRetryable: true });
    expect(errorSummary(untyped)).toEqual({ type: 'ApplicationFailure', message: 'no type' });
    expect(errorSummary('odd')).toEqual({ type: 'DtsUnreachable', message: 'odd' });
    expect([...PASSING_ERROR_TYPES].sort()).toEqual(['DtsCredentialsRejected', 'DtsUnreachable']);
  });
});
