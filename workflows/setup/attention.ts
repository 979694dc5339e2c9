import { ApplicationFailure, log } from '@temporalio/workflow';
import type { AttentionKind, Direction, DirectionSnapshot, PrecheckFailure } from '../../core/types';
import { errorSummary } from './failures';
import { backoffMs, MAX_BACKOFF_MS, type Setup } from './setup';
import { rerunPrecheck, restartDirection, start } from './configure';
import { delayRecovered } from './delay';

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
  const untilMs = s.status.everSynchronizing ? undefined : now + s.tuningMs.attentionDeadline;
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
    if (parked.untilMs !== undefined && Date.now() >= parked.untilMs) {
      throw ApplicationFailure.nonRetryable(
        `No operator action within ${s.request.attentionDeadline}: ${s.status.attention?.reason ?? parked.kind}`,
        'AttentionDeadlineExceeded',
      );
    }
    await s.maybeContinueAsNew();
    const recheckMs = Math.min(
      backoffMs(round + 3, MAX_BACKOFF_MS),
      Math.max(s.tuningMs.monitorInterval, s.tuningMs.firstPoll),
    );
    const untilDeadline = parked.untilMs === undefined ? recheckMs : Math.min(recheckMs, parked.untilMs - Date.now());
    await s.park(readsDts ? untilDeadline : parked.untilMs === undefined ? undefined : untilDeadline);
    if (s.stopRequested() || s.state.retryRequested || !readsDts) continue;
    const { snapshot, failure } = await s.read(parked.direction);
    if (failure) {
      s.tell({ error: errorSummary(failure) });
      continue;
    }
    const recovered =
      parked.kind === 'delay'
        ? delayRecovered(s, snapshot!.status, snapshot!.delaySeconds)
        : parked.kind === 'dts-unreadable' ||
          snapshot!.status === 'synchronizing' ||
          (parked.kind !== 'wait-deadline' &&
            !TROUBLE.has(snapshot!.status) &&
            snapshot!.status !== parked.parkedStatus);
    if (recovered) {
      log.info('DTS recovered by itself; leaving needs-attention', { kind: parked.kind, status: snapshot!.rawStatus });
      // Time parked does not count against the wait.
      if (s.state.waitUntilMs[parked.direction] !== undefined)
        s.state.waitUntilMs[parked.direction] = Date.now() + s.tuningMs.waitDeadline;
      leave(s);
      return 'recovered';
    }
  }
}

function leave(s: Setup): void {
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
      s.direction(direction).restarts = 0;
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
