import { ApplicationFailure, log, patched } from '@temporalio/workflow';
import { SetupFailure } from '../../core/failures';
import { FAILED_DTS_STATUSES } from '../../core/normalize-dts';
import type { AttentionKind, Direction, DirectionSnapshot, PrecheckFailure } from '../../core/types';
import { errorSummary } from './failures';
import { backoffMs, MAX_BACKOFF_MS } from '../../core/timing';
import type { Setup } from './setup';
import { rerunPrecheck, restartDirection, start } from './configure';
import { delayRecovered } from './delay';
import { PURCHASE_OUTCOME_KEPT_PATCH, WAIT_DEADLINE_UNREAD_PATCH, WATCHER_NEWS_PATCH } from './patches';
import { resetRestartStreak, restartOrAskOperator } from './wait';

/** DTS statuses that are trouble, not progress: a parked setup does not return to them by itself. */
const TROUBLE = new Set(['precheckfailed', 'failed', 'initializefailed', 'suspending', 'unknown']);

export interface AttentionEntry {
  kind: AttentionKind;
  direction: Direction;
  reason: string;
  failures?: PrecheckFailure[];
  snapshot?: DirectionSnapshot;
}

/**
 * Put the setup in needs-attention. Before the sync ever ran, the request's attentionDeadline
 * ends it (cleanup as before); after, nothing but an operator ends it. The caller then waits in it (waitInAttention).
 */
export function enterAttention(setup: Setup, entry: AttentionEntry): void {
  const now = Date.now();
  const untilMs = noDeadline(setup, entry.kind) ? undefined : now + setup.tuningMs.attentionDeadline;
  const words = entry.snapshot
    ? `DTS reports ${entry.snapshot.rawStatus}${entry.snapshot.errorMessage ? `: ${entry.snapshot.errorMessage}` : ''}`
    : '';
  setup.state.attention = {
    kind: entry.kind,
    direction: entry.direction,
    resumePhase: setup.status.phase === 'needs-attention' ? setup.waitingPhase(entry.direction) : setup.status.phase,
    ...(untilMs !== undefined ? { untilMs } : {}),
    ...(entry.snapshot ? { parkedStatus: entry.snapshot.status } : {}),
  };
  log.warn('needs attention', { kind: entry.kind, direction: entry.direction, reason: entry.reason });
  setup.updateStatus({
    phase: 'needs-attention',
    attention: {
      direction: entry.direction,
      kind: entry.kind,
      reason: entry.reason,
      failures: entry.failures ?? entry.snapshot?.precheckFailures ?? [],
      since: new Date(now).toISOString(),
      ...(untilMs !== undefined ? { deadline: new Date(untilMs).toISOString() } : {}),
      ...(words ? { dtsStatus: words } : {}),
    },
  });
}

/**
 * Only a human ends these: a sync that ever ran; a job whose status DTS does not tell (it may be running:
 * entered before the first Synchronizing only by a wait deadline, patch wait-deadline-unread-v1); an instance
 * a lost purchase may have bought.
 */
function noDeadline(setup: Setup, kind: AttentionKind): boolean {
  if (setup.status.everSynchronizing || kind === 'dts-unreadable') return true;
  return kind === 'purchase-outcome-unknown' && patched(PURCHASE_OUTCOME_KEPT_PATCH);
}

export type AttentionOutcome = 'retried' | 'recovered';

/**
 * Wait while parked: for an operator's retry or abort, and for DTS to recover by itself (the
 * watcher's news and slow own reads keep the status current). Acts on a retry, then clears the
 * attention. A stop request throws StopRequested; the deadline (before the first sync) throws.
 */
