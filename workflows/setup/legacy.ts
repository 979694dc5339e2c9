import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  condition,
  continueAsNew,
  ContinueAsNew,
  isCancellation,
  log,
  metricMeter,
  patched,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
  type ActivityOptions,
} from '@temporalio/workflow';
import type { Activities } from '../../activities';
import { durationMs as msToNumber } from '../duration';
import { dtsTaskQueue, purchaseClientToken } from '../ids';
import {
  abortSignal,
  abortUpdate,
  dtsStatusSignal,
  readDtsStatusNews,
  releaseSignal,
  releaseUpdate,
  retrySignal,
  retryUpdate,
  setupStatusQuery,
} from '../messages';
import { nextPollDelayMs, type ProgressSample } from '../poll-delay';
import { DtsJobIdKey, SyncPhaseKey } from '../search-attributes';
import { FAILED_DTS_STATUSES } from '../normalize-dts';
import { DEFAULT_TUNING, type WaitTuning } from '../tuning';
import {
  summarizeEndpoint,
  type Direction,
  type DirectionSnapshot,
  type DirectionState,
  type PrecheckFailure,
  type SyncPhase,
  type SyncRequest,
  type SetupStatus,
} from '../types';

import type { RedisSyncInput } from '../redis-sync';

// The workflow as it ran before the explicit state machine (workflows/setup/procedure.ts). Setups
// started by that code replay through it until they continue-as-new; do not change its commands.

// Retry policies by kind of call. Every DTS error the activity marks permanent stops at once.
const RETRY_FOREVER = { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '60s' } as const;
const READ: ActivityOptions = { startToCloseTimeout: '30s', scheduleToCloseTimeout: '10m', retry: RETRY_FOREVER };
// Purchase and configure are idempotent (ClientToken, configure-once check): retry until
// DTS answers, however long it is down; the status shows the last error meanwhile.
const MUTATE: ActivityOptions = { startToCloseTimeout: '30s', retry: RETRY_FOREVER };
const RELEASE: ActivityOptions = { startToCloseTimeout: '30s', scheduleToCloseTimeout: '30m', retry: RETRY_FOREVER };

/** Marks a setup that stops because someone asked it to (abort, release). */
const ABORTED = 'AbortedByOperator';
const RELEASE_REQUESTED = 'ReleaseRequested';

/**
 * One Redis sync setup, from purchase to Synchronizing, then its keeper until released:
 * buy → configure Forward → wait for Synchronizing → (two-way) configure Reverse → wait.
 */
