import type { ChangeRequest } from '../../core/changes';
import type { NoticeLog } from '../../core/notify';
import { DEFAULT_TUNING, type WaitTuning } from '../../core/tuning';
import {
  summarizeEndpoint,
  type AttentionKind,
  type Direction,
  type DtsApi,
  type DtsDirectionStatus,
  type SetupPhase,
  type SetupRequest,
  type SetupStatus,
} from '../../core/types';

/** What ends the setup once it reaches a safe point. A release outranks an abort or a cancel. */
export type StopRequest = 'release' | 'abort' | 'cancel';

/**
 * Where a setup stands: everything a new run needs to resume exactly there, carried whole by
 * continue-as-new. Plain data; the workflow's local variables hold nothing else that matters.
 */
export interface SetupState {
  version: 1;
  status: SetupStatus;
  /** The DTS API family the setup speaks (patch dts-family-v1); absent: the legacy one, for good. */
  api?: DtsApi;
  /** Resolved once at start: a later change of DEFAULT_TUNING does not change running setups. */
  tuning: WaitTuning;
  /** Absolute end of the current wait for Synchronizing, per direction; absent when not waiting. */
  waitUntilMs: Partial<Record<Direction, number>>;
  /** An operator's retry not yet acted on. */
  retryRequested?: boolean;
  stop?: StopRequest;
  /** The workflow itself was cancelled: after the cleanup it ends CANCELLED. */
  cancelled?: boolean;
  /** A purchase attempt may have bought an instance whose id we have not learnt yet. */
  purchaseUnsettled?: boolean;
  /** Parked in needs-attention: why, where to return, and (before the sync ever ran) until when. */
  attention?: {
    kind: AttentionKind;
    direction: Direction;
    resumePhase: SetupPhase;
    untilMs?: number;
    parkedStatus?: string;
    /** The last read while parked failed: the status is unknown, so the deadline waits for a read. */
    unread?: boolean;
  };
  /** An operator's retry ran Start on a failed precheck: if DTS still shows it failed, Reset + Configure. */
  precheckRerun?: Partial<Record<Direction, boolean>>;
  measuredTimeToSynchronizing?: boolean;
  /** Since when a direction's delay is above maxDelay (delay supervision, workflows/setup/delay.ts). */
  delayOverSinceMs?: number;
  /**
   * The status watcher's latest word per direction not yet answered by an own read: what the setup acts on
   * when its own reads fail (patch watcher-news-while-unreadable-v1).
   */
  news?: Partial<Record<Direction, DtsDirectionStatus>>;
  /** Automatic restarts since the direction last ran Synchronizing: the budget; `restarts` in the status counts them all. */
  restartStreak?: Partial<Record<Direction, number>>;
  /** The request's initialization window applies: Forward's opening, once known. */
  window?: { opensAtMs?: number; opened?: boolean };
  /** The release asked to delete the instance even if adopted (DELETE ?release=true). */
  releaseInstance?: boolean;
  /** The day-two change accepted and not yet ended (workflows/setup/change.ts); its record is in `status.changes`. */
  change?: { id: number; request: ChangeRequest; taskIds?: Partial<Record<Direction, string>> };
  /** The last change id handed out. */
  changeSeq?: number;
  /**
   * A re-key that failed midway: the tasks that already have its password (DTS refuses a password equal to the
   * current one, so the same re-key asked again skips them). Kept only in memory and the encrypted
   * continue-as-new input, like the request's passwords.
   */
  rekey?: { endpoint: 'source' | 'destination'; password: string; done: Direction[] };
  /** Paused on request: when it resumes by itself, and DTS's limit past which it cannot be started again. */
  pause?: { resumeAtMs: number; limitAtMs: number };
  /** The verification after the first Synchronizing was started (patch data-verification-v1). */
  verifiedOnce?: boolean;
  /** The latest operator update, with who sent it: shown in the Temporal UI's details. */
  lastAction?: { action: string; by?: string; at: string };
  /** The request's tags and the owner tag were put on the bought instance (patch renew-tags-v1). */
  tagged?: boolean;
  /** The ExpireTime whose nearing end was announced (notice `expiring`, patch renew-tags-v1). */
  expiryAnnounced?: string;
  /** The ExpireTime an automatic renewal was asked for (patch auto-renew-v1): never asked twice for one end. */
  autoRenewedFor?: string;
  /** The events announced to operators so far (patch notify-v1, workflows/setup/notify.ts). */
  notices?: NoticeLog;
  /** A teardown under way (carried: a release that keeps failing may outlive many runs). */
  teardown?: { why: 'release' | 'cleanup'; endPhase: 'released' | 'cancelled' | 'failed' };
}

export function initialState(
  id: string,
  request: SetupRequest,
  tuning: Partial<WaitTuning> | undefined,
  nowMs: number,
): SetupState {
  const now = new Date(nowMs).toISOString();
  return {
    version: 1,
    tuning: { ...DEFAULT_TUNING, ...tuning },
    waitUntilMs: {},
    status: {
      id,
      name: request.name,
      topology: request.topology,
      phase: request.adopt ? 'adopting' : 'purchasing',
      payType: request.payType,
      source: summarizeEndpoint(request.source),
      destination: summarizeEndpoint(request.destination),
      forward: { configured: false, restarts: 0 },
      ...(request.topology === 'bidirectional' ? { reverse: { configured: false, restarts: 0 } } : {}),
      createdAt: now,
      updatedAt: now,
    },
  };
}