export async function waitInAttention(setup: Setup): Promise<AttentionOutcome> {
  const parked = setup.state.attention!;
  const readsDts = parked.kind !== 'purchase-outcome-unknown' && parked.kind !== 'setup-error' && setup.status.dtsJobId;
  for (let round = 0; ; round += 1) {
    setup.checkStop();
    if (setup.takeRetry()) {
      await actOnRetry(setup);
      leaveAttention(setup);
      return 'retried';
    }
    const pastDeadline = parked.untilMs !== undefined && Date.now() >= parked.untilMs;
    // The deadline acts on what DTS said: while its last read failed, it waits for one that answers.
    const unknown = pastDeadline && parked.unread === true && patched(WAIT_DEADLINE_UNREAD_PATCH);
    if (pastDeadline && !unknown) {
      throw ApplicationFailure.nonRetryable(
        `No operator action within ${setup.request.attentionDeadline}: ${setup.status.attention?.reason ?? parked.kind}`,
        SetupFailure.AttentionDeadlineExceeded,
      );
    }
    await setup.maybeContinueAsNew();
    const recheckMs = attentionRecheckMs(setup, round);
    const untilDeadline =
      parked.untilMs === undefined || unknown ? recheckMs : Math.min(recheckMs, parked.untilMs - Date.now());
    await setup.pauseInAttention(readsDts ? untilDeadline : parked.untilMs === undefined ? undefined : untilDeadline);
    if (setup.stopRequested() || setup.state.retryRequested || !readsDts) continue;
    const heard =
      parked.kind === 'dts-unreadable' ? setup.directions.find((d) => setup.newsFor(d) !== undefined) : undefined;
    const dir = heard !== undefined && patched(WATCHER_NEWS_PATCH) ? heard : parked.direction;
    const { snapshot, failure } = await setup.read(dir);
    if (!snapshot) {
      parked.unread = true;
      setup.updateStatus({ error: errorSummary(failure) });
      continue;
    }
    parked.unread = false;
    const trouble = FAILED_DTS_STATUSES.has(snapshot.status) || snapshot.status === 'suspending';
    if (parked.kind === 'dts-unreadable' && trouble && patched(WATCHER_NEWS_PATCH)) {
      // DTS (or the watcher, while our reads are refused) reports trouble: act now, never show the old phase.
      await actOnTrouble(setup, dir, snapshot);
      return 'recovered';
    }
    const recovered =
      parked.kind === 'delay'
        ? delayRecovered(setup, snapshot.status, snapshot.delaySeconds)
        : parked.kind === 'dts-unreadable' ||
          snapshot.status === 'synchronizing' ||
          (parked.kind !== 'wait-deadline' && !TROUBLE.has(snapshot.status) && snapshot.status !== parked.parkedStatus);
    if (recovered) {
      log.info('DTS recovered by itself; leaving needs-attention', { kind: parked.kind, status: snapshot.rawStatus });
      // Time parked does not count against the wait.
      if (setup.waitDeadline(parked.direction) !== undefined) setup.setWaitDeadline(parked.direction);
      leaveAttention(setup);
      return 'recovered';
    }
  }
}

/** Leave a dts-unreadable parking for what DTS reports: restart a failed direction, respect a suspension. */
async function actOnTrouble(setup: Setup, dir: Direction, snapshot: DirectionSnapshot): Promise<void> {
  const parked = setup.state.attention!;
  setup.state.attention = undefined;
  if (snapshot.status === 'suspending') {
    enterAttention(setup, {
      kind: 'suspended-outside',
      direction: dir,
      reason: 'The DTS task was suspended outside this workflow',
      snapshot,
    });
    setup.state.attention!.resumePhase = parked.resumePhase;
    return;
  }
  setup.updateStatus({ phase: setup.waitingPhase(dir), attention: undefined });
  // The restart, or beyond the budget restarts-exhausted, decides where the setup goes next.
  await restartOrAskOperator(setup, dir, snapshot);
}

export function leaveAttention(setup: Setup): void {
  const parked = setup.state.attention!;
  setup.state.attention = undefined;
  setup.updateStatus({ phase: parked.resumePhase, attention: undefined });
}

/** The teardown ends any needs-attention: it shows releasing instead. */
export function forgetAttention(setup: Setup): void {
  setup.state.attention = undefined;
}

/** The attention stays, without a deadline. */
export function dropAttentionDeadline(setup: Setup): void {
  const parked = setup.state.attention!;
  if (parked.untilMs === undefined) return;
  delete parked.untilMs;
  const { deadline: _dropped, ...shown } = setup.status.attention!;
  setup.updateStatus({ attention: shown });
}

/** How long a setup in needs-attention sleeps between two looks at DTS: slower each round. */
export function attentionRecheckMs(setup: Setup, round: number): number {
  const t = setup.tuningMs;
  return Math.min(backoffMs(round + 3, MAX_BACKOFF_MS), Math.max(t.monitorInterval, t.firstPoll));
}

/** The operator says the cause is fixed: do what each kind of trouble needs to run again. */
async function actOnRetry(setup: Setup): Promise<void> {
  const { kind, direction } = setup.state.attention!;
  log.info('operator retry', { kind, direction });
  const restartWait = () => {
    setup.setWaitDeadline(direction);
    setup.state.attention!.resumePhase = setup.waitingPhase(direction);
  };
  switch (kind) {
    case 'precheck-failed':
      await rerunPrecheck(setup, direction);
      restartWait();
      break;
    case 'suspended-outside':
      await start(setup, direction, 'operator retry after an outside suspension');
      restartWait();
      break;
    case 'restarts-exhausted':
      resetRestartStreak(setup, direction);
      await restartDirection(setup, direction, 'operator retry');
      restartWait();
      break;
    case 'wait-deadline':
      restartWait();
      break;
    default:
      // dts-unreadable, purchase-outcome-unknown, setup-error: the interrupted step runs again.
      setup.updateStatus({ error: undefined });
  }
}
