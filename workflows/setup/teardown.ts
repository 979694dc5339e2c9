import { condition, log } from '@temporalio/workflow';
import { leaveInPlace } from './adopt';
import { forgetAttention } from './attention';
import { forgetExpiry } from './expiry';
import { DtsFailure } from '../../core/failures';
import { errorSummary, failureType, isJobStatusConflict, isPermanent } from './failures';
import { backoffMs, DTS_CALL, MAX_BACKOFF_MS, RELEASE_CALL } from '../../core/timing';
import type { Setup } from './setup';

/**
 * End of the instance's life in this setup. `release`: an explicit teardown. `cleanup`: the
 * setup ended otherwise (abort, cancel, failure before the sync ever ran) and keepInstanceOnFailure
 * holds. A kept or PrePaid instance is suspended first (kept means stopped). Runs to completion:
 * the whole workflow is non-cancellable, and a release that keeps failing waits in release-failed
 * for an operator's retry (or its own slow retries) with the original error kept in `error`.
 * An adopted job (workflows/setup/adopt.ts) is left as it is unless the release asked for the instance.
 */
export async function teardown(setup: Setup, why: 'release' | 'cleanup'): Promise<void> {
  if (!setup.status.dtsJobId || setup.status.released) return;
  forgetExpiry(setup);
  setup.updateStatus({ phase: 'releasing', attention: undefined });
  forgetAttention(setup);
  // An adopted job is someone's: deleted only on an explicit release of the instance (DELETE ?release=true).
  if (setup.status.adopted && !setup.state.releaseInstance) return leaveInPlace(setup);
  const keepInstance = why === 'cleanup' && setup.request.keepInstanceOnFailure;
  if (keepInstance || setup.request.payType === 'PrePaid') {
    await retryUntilReleased(setup, () => suspendAll(setup));
    setup.updateStatus({
      released: {
        at: new Date().toISOString(),
        outcome: keepInstance ? 'kept' : 'prepaid-not-released',
        suspended: true,
      },
    });
    return;
  }
  const { outcome } = await retryUntilReleased(setup, () =>
    setup.dts(`Release ${setup.status.dtsJobId}`, RELEASE_CALL).releaseInstance(setup.instance()),
  );
  setup.updateStatus({ released: { at: new Date().toISOString(), outcome } });
}

/** Suspend every configured direction so a kept instance stops writing into the pair. */
async function suspendAll(setup: Setup): Promise<void> {
  for (const dir of setup.directions) {
    if (!setup.direction(dir).configured) continue;
    try {
      await setup.dts(`Suspend ${dir} on ${setup.status.dtsJobId}`, DTS_CALL).suspendDirection(setup.where(dir));
    } catch (err) {
      // Not Synchronizing (never started, failed, already suspended): nothing is being written.
      if (isJobStatusConflict(err) || failureType(err) === DtsFailure.NotFound) continue;
      throw err;
    }
  }
}

/** Retry without an overall limit; after a failed round show release-failed and wait. */
async function retryUntilReleased<T>(setup: Setup, step: () => Promise<T>): Promise<T> {
  for (let round = 0; ; round += 1) {
    try {
      const result = await step();
      setup.updateStatus({ phase: 'releasing', releaseError: undefined });
      return result;
    } catch (err) {
      const summary = errorSummary(err);
      log.error('teardown step failed', { dtsJobId: setup.status.dtsJobId, error: summary.message });
      setup.updateStatus({ phase: 'release-failed', releaseError: summary });
      setup.takeRetry();
      // A permanent refusal waits for an operator; anything else is also retried slowly by itself.
      const waitMs = isPermanent(err) ? undefined : backoffMs(round + 3, MAX_BACKOFF_MS);
      if (waitMs === undefined) await condition(() => Boolean(setup.state.retryRequested));
      else await condition(() => Boolean(setup.state.retryRequested), waitMs);
      setup.takeRetry();
      setup.updateStatus({ phase: 'releasing' });
      await setup.maybeContinueAsNew(); // the state carries the pending teardown
    }
  }
}
