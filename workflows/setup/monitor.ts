import { patched } from '@temporalio/workflow';
import { FAILED_DTS_STATUSES } from '../../core/normalize-dts';
import { backoffMs, MAX_BACKOFF_MS } from '../../core/timing';
import { waitInAttention, enterAttention } from './attention';
import { applyChange, stayPaused } from './change';
import { showMaxDelay, superviseDelay } from './delay';
import { failureMessage, isCredentials, isPermanent } from './failures';
import { DAY_TWO_CHANGES_PATCH } from './patches';
import type { Setup } from './setup';
import { startCanary } from './canary';
import { verifyOnceSynchronizing } from './verify';
import { resetRestartStreak, restartOrAskOperator, waitForSynchronizing } from './wait';

/**
 * The sync runs: watch it at a slow pace (the status watcher reports changes sooner), restart
 * a failed direction within the budget, put anything else in needs-attention. Never releases:
 * it returns only by a stop request (StopRequested), which the teardown handles.
 */
export async function monitorUntilStopped(setup: Setup): Promise<never> {
  let failedRounds = 0;
  let graceLeftMs: number | undefined;
  for (;;) {
    setup.checkStop();
    if (setup.state.attention) {
      await waitInAttention(setup);
      continue;
    }
    // Paused on request (only runs that applied a change get here): DTS's Suspending is expected.
    if (setup.state.pause) {
      await stayPaused(setup);
      continue;
    }
    // Directions restarting (also after a continue-as-new in the middle of a restart).
    let restarted = false;
    for (const dir of setup.directions) {
      if (setup.waitDeadline(dir) === undefined) continue;
      await waitForSynchronizing(setup, dir);
      restarted = true;
    }
    if (setup.state.attention) continue;
    if (restarted) for (const dir of setup.directions) resetRestartStreak(setup, dir);
    setup.updateStatus({ phase: 'synchronizing' });
    verifyOnceSynchronizing(setup);
    startCanary(setup);
    showMaxDelay(setup);
    await setup.maybeContinueAsNew();
    const pauseMs = failedRounds > 0 ? backoffMs(failedRounds, MAX_BACKOFF_MS) : setup.tuningMs.monitorInterval;
    // A delay above its limit is read again when its grace ends.
    await setup.pause(graceLeftMs === undefined ? pauseMs : Math.min(pauseMs, graceLeftMs), { wakeOnChange: true });
    if (setup.state.change && patched(DAY_TWO_CHANGES_PATCH)) {
      await applyChange(setup);
      continue;
    }
    let failed = false;
    for (const dir of setup.directions) {
      const { snapshot, failure } = await setup.read(dir);
      if (failure) failed = true;
      // A failed read may still carry the status watcher's word (Setup.read): act on that.
      if (!snapshot) {
        // DTS refuses to answer (credentials, permissions, unknown code): needs-attention, never release.
        if (isCredentials(failure) || isPermanent(failure)) {
          enterAttention(setup, {
            kind: 'dts-unreadable',
            direction: dir,
            reason: `DTS refuses to report the status: ${failureMessage(failure)}`,
          });
          break;
        }
        continue;
      }
      if (FAILED_DTS_STATUSES.has(snapshot.status)) await restartOrAskOperator(setup, dir, snapshot);
      else if (snapshot.status === 'suspending') {
        // A deliberate suspension from outside is not undone; resuming it returns the setup here.
        enterAttention(setup, {
          kind: 'suspended-outside',
          direction: dir,
          reason: 'The DTS task was suspended outside this workflow',
          snapshot,
        });
      }
      if (setup.state.attention) break;
    }
    failedRounds = failed ? failedRounds + 1 : 0;
    graceLeftMs = !setup.state.attention && !failed ? superviseDelay(setup) : undefined;
  }
}
