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
  if (setup.waitDeadline(dir) === undefined) setup.setWaitDeadline(dir);
  if (!setup.state.attention) setup.updateStatus({ phase: setup.waitingPhase(dir) });
  const pace = new PollPace(setup.tuningMs);
  if (!setup.state.attention) await setup.pause(pace.delayMs);
  for (;;) {
    setup.checkStop();
    if (setup.state.attention) {
      await waitInAttention(setup);
      pace.delayMs = pace.t.firstPoll;
      continue;
    }
    await setup.maybeContinueAsNew();
    const { snapshot, failure } = await setup.read(dir);
    if (snapshot) {
      pace.failedReads = 0;
      if (await actOnStatus(setup, dir, snapshot)) return;
      if (setup.state.attention) continue;
      pace.answered(snapshot);
    } else {
      pace.unanswered(failure);
    }
    if (deadlinePassed(setup, dir, snapshot, failure)) continue;
    await setup.pause(pace.delayMs);
  }
}

/** How long to wait before the next read: extrapolated from DTS's progress, slower while DTS does not answer. */
class PollPace {
  delayMs: number;
  failedReads = 0;
  private earlier: ProgressSample | undefined;
  private stage: DirectionSnapshot['stage'] | undefined;

  constructor(readonly t: Setup['tuningMs']) {
    this.delayMs = t.firstPoll;
  }

  answered(snapshot: DirectionSnapshot): void {
    // Extrapolate within one DTS step: steps run at different speeds.
    const latest = { progress: snapshot.stagePercent, atMs: Date.now() };
    const bounds = { minMs: this.t.firstPoll, maxMs: this.t.maxPoll };
    if (snapshot.stage === 'other') this.delayMs = nextPollDelayMs(this.delayMs, undefined, latest, bounds);
    else
      this.delayMs =
        this.stage === snapshot.stage ? nextPollDelayMs(this.delayMs, this.earlier, latest, bounds) : this.t.firstPoll;
    this.earlier = latest;
    this.stage = snapshot.stage;
  }

  /** DTS down or refusing our credentials: never the end of a setup. Shown, retried, slower. */
  unanswered(failure: unknown): void {
    this.failedReads += 1;
    if (isCredentials(failure)) this.delayMs = backoffMs(this.failedReads, MAX_BACKOFF_MS);
    else if (!errorSummary(failure).code && this.failedReads > 1)
      this.delayMs = Math.min(this.t.maxPoll, this.delayMs * 2);
  }
}

/** Acts on the direction's DTS status: configure, start, restart or ask a human. True once it runs Synchronizing. */
async function actOnStatus(setup: Setup, dir: Direction, snapshot: DirectionSnapshot): Promise<boolean> {
  const state = setup.direction(dir);
  if (snapshot.status === 'prechecking' && setup.state.precheckRerun?.[dir])
    setup.state.precheckRerun = { ...setup.state.precheckRerun, [dir]: false };
  switch (snapshot.status) {
    case 'synchronizing':
      state.synchronizingAt = new Date().toISOString();
      setup.clearWaitDeadline(dir);
      setup.updateStatus({});
      return true;
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
  return false;
}

/**
 * Past the direction's wait deadline: before the sync ever ran the setup ends (thrown), after it, or while DTS
 * does not answer, it is parked in needs-attention (true). False while the deadline has not passed.
 */
function deadlinePassed(
  setup: Setup,
  dir: Direction,
  snapshot: DirectionSnapshot | undefined,
  failure: unknown,
): boolean {
  const deadline = setup.waitDeadline(dir);
  if (deadline === undefined || Date.now() <= deadline) return false;
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
    return true;
  }
  const reason =
    `${dir} did not reach Synchronizing within ${setup.request.waitDeadline}; ` +
    `last DTS status ${state.rawStatus ?? 'unknown'} at ${state.progress ?? 0}%`;
  if (!setup.status.everSynchronizing) throw ApplicationFailure.nonRetryable(reason, SetupFailure.WaitDeadlineExceeded);
  enterAttention(setup, { kind: 'wait-deadline', direction: dir, reason });
  return true;
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
