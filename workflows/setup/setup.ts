import {
  CancellationScope,
  condition,
  continueAsNew,
  log,
  metricMeter,
  patched,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  upsertMemo,
  upsertSearchAttributes,
  workflowInfo,
  type ActivityOptions,
} from '@temporalio/workflow';
import type { Activities } from '../../activities';
import { durationMs } from '../../core/tuning';
import { dtsTaskQueue } from '../../core/ids';
import { DTS_CALL, retryPauseMs } from '../../core/timing';
import {
  abortSignal,
  abortUpdate,
  dtsStatusSignal,
  readDtsStatusNews,
  type ActionCaller,
  type ReleaseOptions,
  releaseSignal,
  releaseWithOptionsUpdate,
  retrySignal,
  retryUpdate,
  setupStatusQuery,
} from '../../core/messages';
import { DtsJobIdKey, STATUS_MEMO, SyncPhaseKey } from '../../core/search-attributes';
import {
  DEFAULT_MAX_DELAY,
  type Direction,
  type DirectionSnapshot,
  type DirectionState,
  type DtsDirectionStatus,
  type SetupPhase,
  type SetupRequest,
  type SetupStatus,
} from '../../core/types';
import { errorSummary, isPermanent, PASSING_ERROR_TYPES } from './failures';
import { noteExpiry } from './expiry';
import { announceChanges } from './notify';
import { STATUS_MEMO_PATCH, WATCHER_NEWS_PATCH } from './patches';
import type { SetupState, StopRequest } from './state';

/** DTS's own spelling of a normalised status, for a status known only from the watcher. */
const DTS_SPELLING: Partial<Record<DtsDirectionStatus, string>> = {
  notconfigured: 'NotConfigured',
  notstarted: 'NotStarted',
  prechecking: 'Prechecking',
  precheckfailed: 'PrecheckFailed',
  initializing: 'Initializing',
  initializefailed: 'InitializeFailed',
  synchronizing: 'Synchronizing',
  failed: 'Failed',
  suspending: 'Suspending',
  modifying: 'Modifying',
  finished: 'Finished',
};

/** Half of Temporal's default memo limit (32 KiB, all keys together): the request and warnings share it. */
const STATUS_MEMO_MAX_CHARS = 16_000;

/** Thrown where a stop request (release, abort, cancel) ends the current step. */
export class StopRequested extends Error {
  constructor(readonly stop: StopRequest) {
    super(`stop requested: ${stop}`);
    this.name = 'StopRequested';
  }
}

/**
 * One setup's run: its state, its messages, and the helpers every step uses.
 * Steps (purchase.ts, configure.ts, wait.ts, monitor.ts, attention.ts, teardown.ts) take it as `setup`.
 */
export class Setup {
  readonly directions: Direction[];
  private dtsChanged = false;
  private upserted = '';
  private memoized = '';
  /** Notifiers asked to start and not yet started (workflows/setup/notify.ts). */
  readonly noticeStarts: Promise<unknown>[] = [];
  private readonly phasesEntered = metricMeter.createCounter('sync_phase_entered', '1', 'Setups entering each phase');
  private readonly timeToSynchronizing = metricMeter.createHistogram(
    'sync_time_to_synchronizing',
    'float',
    's',
    'From request to all directions Synchronizing',
  );

  constructor(
    readonly request: SetupRequest,
    readonly state: SetupState,
  ) {
    this.directions = request.topology === 'bidirectional' ? ['Forward', 'Reverse'] : ['Forward'];
  }

  get status(): SetupStatus {
    return this.state.status;
  }

  get tuningMs() {
    const t = this.state.tuning;
    return {
      firstPoll: durationMs(t.firstPoll),
      maxPoll: durationMs(t.maxPoll),
      monitorInterval: durationMs(t.monitorInterval),
      restartBackoff: durationMs(t.restartBackoff),
      waitDeadline: durationMs(this.request.waitDeadline),
      attentionDeadline: durationMs(this.request.attentionDeadline),
    };
  }