export async function legacyRedisSync(input: RedisSyncInput): Promise<SetupStatus> {
  const { request } = input;
  const tuning: WaitTuning = { ...DEFAULT_TUNING, ...input.tuning };
  const info = workflowInfo();
  const status: SetupStatus = input.resumed ?? initialStatus(info.workflowId, request);
  const dts = dtsActivities(dtsTaskQueue(info.taskQueue));
  // Replay-safe: the SDK emits workflow metrics only on first execution.
  const phasesEntered = metricMeter.createCounter('sync_phase_entered', '1', 'Setups entering each phase');
  const timeToSynchronizing = metricMeter.createHistogram(
    'sync_time_to_synchronizing',
    'float',
    's',
    'From request to all directions Synchronizing',
  );
  let operator: 'retry' | 'abort' | undefined;
  let releaseRequested = false;
  let upserted = '';
  let operatorAnsweredAtMs = 0;
  // Once per setup: a keeper's restart re-enters synchronizing without being a new setup.
  let measuredTimeToSynchronizing = Boolean(
    input.resumed?.forward.synchronizingAt && (request.topology === 'oneway' || input.resumed.reverse?.synchronizingAt),
  );

  setHandler(setupStatusQuery, () => status);
  setHandler(retrySignal, () => {
    if (status.phase === 'needs-attention') operator = 'retry';
  });
  setHandler(abortSignal, () => {
    operator = 'abort';
  });
  setHandler(releaseSignal, () => {
    releaseRequested = true;
  });
  // Updates for the API's operator actions; these runs answer them like the signals above.
  setHandler(retryUpdate, () => ((operator = 'retry'), status), {
    validator: () => {
      if (status.phase !== 'needs-attention') throw new Error('retry is only accepted in needs-attention');
    },
  });
  setHandler(abortUpdate, () => ((operator = 'abort'), status), {
    validator: () => {
      if (status.phase === 'released' || status.phase === 'releasing')
        throw new Error(`abort is not accepted in ${status.phase}`);
    },
  });
  setHandler(releaseUpdate, () => ((releaseRequested = true), status), {
    validator: () => {
      if (status.phase === 'released') throw new Error('already released');
    },
  });
  // The status watcher saw DTS change this job's status: poll now rather than at the next tick.
  let dtsChanged = false;
  setHandler(dtsStatusSignal, (payload) => {
    // A hand-sent or older signal without its payload must not fail the workflow task.
    const news = readDtsStatusNews(payload);
    if (!news) return;
    // News only if it differs from what this workflow last read itself.
    const known = news.direction === 'Forward' ? status.forward : status.reverse;
    if (known?.status !== news.status) dtsChanged = true;
  });

  const regionId = request.region;
  const directions: Direction[] = request.topology === 'bidirectional' ? ['Forward', 'Reverse'] : ['Forward'];

  function tell(change: Partial<SetupStatus>): void {
    const before = status.phase;
    Object.assign(status, change, { updatedAt: new Date().toISOString() });
    if (status.phase !== before) {
      log.info('phase', { from: before, to: status.phase, dtsJobId: status.dtsJobId });
      phasesEntered.add(1, { phase: status.phase });
      if (status.phase === 'synchronizing' && !measuredTimeToSynchronizing) {
        measuredTimeToSynchronizing = true;
        timeToSynchronizing.record((Date.now() - Date.parse(status.createdAt)) / 1000, { topology: request.topology });
      }
    }
    // Each upsert is a history event: only when a searchable value changes.
    const searchable = `${status.phase}|${status.dtsJobId ?? ''}`;
    if (searchable !== upserted) {
      upserted = searchable;
      upsertSearchAttributes([
        { key: SyncPhaseKey, value: status.phase },
        ...(status.dtsJobId ? [{ key: DtsJobIdKey, value: status.dtsJobId }] : []),
      ]);
    }
    setCurrentDetails(describeForUi(status));
  }

  function direction(dir: Direction): DirectionState {
    if (dir === 'Forward') return status.forward;
    status.reverse ??= { configured: false, restarts: 0 };
    return status.reverse;
  }

  function stopIfAsked(): void {
    if (releaseRequested) throw ApplicationFailure.nonRetryable('Release requested', RELEASE_REQUESTED);
    if (operator === 'abort') throw ApplicationFailure.nonRetryable('Aborted by an operator', ABORTED);
  }

  /** Sleep that wakes for an abort or release, and for news from the status watcher unless told not to. */
  async function pause(ms: number, { wakeOnDtsChange = true } = {}): Promise<void> {
    await condition(() => releaseRequested || operator === 'abort' || (wakeOnDtsChange && dtsChanged), ms);
    dtsChanged = false;
    stopIfAsked();
  }

  async function maybeContinueAsNew(): Promise<void> {
    const now = workflowInfo();
    if (now.continueAsNewSuggested || now.historyLength > tuning.maxHistoryEvents) {
      stopIfAsked(); // a release or abort that just arrived must not be lost in the new run
      await continueAsNew<(input: RedisSyncInput) => Promise<SetupStatus>>({
        request,
        tuning: input.tuning,
        resumed: status,
      });
    }
  }

  async function purchase(): Promise<void> {
    tell({ phase: 'purchasing' });
    const { dtsJobId } = await dts('Buy the DTS sync instance', MUTATE).purchaseInstance({
      clientToken: purchaseClientToken(info.firstExecutionRunId),
      regionId,
      sourceRegion: request.source.region,
      destinationRegion: request.destination.region,
      topology: request.topology,
      jobClass: request.jobClass,
      payType: request.payType,
      period: request.period,
      usedTime: request.usedTime,
    });
    tell({ dtsJobId });
  }

  async function configure(dir: Direction): Promise<void> {
    tell({ phase: dir === 'Forward' ? 'configuring-forward' : 'configuring-reverse' });
    const [source, destination] =
      dir === 'Forward' ? [request.source, request.destination] : [request.destination, request.source];
    try {
      await dts(`Configure ${dir} on ${status.dtsJobId}`, MUTATE).configureDirection({
        dtsJobId: status.dtsJobId!,
        regionId,
        direction: dir,
        jobName: request.name,
        source,
        destination,
        databases:
          dir === 'Forward' ? request.databases : request.databases.map((db) => ({ from: db.to, to: db.from })),
      });
    } catch (err) {
      // A configure that took effect but whose answer was lost is refused on retry:
      // the wait that follows reads the real state and tells the two cases apart.
      if (!(failureType(err) === 'DtsJobStatusConflict')) throw err;
      log.warn('configure refused for job status; reading the real state', { direction: dir });
    }
    Object.assign(direction(dir), { configured: true, configuredAt: new Date().toISOString() });
    tell({});
  }

  async function start(dir: Direction, why: string): Promise<void> {
    log.info('starting direction', { direction: dir, why });
    try {
      await dts(`Start ${dir} on ${status.dtsJobId} (${why})`, MUTATE).startDirection({
        dtsJobId: status.dtsJobId!,
        regionId,
        direction: dir,
      });
    } catch (err) {
      if (failureType(err) !== 'DtsJobStatusConflict') throw err; // already running again
    }
  }

  /** Blocks until an operator says retry; abort or the deadline ends the setup. */
  async function needsAttention(dir: Direction, reason: string, failures: PrecheckFailure[]): Promise<void> {
    const resumePhase = status.phase;
    const since = new Date();
    const deadline = new Date(since.getTime() + msToNumber(request.attentionDeadline));
    operator = undefined;
    tell({
      phase: 'needs-attention',
      attention: { direction: dir, reason, failures, since: since.toISOString(), deadline: deadline.toISOString() },
    });
    const answered = await condition(() => operator !== undefined || releaseRequested, request.attentionDeadline);
    stopIfAsked();
    if (!answered) {
      throw ApplicationFailure.nonRetryable(
        `No operator action within ${request.attentionDeadline}: ${reason}`,
        'AttentionDeadlineExceeded',
      );
    }
    operator = undefined;
    operatorAnsweredAtMs = Date.now();
    tell({ phase: resumePhase, attention: undefined });
    await start(dir, 'operator retry');
  }

  function record(dir: Direction, snapshot: DirectionSnapshot): void {
    const state = direction(dir);
    Object.assign(state, snapshot);
    if (!snapshot.errorMessage) delete state.errorMessage;
    tell({});
  }

  /** `sinceMs`: the keeper's restart of a long-running direction gets a full waitDeadline from now, not from its configure days ago. */
  async function waitForSynchronizing(dir: Direction, sinceMs?: number): Promise<void> {
    tell({ phase: dir === 'Forward' ? 'waiting-forward' : 'waiting-reverse' });
    const state = direction(dir);
    const deadlineMs =
      (sinceMs ?? Date.parse(state.configuredAt ?? new Date().toISOString())) + msToNumber(request.waitDeadline);
    const minMs = msToNumber(tuning.firstPoll);
    const maxMs = msToNumber(tuning.maxPoll);
    let delayMs = minMs;
    let earlier: ProgressSample | undefined;
    let stage: DirectionSnapshot['stage'] | undefined;
    await pause(delayMs);
    for (;;) {
      await maybeContinueAsNew();
      const snapshot = await describe(dir);
      if (snapshot) {
        record(dir, snapshot);
        switch (snapshot.status) {
          case 'synchronizing':
            Object.assign(state, { synchronizingAt: new Date().toISOString() });
            tell({ attention: undefined, error: undefined });
            return;
          case 'notconfigured':
            // DTS refuses a Reverse configure while Forward is not Synchronizing: mend Forward first.
            if (dir === 'Reverse' && patched('reverse-waits-for-forward')) await ensureForwardSynchronizing();
            await configure(dir);
            tell({ phase: dir === 'Forward' ? 'waiting-forward' : 'waiting-reverse' });
            break;
          case 'notstarted':
            await start(dir, 'configured but not started');
            break;
          case 'precheckfailed':
            await needsAttention(dir, 'DTS precheck failed', snapshot.precheckFailures);
            break;
          case 'suspending':
            await needsAttention(dir, 'The DTS task was suspended outside this workflow', []);
            break;
          default:
            if (FAILED_DTS_STATUSES.has(snapshot.status)) await restartOrAskForHelp(dir, snapshot);
        }
        // Extrapolate within one DTS step: steps run at different speeds.
        const latest = { progress: snapshot.stagePercent, atMs: Date.now() };
        const bounds = { minMs, maxMs };
        if (snapshot.stage === 'other') delayMs = nextPollDelayMs(delayMs, undefined, latest, bounds);
        else delayMs = stage === snapshot.stage ? nextPollDelayMs(delayMs, earlier, latest, bounds) : minMs;
        earlier = latest;
        stage = snapshot.stage;
      }
      // Time spent waiting for an operator does not count against the wait.
      if (Date.now() > Math.max(deadlineMs, operatorAnsweredAtMs + msToNumber(request.waitDeadline))) {
        throw ApplicationFailure.nonRetryable(
          `${dir} did not reach Synchronizing within ${request.waitDeadline}; last DTS status ${state.rawStatus ?? 'unknown'} at ${state.progress ?? 0}%`,
          'WaitDeadlineExceeded',
        );
      }
      await pause(delayMs);
    }
  }

  async function ensureForwardSynchronizing(): Promise<void> {
    const forward = await describe('Forward');
    if (!forward || forward.status === 'synchronizing') return;
    record('Forward', forward);
    log.warn('Forward left Synchronizing before Reverse was configured', { status: forward.rawStatus });
    if (FAILED_DTS_STATUSES.has(forward.status)) await restartOrAskForHelp('Forward', forward);
    await waitForSynchronizing('Forward', Date.now());
    tell({ phase: 'configuring-reverse' });
  }

  async function restartOrAskForHelp(dir: Direction, snapshot: DirectionSnapshot): Promise<void> {
    const state = direction(dir);
    const reason = `DTS reports ${snapshot.rawStatus}${snapshot.errorMessage ? `: ${snapshot.errorMessage}` : ''}`;
    if (state.restarts >= tuning.maxAutoRestarts) {
      await needsAttention(dir, `${reason} (after ${state.restarts} automatic restarts)`, snapshot.precheckFailures);
      state.restarts = 0;
      return;
    }
    await pause(msToNumber(tuning.restartBackoff) * 2 ** state.restarts, { wakeOnDtsChange: false });
    state.restarts += 1;
    tell({});
    const why = `automatic restart ${state.restarts} of ${tuning.maxAutoRestarts}`;
    if (snapshot.status === 'initializefailed') {
      // DTS refuses Start here: clear the direction and configure it again.
      log.info('resetting direction', { direction: dir, why });
      await dts(`Reset ${dir} on ${status.dtsJobId} (${why})`, MUTATE).resetDirection({
        dtsJobId: status.dtsJobId!,
        regionId,
        direction: dir,
      });
      await configure(dir);
      tell({ phase: dir === 'Forward' ? 'waiting-forward' : 'waiting-reverse' });
    } else {
      await start(dir, why);
    }
  }

  /** A describe that keeps failing (DTS down) does not end the wait; it shows in the status. */
  async function describe(dir: Direction): Promise<DirectionSnapshot | undefined> {
    dtsChanged = false; // this read answers any news the watcher sent so far
    try {
      const snapshot = await dts(`Read ${dir} status of ${status.dtsJobId}`, READ).describeDirection({
        dtsJobId: status.dtsJobId!,
        regionId,
        direction: dir,
      });
      if (status.error?.type === 'DtsUnreachable') tell({ error: undefined });
      return snapshot;
    } catch (err) {
      if (isCancellation(err) || !isTransient(err)) throw err;
      tell({ error: { type: 'DtsUnreachable', message: failureMessage(err) } });
      return undefined;
    }
  }

  /** After setup: watch at a slow pace, restart a failed direction, release on request. */
  async function keep(): Promise<void> {
    tell({ phase: 'synchronizing' });
    for (;;) {
      await maybeContinueAsNew();
      await pause(msToNumber(tuning.monitorInterval));
      for (const dir of directions) {
        const snapshot = await describe(dir);
        if (!snapshot) continue;
        record(dir, snapshot);
        if (FAILED_DTS_STATUSES.has(snapshot.status) || snapshot.status === 'suspending') {
          await restartOrAskForHelp(dir, snapshot);
          await waitForSynchronizing(dir, Date.now());
          direction(dir).restarts = 0;
          tell({ phase: 'synchronizing' });
        }
      }
    }
  }

  /** Release a pay-as-you-go instance; a prepaid one is reported, not forgotten. */
  async function releaseInstance(why: 'teardown' | 'cleanup'): Promise<void> {
    if (!status.dtsJobId || status.released) return;
    const at = () => new Date().toISOString();
    if (why === 'cleanup' && request.keepInstanceOnFailure) {
      tell({ released: { at: at(), outcome: 'kept' } });
      return;
    }
    if (request.payType === 'PrePaid') {
      tell({ released: { at: at(), outcome: 'prepaid-not-released' } });
      return;
    }
    const { outcome } = await dts(`Release ${status.dtsJobId}`, RELEASE).releaseInstance({
      dtsJobId: status.dtsJobId,
      regionId,
    });
    tell({ released: { at: at(), outcome } });
  }

  try {
    stopIfAsked();
    if (!status.dtsJobId) await purchase();
    for (const dir of directions) {
      const state = direction(dir);
      if (state.synchronizingAt) continue;
      if (!state.configured) await configure(dir);
      await waitForSynchronizing(dir);
    }
    await keep();
    throw new Error('unreachable');
  } catch (err) {
    if (err instanceof ContinueAsNew) throw err;
    const type = failureType(err);
    if (type === RELEASE_REQUESTED) {
      tell({ phase: 'releasing' });
      await releaseInstance('teardown');
      tell({ phase: 'released' });
      return status;
    }
    const cancelled = isCancellation(err) || type === ABORTED;
    const finalPhase: SyncPhase = cancelled ? 'cancelled' : 'failed';
    tell({
      phase: status.dtsJobId ? 'releasing' : finalPhase,
      attention: undefined,
      error: cancelled ? undefined : errorSummary(err),
    });
    // Cleanup must run even while the workflow itself is being cancelled.
    await CancellationScope.nonCancellable(async () => {
      try {
        await releaseInstance('cleanup');
      } catch (cleanupErr) {
        log.error('could not release the DTS instance', {
          dtsJobId: status.dtsJobId,
          error: failureMessage(cleanupErr),
        });
        tell({
          error: {
            type: 'ReleaseFailed',
            message: `Setup ended but the instance ${status.dtsJobId} was not released: ${failureMessage(cleanupErr)}`,
          },
        });
      }
    });
    tell({ phase: finalPhase });
    if (isCancellation(err)) throw err;
    if (type === ABORTED) return status;
    throw ApplicationFailure.nonRetryable(status.error?.message ?? 'Setup failed', status.error?.type ?? 'SetupFailed');
  }
}

