import { condition, log } from '@temporalio/workflow';
import { leaveInPlace } from './adopt';
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
export async function teardown(s: Setup, why: 'release' | 'cleanup'): Promise<void> {
  if (!s.status.dtsJobId || s.status.released) return;
  s.tell({ phase: 'releasing', attention: undefined });
  s.state.attention = undefined;
  // An adopted job is someone's: deleted only on an explicit release of the instance (DELETE ?release=true).
  if (s.status.adopted && !s.state.releaseInstance) return leaveInPlace(s);
  const keep = why === 'cleanup' && s.request.keepInstanceOnFailure;
  if (keep || s.request.payType === 'PrePaid') {
    await untilDone(s, () => suspendAll(s));
    s.tell({
      released: { at: new Date().toISOString(), outcome: keep ? 'kept' : 'prepaid-not-released', suspended: true },
    });
    return;
  }
  const { outcome } = await untilDone(s, () =>
    s
      .dts(`Release ${s.status.dtsJobId}`, RELEASE_CALL)
      .releaseInstance({ dtsJobId: s.status.dtsJobId!, regionId: s.request.region }),
  );
  s.tell({ released: { at: new Date().toISOString(), outcome } });
}

/** Suspend every configured direction so a kept instance stops writing into the pair. */
async function suspendAll(s: Setup): Promise<void> {
  for (const dir of s.directions) {
    if (!s.direction(dir).configured) continue;
    try {
      await s.dts(`Suspend ${dir} on ${s.status.dtsJobId}`, DTS_CALL).suspendDirection({
        dtsJobId: s.status.dtsJobId!,
        regionId: s.request.region,
        direction: dir,
      });
    } catch (err) {
      // Not Synchronizing (never started, failed, already suspended): nothing is being written.
      if (isJobStatusConflict(err) || failureType(err) === DtsFailure.NotFound) continue;
      throw err;
    }
  }
}

/** Retry without an overall limit; after a failed round show release-failed and wait. */
async function untilDone<T>(s: Setup, step: () => Promise<T>): Promise<T> {
  for (let round = 0; ; round += 1) {
    try {
      const result = await step();
      s.tell({ phase: 'releasing', releaseError: undefined });
      return result;
    } catch (err) {
      const summary = errorSummary(err);
      log.error('teardown step failed', { dtsJobId: s.status.dtsJobId, error: summary.message });
      s.tell({ phase: 'release-failed', releaseError: summary });
      s.takeRetry();
      // A permanent refusal waits for an operator; anything else is also retried slowly by itself.
      const waitMs = isPermanent(err) ? undefined : backoffMs(round + 3, MAX_BACKOFF_MS);
      if (waitMs === undefined) await condition(() => Boolean(s.state.retryRequested));
      else await condition(() => Boolean(s.state.retryRequested), waitMs);
      s.takeRetry();
      s.tell({ phase: 'releasing' });
      await s.maybeContinueAsNew(); // the state carries the pending teardown
    }
  }
}
