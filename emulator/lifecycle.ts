// Pure functions from (direction record, now) to statuses: the lifecycle of docs/dts-api.md §2.3.
import type { DirectionRecord, JobRecord, JobStatus, RunModule, RunPlan } from './model';
import { moverOf } from './redis/movers';

interface Transition {
  status: JobStatus;
  offset: number;
}

function moduleMs(module: RunModule): number {
  return module.state === 'run' ? module.ms : 0;
}

function precheckEnd(run: RunPlan): number {
  return run.kind === 'full' ? run.precheck.ms : 0;
}

function initEnd(run: RunPlan): number {
  return precheckEnd(run) + moduleMs(run.structure) + moduleMs(run.data) + run.warmupMs;
}

/** Every status change this run will go through, as offsets from its start. */
function plannedTransitions(run: RunPlan): Transition[] {
  const list: Transition[] = [];
  const checked = precheckEnd(run);
  if (run.kind === 'full') {
    list.push({ status: 'Prechecking', offset: 0 });
    if (!run.precheck.passed) return [...list, { status: 'PrecheckFailed', offset: checked }];
  }
  const synced = initEnd(run);
  if (synced > checked || run.initFailAfterMs !== undefined) list.push({ status: 'Initializing', offset: checked });
  if (run.initFailAfterMs !== undefined) return [...list, { status: 'InitializeFailed', offset: run.initFailAfterMs }];
  if (run.finishAfterInit) return [...list, { status: 'Finished', offset: synced }];
  list.push({ status: 'Synchronizing', offset: synced });
  if (run.failAt !== undefined) list.push({ status: 'Failed', offset: Math.max(synced, run.failAt - run.startedAt) });
  return list;
}

/** Transitions that happened by `now` (a suspension freezes the timeline). */
export function transitionsUntil(run: RunPlan, now: number): Transition[] {
  const until = Math.min(now, run.suspendedAt ?? Infinity) - run.startedAt;
  const past = plannedTransitions(run).filter((t) => t.offset <= until);
  if (run.suspendedAt !== undefined && run.suspendedAt <= now) {
    past.push({ status: 'Suspending', offset: run.suspendedAt - run.startedAt });
  }
  return past;
}

export function currentStatus(direction: DirectionRecord, now: number): JobStatus {
  if (!direction.config) return 'NotConfigured';
  if (!direction.run) return 'NotStarted';
  const status = transitionsUntil(direction.run, now).at(-1)?.status ?? 'Prechecking';
  // A ModifySynchronizationObject under way shows instead of Synchronizing until it ends.
  const modification = direction.modification;
  if (status === 'Synchronizing' && modification && now < modification.until) return 'Modifying';
  return status;
}

/** The objects a direction synchronizes now: a modification's once it has ended, else the configured ones. */
export function currentObjects(direction: DirectionRecord, now: number): unknown[] {
  const modification = direction.modification;
  if (modification && now >= modification.until) return modification.objects;
  return direction.config?.synchronizationObjects ?? [];
}

/** The class DTS reports: TransferInstanceClass's once its order has taken effect. */
export function currentClass(job: JobRecord, now: number): string {
  return job.classChange && now >= job.classChange.at ? job.classChange.to : job.jobClass;
}

/** Absolute time at which the run reaches (or reached) Synchronizing, if it ever does. */
export function synchronizingAt(run: RunPlan): number | undefined {
  const sync = plannedTransitions(run).find((t) => t.status === 'Synchronizing');
  return sync && run.startedAt + sync.offset;
}

/** Copy the run's past transitions into the direction history; true when something was added. */
export function recordHistory(direction: DirectionRecord, now: number): boolean {
  const run = direction.run;
  if (!run) return false;
  const past = transitionsUntil(run, now);
  const fresh = past.slice(run.emitted);
  for (const t of fresh) {
    direction.history.push({ status: t.status, at: new Date(run.startedAt + t.offset).toISOString() });
  }
  run.emitted = past.length;
  return fresh.length > 0;
}

// ---- Describe sub-objects (§2.1); numbers are strings as in the DTS documentation. ----

function percent(done: number, total: number): number {
  if (total <= 0) return 100;
  return Math.max(0, Math.min(100, Math.floor((done / total) * 100)));
}

function elapsed(run: RunPlan, now: number): number {
  return Math.min(now, run.suspendedAt ?? Infinity) - run.startedAt;
}

export function precheckStatus(run: RunPlan | undefined, now: number) {
  if (!run) return { Status: 'NotStarted', Percent: '0', Detail: [] as unknown[] };
  const t = elapsed(run, now);
  const ms = precheckEnd(run);
  if (t < ms) {
    const shown = Math.floor((t / ms) * run.precheck.items.length);
    return { Status: 'Prechecking', Percent: String(percent(t, ms)), Detail: run.precheck.items.slice(0, shown) };
  }
  return { Status: run.precheck.passed ? 'Success' : 'Failed', Percent: '100', Detail: run.precheck.items };
}