function dtsActivities(taskQueue: string) {
  return (summary: string, options: ActivityOptions) => proxyActivities<Activities>({ ...options, taskQueue, summary });
}

function initialStatus(id: string, request: SyncRequest): SetupStatus {
  const now = new Date().toISOString();
  return {
    id,
    name: request.name,
    topology: request.topology,
    phase: 'purchasing',
    payType: request.payType,
    source: summarizeEndpoint(request.source),
    destination: summarizeEndpoint(request.destination),
    forward: { configured: false, restarts: 0 },
    ...(request.topology === 'bidirectional' ? { reverse: { configured: false, restarts: 0 } } : {}),
    createdAt: now,
    updatedAt: now,
  };
}

function rootCause(err: unknown): unknown {
  return err instanceof ActivityFailure && err.cause ? err.cause : err;
}

function failureType(err: unknown): string | undefined {
  const cause = rootCause(err);
  return cause instanceof ApplicationFailure ? (cause.type ?? undefined) : undefined;
}

function failureMessage(err: unknown): string {
  const cause = rootCause(err);
  return cause instanceof Error ? cause.message : String(cause);
}

function isTransient(err: unknown): boolean {
  const cause = rootCause(err);
  // Retryable DTS failures and activity timeouts; permanent DTS errors are nonRetryable.
  return !(cause instanceof ApplicationFailure && cause.nonRetryable);
}

