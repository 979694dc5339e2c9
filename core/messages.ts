import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { ChangeRequest } from './changes';
import type { Direction, DtsDirectionStatus, SetupStatus, VerificationStatus, VerifyDepth } from './types';

/** The whole story of a setup, without secrets. Served by the API's GET /v1/syncs/:id. */
export const setupStatusQuery = defineQuery<SetupStatus>('status');

// Operator actions. The updates answer with the status the workflow accepted them in, or are
// refused by their validator with the reason as the error message. The signals of the same names
// stay accepted (runs already in flight, hand-sent CLI signals).

/** Operator fixed what stopped the setup (failed precheck, failed release): try again. */
export const retryUpdate = defineUpdate<SetupStatus>('retry');
/** Operator gives up on the setup; the instance is released unless kept. */
export const abortUpdate = defineUpdate<SetupStatus>('abort');
/** Tear the sync down: release the DTS instance and finish. */
export const releaseUpdate = defineUpdate<SetupStatus>('release');
/**
 * The same update with its options (the state machine's handler; the API's DELETE). An adopted job is
 * released only with `releaseInstance` (DELETE ?release=true); without it the setup leaves the job as it is.
 */
export const releaseWithOptionsUpdate = defineUpdate<SetupStatus, [ReleaseOptions | undefined]>('release');

export interface ReleaseOptions extends ActionCaller {
  /** Delete the DTS instance even though the setup adopted it. Runs of older code ignore it. */
  releaseInstance?: boolean;
}

/**
 * Who asked for an action (a token's name or a JWT's subject, never the token). The API sends it in the
 * arguments of the updates below, so the history records it; the handlers need not read it.
 */
export interface ActionCaller {
  by?: string;
}
/** The operator updates as the API sends them: the same names, with the caller. */
export const retryByUpdate = defineUpdate<SetupStatus, [ActionCaller]>('retry');
export const abortByUpdate = defineUpdate<SetupStatus, [ActionCaller]>('abort');

/**
 * A day-two change of a running setup (pause, resume, databases, jobClass, tags, a new password): answered with the
 * status it was accepted in (the change then shows in `changes` as applying), or refused by the validator with the reason.
 */
export const changeUpdate = defineUpdate<SetupStatus, [ChangeRequest]>('change');

/** Compare the data at both ends now; answers the verification just started. Refused unless synchronizing. */
export const verifyUpdate = defineUpdate<VerificationStatus, [VerifyOptions]>('verify');

export interface VerifyOptions extends ActionCaller {
  /** Default `value`. */
  depth?: VerifyDepth;
}

export const retrySignal = defineSignal('retry');
export const abortSignal = defineSignal('abort');
export const releaseSignal = defineSignal('release');
/** From the status watcher: DTS reports a new status for one direction of this setup. */
export const dtsStatusSignal = defineSignal<[DtsStatusNews?]>('dtsStatusChanged');

export interface DtsStatusNews {
  direction: Direction;
  status: DtsDirectionStatus;
  /** Replication delay, from the watcher's delay gauges (activities/delay-gauges.ts); older watchers omit it. */
  delaySeconds?: number;
}

/** Signal payloads come from outside (older watchers, the CLI): check before use. */
export function readDtsStatusNews(value: unknown): DtsStatusNews | undefined {
  const news = value as { direction?: unknown; status?: unknown; delaySeconds?: unknown } | undefined;
  if (typeof news !== 'object' || news === null || typeof news.status !== 'string') return undefined;
  const direction = typeof news.direction === 'string' ? news.direction.toLowerCase() : '';
  if (direction !== 'forward' && direction !== 'reverse') return undefined;
  const delay = news.delaySeconds;
  return {
    direction: direction === 'forward' ? 'Forward' : 'Reverse',
    status: news.status as DtsDirectionStatus,
    ...(typeof delay === 'number' && Number.isFinite(delay) && delay >= 0 ? { delaySeconds: delay } : {}),
  };
}