  /** Messages. Updates answer with the status they were accepted in; validators refuse with the reason. */
  installHandlers(): void {
    setHandler(setupStatusQuery, () => this.status);
    setHandler(retrySignal, () => {
      if (!this.retryRefusal()) this.state.retryRequested = true;
    });
    setHandler(abortSignal, () => this.requestStop('abort'));
    setHandler(releaseSignal, () => this.requestStop('release'));
    setHandler(
      retryUpdate,
      (caller?: ActionCaller) => {
        this.noteAction('retry', caller);
        this.state.retryRequested = true;
        return this.status;
      },
      { validator: () => this.refuse(this.retryRefusal()) },
    );
    setHandler(
      abortUpdate,
      (caller?: ActionCaller) => {
        this.noteAction('abort', caller);
        this.requestStop('abort');
        return this.status;
      },
      { validator: () => this.refuse(this.abortRefusal()) },
    );
    setHandler(
      releaseWithOptionsUpdate,
      (options: ReleaseOptions | undefined) => {
        this.noteAction('release', options);
        if (options?.releaseInstance && !this.state.teardown) {
          this.state.releaseInstance = true;
          if (this.status.adopted) this.updateStatus({ adopted: { ...this.status.adopted, releaseInstance: true } });
        }
        this.requestStop('release');
        return this.status;
      },
      {
        validator: (_options: ReleaseOptions | undefined) =>
          this.refuse(this.status.phase === 'released' ? 'the instance is already released' : undefined),
      },
    );
    // The watcher saw DTS change this job's status: read now rather than at the next tick.
    setHandler(dtsStatusSignal, (payload) => {
      const news = readDtsStatusNews(payload);
      if (!news) return; // an old or hand-sent signal without payload is no news, not a crash
      // Kept until an own read answers it: when own reads fail, it is the latest word of DTS.
      this.state.news = { ...this.state.news, [news.direction]: news.status };
      const known = news.direction === 'Forward' ? this.status.forward : this.status.reverse;
      if (known?.status !== news.status) this.dtsChanged = true;
      // A delay crossing maxDelay (either way) is news too; old payloads carry no delay.
      else if (
        news.delaySeconds !== undefined &&
        this.overMaxDelay(known.delaySeconds) !== this.overMaxDelay(news.delaySeconds)
      )
        this.dtsChanged = true;
    });
    // Cancelling the workflow is a stop request like an abort: the steps run non-cancellable
    // (a purchase or a release in flight is never abandoned) and stop at their next safe point.
    CancellationScope.current().cancelRequested.catch(() => {
      this.state.cancelled = true;
      this.requestStop('cancel');
    });
  }

  /** Who asked for what, shown in the Temporal UI's details (the update's own arguments carry it in the history). */
  private noteAction(action: string, caller: ActionCaller | undefined): void {
    this.state.lastAction = { action, ...(caller?.by ? { by: caller.by } : {}), at: new Date().toISOString() };
    setCurrentDetails(describeForUi(this.status, this.state.lastAction));
  }

  private overMaxDelay(seconds: number | undefined): boolean {
    return (seconds ?? 0) * 1000 > durationMs(this.request.maxDelay ?? DEFAULT_MAX_DELAY);
  }

  private refuse(reason: string | undefined): void {
    if (reason) throw new Error(reason);
  }

  private retryRefusal(): string | undefined {
    const phase = this.status.phase;
    if (phase === 'needs-attention' || phase === 'release-failed') return undefined;
    return `retry is only accepted in needs-attention or release-failed, not in ${phase}`;
  }

  private abortRefusal(): string | undefined {
    const phase = this.status.phase;
    if (['releasing', 'release-failed', 'released', 'cancelled', 'failed'].includes(phase))
      return `abort is not accepted in ${phase}`;
    if (this.state.stop === 'release') return 'a release is already under way';
    return undefined;
  }

  private requestStop(stop: StopRequest): void {
    if (this.state.stop === 'release') return;
    if (stop === 'release' || !this.state.stop) this.state.stop = stop;
    // In release-failed a release (or abort) asks for another attempt.
    if (this.status.phase === 'release-failed') this.state.retryRequested = true;
  }

