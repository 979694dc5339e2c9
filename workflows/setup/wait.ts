import { ApplicationFailure, log, patched } from '@temporalio/workflow';
import { nextPollDelayMs, type ProgressSample } from '../../core/poll-delay';
import { SetupFailure } from '../../core/failures';
import { FAILED_DTS_STATUSES } from '../../core/normalize-dts';
import type { Direction, DirectionSnapshot } from '../../core/types';
import { waitInAttention, enterAttention } from './attention';
import { configure, resetAndConfigure, restartDirection, start } from './configure';
import { errorSummary, failureMessage, isCredentials } from './failures';
import { WAIT_DEADLINE_UNREAD_PATCH, WATCHER_NEWS_PATCH } from './patches';
import { backoffMs, MAX_BACKOFF_MS } from '../../core/timing';
import type { Setup } from './setup';

/**
 * Wait until DTS reports the direction Synchronizing, acting on what it reports meanwhile:
 * configure what is not configured, start what is not started, restart what failed (a few
 * times), and put in needs-attention what needs a human. The deadline is absolute and carried
 * in the state; before the sync ever ran it ends the setup, after it only parks it.
 */
export async function waitForSynchronizing(setup: Setup, dir: Direction): Promise<void> {
  const t = setup.tuningMs;
  if (setup.waitDeadline(dir) === undefined) setup.setWaitDeadline(dir);
  if (!setup.state.attention) setup.updateStatus({ phase: setup.waitingPhase(dir) });
  let delayMs = t.firstPoll;
  let earlier: ProgressSample | undefined;
  let stage: DirectionSnapshot['stage'] | undefined;
  let failedReads = 0;
  if (!setup.state.attention) await setup.pause(delayMs);
  for (;;) {
    setup.checkStop();
    if (setup.state.attention) {
      await waitInAttention(setup);
      delayMs = t.firstPoll;
      continue;
    }
    await setup.maybeContinueAsNew();
    const { snapshot, failure } = await setup.read(dir);
    if (snapshot) {
      failedReads = 0;
      const state = setup.direction(dir);
      if (snapshot.status === 'prechecking' && setup.state.precheckRerun?.[dir])
        setup.state.precheckRerun = { ...setup.state.precheckRerun, [dir]: false };
      switch (snapshot.status) {
        case 'synchronizing':
          state.synchronizingAt = new Date().toISOString();
          setup.clearWaitDeadline(dir);
          setup.updateStatus({});
          return;
        case 'notconfigured':
          await configureHere(setup, dir);
          break;
        case 'notstarted':
          // DTS may report an unconfigured direction as NotStarted: our own history knows.
          // A Start refused here means DTS has no configuration (a configure refused for the
          // job status, e.g. Reverse while Forward failed, was taken for one whose answer was lost).
          if (!state.configured || !(await start(setup, dir, 'configured but not started')))
            await configureHere(setup, dir);
          break;
        case 'precheckfailed':
          if (setup.state.precheckRerun?.[dir]) {
            // Start did not run the precheck again (DTS ignored it): Reset + Configure does.
            setup.state.precheckRerun = { ...setup.state.precheckRerun, [dir]: false };
            await resetAndConfigure(setup, dir, 'Start did not re-run the failed precheck');
          } else {
            enterAttention(setup, { kind: 'precheck-failed', direction: dir, reason: 'DTS precheck failed', snapshot });
          }
          break;
        case 'suspending':
          enterAttention(setup, {
            kind: 'suspended-outside',
            direction: dir,
            reason: 'The DTS task was suspended outside this workflow',
            snapshot,
          });
          break;
        default:
          if (FAILED_DTS_STATUSES.has(snapshot.status)) await restartOrAskOperator(setup, dir, snapshot);
      }
      if (setup.state.attention) continue;
      // Extrapolate within one DTS step: steps run at different speeds.
      const latest = { progress: snapshot.stagePercent, atMs: Date.now() };
      const bounds = { minMs: t.firstPoll, maxMs: t.maxPoll };
      if (snapshot.stage === 'other') delayMs = nextPollDelayMs(delayMs, undefined, latest, bounds);
      else delayMs = stage === snapshot.stage ? nextPollDelayMs(delayMs, earlier, latest, bounds) : t.firstPoll;
      earlier = latest;
      stage = snapshot.stage;
    } else {
      // DTS down or refusing our credentials: never the end of a setup. Shown, retried, slower.
      failedReads += 1;
      if (isCredentials(failure)) delayMs = backoffMs(failedReads, MAX_BACKOFF_MS);
      else if (!errorSummary(failure).code && failedReads > 1) delayMs = Math.min(t.maxPoll, delayMs * 2);
    }
    const deadline = setup.waitDeadline(dir);
    if (deadline !== undefined && Date.now() > deadline) {
      const state = setup.direction(dir);
      if (!snapshot && patched(WAIT_DEADLINE_UNREAD_PATCH)) {
        // Not knowing is not "not synchronizing": DTS may run this job. Park until a read answers.
        enterAttention(setup, {
          kind: 'dts-unreadable',
          direction: dir,
          reason:
            `${dir} did not reach Synchronizing within ${setup.request.waitDeadline} as far as we know, ` +
            `and DTS does not report its status: ${failureMessage(failure)}`,
        });
        continue;
      }
      const reason =
        `${dir} did not reach Synchronizing within ${setup.request.waitDeadline}; ` +
        `last DTS status ${state.rawStatus ?? 'unknown'} at ${state.progress ?? 0}%`;
      if (!setup.status.everSynchronizing)
        throw ApplicationFailure.nonRetryable(reason, SetupFailure.WaitDeadlineExceeded);
      enterAttention(setup, { kind: 'wait-deadline', direction: dir, reason });
      continue;
    }
    await setup.pause(delayMs);
  }
}

