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
import { resetRestartStreak, restartOrPark } from './wait';

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
 * Park the setup in needs-attention. Before the sync ever ran, the request's attentionDeadline
 * ends it (cleanup as before); after, nothing but an operator ends it. The caller then `attend`s.
 */
export function enterAttention(s: Setup, entry: AttentionEntry): void {
  const now = Date.now();
  const untilMs = noDeadline(s, entry.kind) ? undefined : now + s.tuningMs.attentionDeadline;
  const words = entry.snapshot
    ? `DTS reports ${entry.snapshot.rawStatus}${entry.snapshot.errorMessage ? `: ${entry.snapshot.errorMessage}` : ''}`
    : '';
  s.state.attention = {
    kind: entry.kind,
    direction: entry.direction,
    resumePhase: s.status.phase === 'needs-attention' ? s.waitingPhase(entry.direction) : s.status.phase,
    ...(untilMs !== undefined ? { untilMs } : {}),
    ...(entry.snapshot ? { parkedStatus: entry.snapshot.status } : {}),
  };
  log.warn('needs attention', { kind: entry.kind, direction: entry.direction, reason: entry.reason });
  s.tell({
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
function noDeadline(s: Setup, kind: AttentionKind): boolean {
  if (s.status.everSynchronizing || kind === 'dts-unreadable') return true;
  return kind === 'purchase-outcome-unknown' && patched(PURCHASE_OUTCOME_KEPT_PATCH);
}

export type AttentionOutcome = 'retried' | 'recovered';

/**
 * Wait while parked: for an operator's retry or abort, and for DTS to recover by itself (the
 * watcher's news and slow own reads keep the status current). Acts on a retry, then clears the
 * attention. A stop request throws StopRequested; the deadline (before the first sync) throws.
 */
export async function attend(s: Setup): Promise<AttentionOutcome> {
  const parked = s.state.attention!;
  const readsDts = parked.kind !== 'purchase-outcome-unknown' && parked.kind !== 'setup-error' && s.status.dtsJobId;
  for (let round = 0; ; round += 1) {
    s.checkStop();
    if (s.takeRetry()) {
      await actOnRetry(s);
      leave(s);
      return 'retried';
    }
    const pastDeadline = parked.untilMs !== undefined && Date.now() >= parked.untilMs;
    // The deadline acts on what DTS said: while its last read failed, it waits for one that answers.
    const unknown = pastDeadline && parked.unread === true && patched(WAIT_DEADLINE_UNREAD_PATCH);
    if (pastDeadline && !unknown) {
      throw ApplicationFailure.nonRetryable(
        `No operator action within ${s.request.attentionDeadline}: ${s.status.attention?.reason ?? parked.kind}`,
        SetupFailure.AttentionDeadlineExceeded,
      );
    }
    await s.maybeContinueAsNew();
    const recheckMs = Math.min(
      backoffMs(round + 3, MAX_BACKOFF_MS),
      Math.max(s.tuningMs.monitorInterval, s.tuningMs.firstPoll),
    );
    const untilDeadline =
      parked.untilMs === undefined || unknown ? recheckMs : Math.min(recheckMs, parked.untilMs - Date.now());
    await s.park(readsDts ? untilDeadline : parked.untilMs === undefined ? undefined : untilDeadline);
    if (s.stopRequested() || s.state.retryRequested || !readsDts) continue;
    const heard = parked.kind === 'dts-unreadable' ? s.directions.find((d) => s.newsFor(d) !== undefined) : undefined;
    const dir = heard !== undefined && patched(WATCHER_NEWS_PATCH) ? heard : parked.direction;
    const { snapshot, failure } = await s.read(dir);
    if (!snapshot) {
      parked.unread = true;
      s.tell({ error: errorSummary(failure) });
      continue;
    }
    parked.unread = false;
    const trouble = FAILED_DTS_STATUSES.has(snapshot.status) || snapshot.status === 'suspending';
    if (parked.kind === 'dts-unreadable' && trouble && patched(WATCHER_NEWS_PATCH)) {
      // DTS (or the watcher, while our reads are refused) reports trouble: act now, never show the old phase.
      await actOnTrouble(s, dir, snapshot);
      return 'recovered';
    }
    const recovered =
      parked.kind === 'delay'
        ? delayRecovered(s, snapshot.status, snapshot.delaySeconds)
        : parked.kind === 'dts-unreadable' ||
          snapshot.status === 'synchronizing' ||
          (parked.kind !== 'wait-deadline' && !TROUBLE.has(snapshot.status) && snapshot.status !== parked.parkedStatus);
    if (recovered) {
      log.info('DTS recovered by itself; leaving needs-attention', { kind: parked.kind, status: snapshot.rawStatus });
      // Time parked does not count against the wait.
      if (s.state.waitUntilMs[parked.direction] !== undefined)
        s.state.waitUntilMs[parked.direction] = Date.now() + s.tuningMs.waitDeadline;
      leave(s);
      return 'recovered';
    }
  }
}

/** Leave a dts-unreadable parking for what DTS reports: restart a failed direction, respect a suspension. */
async function actOnTrouble(s: Setup, dir: Direction, snapshot: DirectionSnapshot): Promise<void> {
  const parked = s.state.attention!;
  s.state.attention = undefined;
  if (snapshot.status === 'suspending') {
    enterAttention(s, {
      kind: 'suspended-outside',
      direction: dir,
      reason: 'The DTS task was suspended outside this workflow',
      snapshot,
    });
    s.state.attention!.resumePhase = parked.resumePhase;
    return;
  }
  s.tell({ phase: s.waitingPhase(dir), attention: undefined });
  // The restart, or beyond the budget restarts-exhausted, decides where the setup goes next.
  await restartOrPark(s, dir, snapshot);
}

export function leave(s: Setup): void {
  const parked = s.state.attention!;
  s.state.attention = undefined;
  s.tell({ phase: parked.resumePhase, attention: undefined });
}

/** The operator says the cause is fixed: do what each kind of trouble needs to run again. */
async function actOnRetry(s: Setup): Promise<void> {
  const { kind, direction } = s.state.attention!;
  log.info('operator retry', { kind, direction });
  const restartWait = () => {
    s.state.waitUntilMs[direction] = Date.now() + s.tuningMs.waitDeadline;
    s.state.attention!.resumePhase = s.waitingPhase(direction);
  };
  switch (kind) {
    case 'precheck-failed':
      await rerunPrecheck(s, direction);
      restartWait();
      break;
    case 'suspended-outside':
      await start(s, direction, 'operator retry after an outside suspension');
      restartWait();
      break;
    case 'restarts-exhausted':
      resetRestartStreak(s, direction);
      await restartDirection(s, direction, 'operator retry');
      restartWait();
      break;
    case 'wait-deadline':
      restartWait();
      break;
    default:
      // dts-unreadable, purchase-outcome-unknown, setup-error: the interrupted step runs again.
      s.tell({ error: undefined });
  }
}