  stopRequested(): boolean {
    return this.state.stop !== undefined;
  }

  /** Throws at a safe point when someone asked the setup to end. */
  checkStop(): void {
    if (this.state.stop) throw new StopRequested(this.state.stop);
  }

  /** Takes a pending operator retry. */
  takeRetry(): boolean {
    const asked = Boolean(this.state.retryRequested);
    this.state.retryRequested = false;
    return asked;
  }

  /**
   * Sleep that wakes for a stop request, and for the status watcher's news unless told not to;
   * `wakeOnChange`: also for a day-two change waiting to be applied (the keeper's sleeps).
   */
  async pause(ms: number, { wakeOnDtsChange = true, stoppable = true, wakeOnChange = false } = {}): Promise<void> {
    await condition(
      () =>
        this.stopRequested() ||
        (wakeOnDtsChange && this.dtsChanged) ||
        (wakeOnChange && this.state.change !== undefined),
      Math.max(1, ms),
    );
    this.dtsChanged = false;
    if (stoppable) this.checkStop();
  }

  /** Sleep for a parked setup: also wakes for an operator's retry. Returns false on timeout. */
  async pauseInAttention(ms: number | undefined): Promise<void> {
    const wake = () => this.stopRequested() || this.dtsChanged || Boolean(this.state.retryRequested);
    if (ms === undefined) await condition(wake);
    else await condition(wake, Math.max(1, ms));
    this.dtsChanged = false;
  }

  /** The DTS API family every DTS activity of this setup speaks; empty in runs older than the choice (legacy). */
  get family(): Pick<SetupState, 'api'> {
    return this.state.api ? { api: this.state.api } : {};
  }

  /** This setup's DTS instance, in its API family: what every DTS activity on it names. */
  instance() {
    return { ...this.family, dtsJobId: this.status.dtsJobId!, regionId: this.request.region };
  }

  /** One direction of this setup's instance. */
  where(direction: Direction) {
    return { ...this.instance(), direction };
  }

  dts(summary: string, options: ActivityOptions) {
    return proxyActivities<Activities>({
      ...options,
      taskQueue: dtsTaskQueue(workflowInfo().taskQueue),
      summary,
    });
  }

  /**
   * A DTS call that must eventually succeed (configure, start, reset, suspend): retried with
   * backoff while DTS is down or refuses the credentials, the error shown meanwhile. A permanent
   * refusal is thrown. `stoppable`: a stop request ends the retrying (not the call in flight).
   */
  async callWithRetries<T>(call: () => Promise<T>, { stoppable = true } = {}): Promise<T> {
    for (let attempt = 0; ; attempt += 1) {
      if (stoppable) this.checkStop();
      try {
        const result = await call();
        this.clearPassingError();
        return result;
      } catch (err) {
        if (isPermanent(err)) throw err;
        const summary = errorSummary(err);
        this.updateStatus({ error: summary });
        await this.pause(retryPauseMs(attempt, summary.type), { wakeOnDtsChange: false, stoppable });
      }
    }
  }

  clearPassingError(): void {
    if (this.status.error && PASSING_ERROR_TYPES.has(this.status.error.type)) this.updateStatus({ error: undefined });
  }

  /** One read of a direction's DTS status; a failure is returned, never thrown. */
  /**
   * One read of a direction's DTS status; a failure is returned, never thrown. When the read fails but the
   * status watcher's batched list told us the status since the last own read, that is the snapshot (with
   * the failure: its error stays shown).
   */
  async read(dir: Direction): Promise<{ snapshot?: DirectionSnapshot; failure?: unknown }> {
    this.dtsChanged = false; // this read answers any news the watcher sent so far
    const news = this.state.news?.[dir];
    try {
      const snapshot = await this.dts(`Read ${dir} status of ${this.status.dtsJobId}`, DTS_CALL).describeDirection(
        this.where(dir),
      );
      if (this.state.news?.[dir] === news) this.forgetNews(dir);
      this.clearPassingError();
      this.record(dir, snapshot);
      return { snapshot };
    } catch (err) {
      this.updateStatus({ error: errorSummary(err) });
      const latest = this.state.news?.[dir];
      if (latest === undefined || !patched(WATCHER_NEWS_PATCH)) return { failure: err };
      this.forgetNews(dir);
      return { snapshot: this.recordNews(dir, latest), failure: err };
    }
  }