/** Configure here; a Reverse first needs Forward Synchronizing (DTS refuses it otherwise). */
async function configureHere(setup: Setup, dir: Direction): Promise<void> {
  if (dir === 'Reverse') await ensureForwardSynchronizing(setup);
  await configure(setup, dir);
}

async function ensureForwardSynchronizing(setup: Setup): Promise<void> {
  const { snapshot } = await setup.read('Forward');
  if (!snapshot || snapshot.status === 'synchronizing') return;
  log.warn('Forward left Synchronizing before Reverse was configured', { status: snapshot.rawStatus });
  if (FAILED_DTS_STATUSES.has(snapshot.status)) await restartOrAskOperator(setup, 'Forward', snapshot);
  await waitForSynchronizing(setup, 'Forward');
  setup.updateStatus({ phase: 'configuring-reverse' });
}

/** Restart a failed direction within the budget (with backoff); beyond it, ask a human. */
export async function restartOrAskOperator(setup: Setup, dir: Direction, snapshot: DirectionSnapshot): Promise<void> {
  const state = setup.direction(dir);
  const max = setup.state.tuning.maxAutoRestarts;
  const streak = restartStreak(setup, dir);
  if (streak >= max) {
    enterAttention(setup, {
      kind: 'restarts-exhausted',
      direction: dir,
      reason:
        `DTS reports ${snapshot.rawStatus}${snapshot.errorMessage ? `: ${snapshot.errorMessage}` : ''} ` +
        `(after ${streak} automatic restarts)`,
      snapshot,
    });
    return;
  }
  // The backoff is part of the restart: the phase says so, not "synchronizing" while DTS reports a failure.
  if (setup.status.phase !== setup.waitingPhase(dir) && patched(WATCHER_NEWS_PATCH))
    setup.updateStatus({ phase: setup.waitingPhase(dir) });
  await setup.pause(setup.tuningMs.restartBackoff * 2 ** streak, { wakeOnDtsChange: false });
  state.restarts += 1;
  setup.state.restartStreak = { ...setup.state.restartStreak, [dir]: streak + 1 };
  setup.updateStatus({});
  await restartDirection(setup, dir, `automatic restart ${streak + 1} of ${max}`);
}

/**
 * Automatic restarts since the direction last ran Synchronizing (the budget). Runs of older code
 * kept it in `restarts`, which they set back to 0 once the direction ran again.
 */
export function restartStreak(setup: Setup, dir: Direction): number {
  return setup.state.restartStreak?.[dir] ?? setup.direction(dir).restarts;
}

/** The direction ran Synchronizing again (or an operator retried): a fresh budget. `restarts` keeps counting. */
export function resetRestartStreak(setup: Setup, dir: Direction): void {
  setup.state.restartStreak = { ...setup.state.restartStreak, [dir]: 0 };
}
