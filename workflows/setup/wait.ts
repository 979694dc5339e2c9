import { ApplicationFailure, log, patched } from '@temporalio/workflow';
import { nextPollDelayMs, type ProgressSample } from '../../core/poll-delay';
import { SetupFailure } from '../../core/failures';
import { FAILED_DTS_STATUSES } from '../../core/normalize-dts';
import type { Direction, DirectionSnapshot } from '../../core/types';
import { attend, enterAttention } from './attention';
import { configure, resetAndConfigure, restartDirection, start } from './configure';
import { errorSummary, failureMessage, isCredentials } from './failures';
import { WAIT_DEADLINE_UNREAD_PATCH, WATCHER_NEWS_PATCH } from './patches';
import { backoffMs, MAX_BACKOFF_MS } from '../../core/timing';
import type { Setup } from './setup';

/**
 * Wait until DTS reports the direction Synchronizing, acting on what it reports meanwhile:
 * configure what is not configured, start what is not started, restart what failed (a few
 * times), and park in needs-attention what needs a human. The deadline is absolute and carried
 * in the state; before the sync ever ran it ends the setup, after it only parks it.
 */
export async function waitForSynchronizing(s: Setup, dir: Direction): Promise<void> {
  const t = s.tuningMs;
  s.state.waitUntilMs[dir] ??= Date.now() + t.waitDeadline;
  if (!s.state.attention) s.tell({ phase: s.waitingPhase(dir) });
  let delayMs = t.firstPoll;
  let earlier: ProgressSample | undefined;
  let stage: DirectionSnapshot['stage'] | undefined;
  let failedReads = 0;
  if (!s.state.attention) await s.pause(delayMs);
  for (;;) {
    s.checkStop();
    if (s.state.attention) {
      await attend(s);
      delayMs = t.firstPoll;
      continue;
    }
    await s.maybeContinueAsNew();
    const { snapshot, failure } = await s.read(dir);
    if (snapshot) {
      failedReads = 0;
      const state = s.direction(dir);
      if (snapshot.status === 'prechecking' && s.state.precheckRerun?.[dir])
        s.state.precheckRerun = { ...s.state.precheckRerun, [dir]: false };
      switch (snapshot.status) {
        case 'synchronizing':
          state.synchronizingAt = new Date().toISOString();
          delete s.state.waitUntilMs[dir];
          s.tell({});
          return;
        case 'notconfigured':
          await configureHere(s, dir);
          break;
        case 'notstarted':
          // DTS may report an unconfigured direction as NotStarted: our own history knows.
          // A Start refused here means DTS has no configuration (a configure refused for the
          // job status, e.g. Reverse while Forward failed, was taken for one whose answer was lost).
          if (!state.configured || !(await start(s, dir, 'configured but not started'))) await configureHere(s, dir);
          break;
        case 'precheckfailed':
          if (s.state.precheckRerun?.[dir]) {
            // Start did not run the precheck again (DTS ignored it): Reset + Configure does.
            s.state.precheckRerun = { ...s.state.precheckRerun, [dir]: false };
            await resetAndConfigure(s, dir, 'Start did not re-run the failed precheck');
          } else {
            enterAttention(s, { kind: 'precheck-failed', direction: dir, reason: 'DTS precheck failed', snapshot });
          }
          break;
        case 'suspending':
          enterAttention(s, {
            kind: 'suspended-outside',
            direction: dir,
            reason: 'The DTS task was suspended outside this workflow',
            snapshot,
          });
          break;
        default:
          if (FAILED_DTS_STATUSES.has(snapshot.status)) await restartOrPark(s, dir, snapshot);
      }
      if (s.state.attention) continue;
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
    if (Date.now() > s.state.waitUntilMs[dir]) {
      const state = s.direction(dir);
      if (!snapshot && patched(WAIT_DEADLINE_UNREAD_PATCH)) {
        // Not knowing is not "not synchronizing": DTS may run this job. Park until a read answers.
        enterAttention(s, {
          kind: 'dts-unreadable',
          direction: dir,
          reason:
            `${dir} did not reach Synchronizing within ${s.request.waitDeadline} as far as we know, ` +
            `and DTS does not report its status: ${failureMessage(failure)}`,
        });
        continue;
      }
      const reason =
        `${dir} did not reach Synchronizing within ${s.request.waitDeadline}; ` +
        `last DTS status ${state.rawStatus ?? 'unknown'} at ${state.progress ?? 0}%`;
      if (!s.status.everSynchronizing) throw ApplicationFailure.nonRetryable(reason, SetupFailure.WaitDeadlineExceeded);
      enterAttention(s, { kind: 'wait-deadline', direction: dir, reason });
      continue;
    }
    await s.pause(delayMs);
  }
}

/** Configure here; a Reverse first needs Forward Synchronizing (DTS refuses it otherwise). */
async function configureHere(s: Setup, dir: Direction): Promise<void> {
  if (dir === 'Reverse') await ensureForwardSynchronizing(s);
  await configure(s, dir);
}

async function ensureForwardSynchronizing(s: Setup): Promise<void> {
  const { snapshot } = await s.read('Forward');
  if (!snapshot || snapshot.status === 'synchronizing') return;
  log.warn('Forward left Synchronizing before Reverse was configured', { status: snapshot.rawStatus });
  if (FAILED_DTS_STATUSES.has(snapshot.status)) await restartOrPark(s, 'Forward', snapshot);
  await waitForSynchronizing(s, 'Forward');
  s.tell({ phase: 'configuring-reverse' });
}

/** Restart a failed direction within the budget (with backoff); beyond it, ask a human. */
export async function restartOrPark(s: Setup, dir: Direction, snapshot: DirectionSnapshot): Promise<void> {
  const state = s.direction(dir);
  const max = s.state.tuning.maxAutoRestarts;
  const streak = restartStreak(s, dir);
  if (streak >= max) {
    enterAttention(s, {
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
  if (s.status.phase !== s.waitingPhase(dir) && patched(WATCHER_NEWS_PATCH)) s.tell({ phase: s.waitingPhase(dir) });
  await s.pause(s.tuningMs.restartBackoff * 2 ** streak, { wakeOnDtsChange: false });
  state.restarts += 1;
  s.state.restartStreak = { ...s.state.restartStreak, [dir]: streak + 1 };
  s.tell({});
  await restartDirection(s, dir, `automatic restart ${streak + 1} of ${max}`);
}

/**
 * Automatic restarts since the direction last ran Synchronizing (the budget). Runs of older code
 * kept it in `restarts`, which they set back to 0 once the direction ran again.
 */
export function restartStreak(s: Setup, dir: Direction): number {
  return s.state.restartStreak?.[dir] ?? s.direction(dir).restarts;
}

/** The direction ran Synchronizing again (or an operator retried): a fresh budget. `restarts` keeps counting. */
export function resetRestartStreak(s: Setup, dir: Direction): void {
  s.state.restartStreak = { ...s.state.restartStreak, [dir]: 0 };
}