  /** A direction with news from the watcher not yet answered by an own read. */
  newsFor(dir: Direction): DtsDirectionStatus | undefined {
    return this.state.news?.[dir];
  }

  private forgetNews(dir: Direction): void {
    if (!this.state.news) return;
    const { [dir]: _answered, ...rest } = this.state.news;
    this.state.news = Object.keys(rest).length > 0 ? rest : undefined;
  }

  /** The watcher's word shown as the direction's status: only the status is known, the rest stays as last read. */
  private recordNews(dir: Direction, status: DtsDirectionStatus): DirectionSnapshot {
    const known = this.direction(dir);
    const snapshot: DirectionSnapshot = {
      status,
      rawStatus: DTS_SPELLING[status] ?? status,
      progress: known.progress ?? 0,
      stage: 'other',
      stagePercent: 0,
      precheckFailures: [],
    };
    Object.assign(known, { status: snapshot.status, rawStatus: snapshot.rawStatus });
    if (status !== 'failed') delete known.errorMessage;
    if (status === 'synchronizing' && !this.status.everSynchronizing) this.status.everSynchronizing = true;
    this.updateStatus({});
    return snapshot;
  }

  direction(dir: Direction): DirectionState {
    if (dir === 'Forward') return this.status.forward;
    this.status.reverse ??= { configured: false, restarts: 0 };
    return this.status.reverse;
  }

  record(dir: Direction, read: DirectionSnapshot): void {
    const state = this.direction(dir);
    // The instance's, not the direction's: kept once, in the status (expiry.ts).
    const { expireTime, ...snapshot } = read;
    Object.assign(state, snapshot);
    if (!snapshot.errorMessage) delete state.errorMessage;
    if (snapshot.status === 'synchronizing' && !this.status.everSynchronizing) {
      log.info('first Synchronizing: from now on only an explicit release ends this sync', { direction: dir });
      this.status.everSynchronizing = true;
    }
    this.updateStatus({});
    noteExpiry(this, expireTime);
  }

  /** The absolute end of the direction's wait for Synchronizing; undefined when not waiting. */
  waitDeadline(dir: Direction): number | undefined {
    return this.state.waitUntilMs[dir];
  }

  /** A wait for Synchronizing starts (again) now: the request's waitDeadline from now. */
  setWaitDeadline(dir: Direction): void {
    this.state.waitUntilMs[dir] = Date.now() + this.tuningMs.waitDeadline;
  }

  /** The direction is not waiting for Synchronizing (any more). */
  clearWaitDeadline(dir: Direction): void {
    delete this.state.waitUntilMs[dir];
  }

  waitingPhase(dir: Direction): SetupPhase {
    return dir === 'Forward' ? 'waiting-forward' : 'waiting-reverse';
  }

  updateStatus(change: Partial<SetupStatus>): void {
    const status = this.status;
    const before = status.phase;
    Object.assign(status, change, { updatedAt: new Date().toISOString() });
    for (const key of Object.keys(change) as (keyof SetupStatus)[]) if (change[key] === undefined) delete status[key];
    if (status.phase !== before) {
      log.info('phase', { from: before, to: status.phase, dtsJobId: status.dtsJobId });
      this.phasesEntered.add(1, { phase: status.phase });
      const all = this.directions.every((d) => this.direction(d).synchronizingAt);
      if (status.phase === 'synchronizing' && all && !this.state.measuredTimeToSynchronizing) {
        this.state.measuredTimeToSynchronizing = true;
        this.timeToSynchronizing.record((Date.now() - Date.parse(status.createdAt)) / 1000, {
          topology: this.request.topology,
        });
      }
    }
    announceChanges(this, status.phase !== before);
    // Each upsert is a history event: only when a searchable value changes.
    const searchable = `${status.phase}|${status.dtsJobId ?? ''}`;
    if (searchable !== this.upserted) {
      this.upserted = searchable;
      upsertSearchAttributes([
        { key: SyncPhaseKey, value: status.phase },
        ...(status.dtsJobId ? [{ key: DtsJobIdKey, value: status.dtsJobId }] : []),
      ]);
    }
    this.memoizeStatus();
    setCurrentDetails(describeForUi(status, this.state.lastAction));
  }