function errorSummary(err: unknown): NonNullable<SetupStatus['error']> {
  const cause = rootCause(err);
  const details =
    cause instanceof ApplicationFailure
      ? (cause.details?.[0] as { code?: string; requestId?: string } | undefined)
      : undefined;
  return {
    type: failureType(err) ?? (cause instanceof Error ? cause.name : 'Error'),
    message: failureMessage(err),
    ...(details?.code ? { code: details.code } : {}),
    ...(details?.requestId ? { requestId: details.requestId } : {}),
  };
}

function describeForUi(status: SetupStatus): string {
  const line = (name: string, d?: DirectionState) =>
    d
      ? `| ${name} | ${d.rawStatus ?? (d.configured ? 'configured' : 'not configured')} | ${d.progress ?? 0}% | ${d.errorMessage ?? ''} |`
      : '';
  return [
    `**${status.phase}** · DTS \`${status.dtsJobId ?? 'not bought yet'}\` · ${status.source.instanceId ?? status.source.ip} → ${status.destination.instanceId ?? status.destination.ip} (${status.topology})`,
    '',
    '| direction | DTS status | progress | error |',
    '|---|---|---|---|',
    line('Forward', status.forward),
    line('Reverse', status.reverse),
    status.attention
      ? `\n**Needs attention:** ${status.attention.reason}. Signal \`retry\` or \`abort\` before ${status.attention.deadline}.`
      : '',
    status.error ? `\n**Error:** ${status.error.type}: ${status.error.message}` : '',
  ]
    .filter((l) => l !== '')
    .join('\n');
}
