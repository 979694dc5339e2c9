import { FAILED_DTS_STATUSES } from '../../core/normalize-dts';
import { attend, enterAttention } from './attention';
import { showMaxDelay, superviseDelay } from './delay';
import { failureMessage, isCredentials, isPermanent } from './failures';
import { backoffMs, MAX_BACKOFF_MS } from '../../core/timing';
import type { Setup } from './setup';
import { resetRestartStreak, restartOrPark, waitForSynchronizing } from './wait';

/**
 * The sync runs: watch it at a slow pace (the status watcher reports changes sooner), restart
 * a failed direction within the budget, park anything else in needs-attention. Never releases:
 * it returns only by a stop request (StopRequested), which the teardown handles.
 */
export async function keep(s: Setup): Promise<never> {
  let failedRounds = 0;
  let graceLeftMs: number | undefined;
  for (;;) {
    s.checkStop();
    if (s.state.attention) {
      await attend(s);
      continue;
    }
    // Directions restarting (also after a continue-as-new in the middle of a restart).
    let restarted = false;
    for (const dir of s.directions) {
      if (s.state.waitUntilMs[dir] === undefined) continue;
      await waitForSynchronizing(s, dir);
      restarted = true;
    }
    if (s.state.attention) continue;
    if (restarted) for (const dir of s.directions) resetRestartStreak(s, dir);
    s.tell({ phase: 'synchronizing' });
    showMaxDelay(s);
    await s.maybeContinueAsNew();
    const pauseMs = failedRounds > 0 ? backoffMs(failedRounds, MAX_BACKOFF_MS) : s.tuningMs.monitorInterval;
    // A delay above its limit is read again when its grace ends.
    await s.pause(graceLeftMs === undefined ? pauseMs : Math.min(pauseMs, graceLeftMs));
    let failed = false;
    for (const dir of s.directions) {
      const { snapshot, failure } = await s.read(dir);
      if (failure) failed = true;
      // A failed read may still carry the status watcher's word (Setup.read): act on that.
      if (!snapshot) {
        // DTS refuses to answer (credentials, permissions, unknown code): park, never release.
        if (isCredentials(failure) || isPermanent(failure)) {
          enterAttention(s, {
            kind: 'dts-unreadable',
            direction: dir,
            reason: `DTS refuses to report the status: ${failureMessage(failure)}`,
          });
          break;
        }
        continue;
      }
      if (FAILED_DTS_STATUSES.has(snapshot.status)) await restartOrPark(s, dir, snapshot);
      else if (snapshot.status === 'suspending') {
        // A deliberate suspension from outside is not undone; resuming it returns the setup here.
        enterAttention(s, {
          kind: 'suspended-outside',
          direction: dir,
          reason: 'The DTS task was suspended outside this workflow',
          snapshot,
        });
      }
      if (s.state.attention) break;
    }
    failedRounds = failed ? failedRounds + 1 : 0;
    graceLeftMs = !s.state.attention && !failed ? superviseDelay(s) : undefined;
  }
}