  /**
   * The status in the memo, for the API to read with describe() (no worker, no replay). Written in the same
   * workflow task as the change, so it is exactly as fresh as a query; a new `updatedAt` alone is no change.
   */
  private memoizeStatus(): void {
    const { updatedAt: _when, ...content } = this.status;
    const written = JSON.stringify(content);
    if (written === this.memoized || !patched(STATUS_MEMO_PATCH)) return;
    this.memoized = written;
    // A memo over the server's limit fails the workflow task: a status that large is left out (the API asks it).
    upsertMemo({ [STATUS_MEMO]: written.length > STATUS_MEMO_MAX_CHARS ? null : this.status });
  }

  /** Bounded history: hand the whole state to a new run (never with a stop pending: it must not be lost). */
  async maybeContinueAsNew(): Promise<void> {
    const now = workflowInfo();
    if (this.stopRequested() && !this.state.teardown) return;
    // A running verification would be cut off (its activity belongs to this run).
    if (this.status.verification?.state === 'running') return;
    if (now.continueAsNewSuggested || now.historyLength > this.state.tuning.maxHistoryEvents) {
      await continueAsNew<(input: { request: SetupRequest; state: SetupState }) => Promise<SetupStatus>>({
        request: this.request,
        state: this.state,
      });
    }
  }
}

function describeForUi(status: SetupStatus, lastAction?: SetupState['lastAction']): string {
  const line = (name: string, d?: DirectionState) =>
    d
      ? `| ${name} | ${d.rawStatus ?? (d.configured ? 'configured' : 'not configured')} | ` +
        `${d.progress ?? 0}% | ${d.errorMessage ?? ''} |`
      : '';
  const until = status.attention?.deadline ? ` before ${status.attention.deadline}` : '';
  const side = (e: SetupStatus['source']) => e.instanceId ?? e.ip;
  const pair = `${side(status.source)} → ${side(status.destination)}`;
  return [
    `**${status.phase}** · DTS \`${status.dtsJobId ?? 'not bought yet'}\`${status.adopted ? ' (adopted)' : ''} · ${pair} (${status.topology})`,
    '',
    '| direction | DTS status | progress | error |',
    '|---|---|---|---|',
    line('Forward', status.forward),
    line('Reverse', status.reverse),
    status.phase === 'waiting-for-window' && status.window
      ? `\n**Waiting for the initialization window** ${status.window.start}-${status.window.end} ` +
        `${status.window.timeZone}: Forward starts at ${status.window.opensAt}.`
      : '',
    status.attention ? `\n**Needs attention:** ${status.attention.reason}. Send \`retry\` or \`abort\`${until}.` : '',
    status.error ? `\n**Error:** ${status.error.type}: ${status.error.message}` : '',
    status.verification ? `\n**Verification:** ${verificationLine(status.verification)}` : '',
    lastAction
      ? `\n**Last operator action:** \`${lastAction.action}\` by ${lastAction.by ?? 'an unnamed caller'} at ${lastAction.at}`
      : '',
    status.releaseError
      ? `\n**Release failed:** ${status.releaseError.type}: ${status.releaseError.message}. Send \`retry\`.`
      : '',
  ]
    .filter((l) => l !== '')
    .join('\n');
}

function verificationLine(v: NonNullable<SetupStatus['verification']>): string {
  if (v.state === 'running') return `running since ${v.startedAt} (${v.depth})`;
  const counts = `${v.keysCompared ?? 0} keys compared, ${v.keysDiffering ?? 0} differing`;
  return `${v.outcome} at ${v.finishedAt} (${v.depth}, ${counts})${v.reason ? `: ${v.reason}` : ''}`;
}