function moduleStatus(run: RunPlan, module: RunModule, start: number, units: number, now: number) {
  const notStarted = { Status: 'NotStarted', Percent: '0', Progress: '0', ErrorMessage: '' };
  if (module.state === 'skip') return notStarted;
  if (module.state === 'done') return { Status: 'Finished', Percent: '100', Progress: String(units), ErrorMessage: '' };
  const t = elapsed(run, now);
  const end = start + module.ms;
  const failAt = run.initFailAfterMs;
  if (!run.precheck.passed) return notStarted;
  if (failAt !== undefined && t >= failAt && failAt < end) {
    if (failAt < start) return notStarted;
    const pct = percent(failAt - start, module.ms);
    const done = String(Math.floor((pct / 100) * units));
    return { Status: 'Failed', Percent: String(pct), Progress: done, ErrorMessage: run.initFailMessage ?? '' };
  }
  if (t < start) return notStarted;
  if (t < end) {
    const pct = percent(t - start, module.ms);
    return {
      Status: 'Migrating',
      Percent: String(pct),
      Progress: String(Math.floor((pct / 100) * units)),
      ErrorMessage: '',
    };
  }
  return { Status: 'Finished', Percent: '100', Progress: String(units), ErrorMessage: '' };
}

export function structureInitializationStatus(run: RunPlan | undefined, now: number) {
  if (!run) return moduleStatus(emptyRun, { state: 'skip' }, 0, 0, now);
  return moduleStatus(run, run.structure, precheckEnd(run), run.objectCount, now);
}

export function dataInitializationStatus(run: RunPlan | undefined, now: number) {
  if (!run) return moduleStatus(emptyRun, { state: 'skip' }, 0, 0, now);
  return moduleStatus(run, run.data, precheckEnd(run) + moduleMs(run.structure), run.totalRecords, now);
}

const emptyRun: RunPlan = {
  kind: 'full',
  startedAt: 0,
  precheck: { ms: 0, items: [], passed: true },
  structure: { state: 'skip' },
  data: { state: 'skip' },
  warmupMs: 0,
  totalRecords: 0,
  objectCount: 0,
  emitted: 0,
};

/** Replication lag that wobbles a little so pollers see live numbers. */
function delayMillis(now: number): number {
  return 200 + (Math.floor(now / 1000) % 7) * 100;
}

export function dataSynchronizationStatus(direction: DirectionRecord, now: number) {
  const status = currentStatus(direction, now);
  const run = direction.run;
  const idle = { Status: 'NotStarted', Percent: '0', Delay: '0', DelayMillis: 0, Checkpoint: '0', ErrorMessage: '' };
  if (!run) return idle;
  const checkpointAt = (at: number) => String(Math.floor(at / 1000));
  if (status === 'Synchronizing') {
    // With real data moving, the real lag (an injected delay holds changes back, so it shows there too).
    const mover = moverOf(direction);
    const lag = mover ? mover.lagMs(now) : delayMillis(now) + (direction.extraDelayMs ?? 0);
    return {
      Status: 'Migrating',
      Percent: '100',
      Delay: String(Math.floor(lag / 1000)),
      DelayMillis: lag,
      Checkpoint: checkpointAt(now - lag),
      ErrorMessage: '',
    };
  }
  if (status === 'Suspending' && run.suspendedAt !== undefined) {
    const lag = now - run.suspendedAt;
    return {
      Status: 'Suspending',
      Percent: '100',
      Delay: String(Math.floor(lag / 1000)),
      DelayMillis: lag,
      Checkpoint: checkpointAt(run.suspendedAt),
      ErrorMessage: '',
    };
  }
  if (status === 'Failed' && run.failAt !== undefined) {
    const lag = now - run.failAt;
    return {
      Status: 'Failed',
      Percent: '100',
      Delay: String(Math.floor(lag / 1000)),
      DelayMillis: lag,
      Checkpoint: checkpointAt(run.failAt),
      ErrorMessage: run.failMessage ?? '',
    };
  }
  return idle;
}

export function statusErrorMessage(direction: DirectionRecord, now: number): string {
  const run = direction.run;
  if (!run) return '';
  switch (currentStatus(direction, now)) {
    case 'PrecheckFailed':
      return run.precheck.items.find((i) => i.CheckStatus === 'Failed')?.ErrorMessage ?? '';
    case 'InitializeFailed':
      return run.initFailMessage ?? '';
    case 'Failed':
      return run.failMessage ?? '';
    default:
      return '';
  }
}
