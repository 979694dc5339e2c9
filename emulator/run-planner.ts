// Plans the timeline of a run when a direction starts (Configure with auto-start, or Start).
import type { Fault, FaultStore, FaultTarget } from './faults';
import { currentStatus, synchronizingAt } from './lifecycle';
import type { Direction, DirectionRecord, JobRecord, PrecheckItem, RunModule, RunPlan } from './model';
import type { ResolvedOptions } from './options';
import { runPrecheck } from './precheck';
import type { EmulatorState } from './state';
import { checkByConnecting } from './redis/precheck';

export interface PlannerDeps {
  state: EmulatorState;
  faults: FaultStore;
  options: ResolvedOptions;
}

/** Data init time is dataInitMs per GB of the source instance (dataInitMs when the size is unknown). */
const REFERENCE_DATA_SIZE_MB = 1024;
const DEFAULT_FAIL_AFTER_MS = 1000;

function lifecycleTarget(action: string, job: JobRecord, name: Direction, direction: DirectionRecord): FaultTarget {
  const sourceId = direction.config?.source.instanceId ?? direction.config?.source.ip;
  return { action, jobId: job.jobId, direction: name, instanceIds: sourceId ? [sourceId] : [] };
}

/** Injected items replace computed ones of the same name; others are appended. */
function mergeItems(computed: PrecheckItem[], injected: PrecheckItem[] | undefined): PrecheckItem[] {
  const extra = injected ?? [
    {
      ItemName: 'CHECK_CONN_SRC',
      CheckStatus: 'Failed' as const,
      ErrorMessage: 'DTS-070211: Connect Source DB failed. cause by [injected fault: connection timed out]',
      RepairMethod: 'Check the network and the whitelist of the source instance, then call StartSynchronizationJob.',
    },
  ];
  const names = new Set(extra.map((i) => i.ItemName));
  return [...computed.filter((i) => !names.has(i.ItemName)), ...extra];
}

function failMessage(fault: Fault): string {
  return (
    fault.message ?? 'DTS-070211: Connect Destination DB failed. cause by [injected fault: connection reset by peer]'
  );
}

function moduleMs(module: RunModule): number {
  return module.state === 'run' ? module.ms : 0;
}

export function planFullRun(deps: PlannerDeps, action: string, job: JobRecord, name: Direction, now: number): RunPlan {
  const { options, faults, state } = deps;
  const direction = job.directions[name] as DirectionRecord;
  const config = direction.config;
  if (!config) throw new Error('cannot start an unconfigured direction');
  const target = lifecycleTarget(action, job, name, direction);
  const scale = options.timeScale;

  let items = runPrecheck({ job, direction: name, config, registry: state.registry, jobs: state.allJobs() });
  const precheckFault = faults.take(['precheck-fail'], target);
  if (precheckFault) items = mergeItems(items, precheckFault.items);
  const passed = items.every((i) => i.CheckStatus !== 'Failed');

  // Reverse runs incremental sync only (docs/dts-api.md §2.4).
  const source = state.registry.resolve(config.source);
  const sizeFactor = source?.dataSizeMb !== undefined ? Math.max(source.dataSizeMb, 1) / REFERENCE_DATA_SIZE_MB : 1;
  const structure: RunModule =
    name === 'Forward' && config.structureInitialization
      ? { state: 'run', ms: options.structureInitMs * scale }
      : { state: 'skip' };
  const data: RunModule =
    name === 'Forward' && config.dataInitialization
      ? { state: 'run', ms: options.dataInitMs * sizeFactor * scale }
      : { state: 'skip' };

  const precheckMs = options.precheckMs * scale;
  const run: RunPlan = {
    kind: 'full',
    startedAt: now,
    precheck: { ms: precheckMs, items, passed },
    structure,
    data,
    warmupMs: 0,
    totalRecords: Math.round((source?.dataSizeMb ?? 256) * 1000),
    objectCount: Math.max(config.synchronizationObjects.length, 1),
    emitted: 0,
  };
  if (config.dataSynchronization === false) run.finishAfterInit = true;
  if (!passed) return run;
  checkByConnecting(state, run, config);
  const initFault = faults.take(['init-fail'], target);
  if (initFault) {
    run.initFailAfterMs = precheckMs + (moduleMs(structure) + moduleMs(data)) / 2;
    run.initFailMessage =
      initFault.message ??
      'DTS-31009: Full data initialization failed. cause by [injected fault: OOM command not allowed on destination]';
    return run;
  }
  addFailLater(faults, target, run);
  return run;
}

function addFailLater(faults: FaultStore, target: FaultTarget, run: RunPlan): void {
  const fault = faults.take(['fail-later'], target);
  if (!fault) return;
  run.failAt = (synchronizingAt(run) ?? run.startedAt) + (fault.afterMs ?? DEFAULT_FAIL_AFTER_MS);
  run.failMessage = failMessage(fault);
}

/** Start on Failed: a short re-initialization, then Synchronizing again. */
export function planRecoverRun(
  deps: PlannerDeps,
  action: string,
  job: JobRecord,
  name: Direction,
  now: number,
): RunPlan {
  return continuation(deps, action, job, name, now, 'recover', deps.options.recoverMs * deps.options.timeScale);
}

/** Start on Suspending: incremental sync resumes at once. */
export function planResumeRun(
  deps: PlannerDeps,
  action: string,
  job: JobRecord,
  name: Direction,
  now: number,
): RunPlan {
  return continuation(deps, action, job, name, now, 'resume', 0);
}

function continuation(
  deps: PlannerDeps,
  action: string,
  job: JobRecord,
  name: Direction,
  now: number,
  kind: 'recover' | 'resume',
  warmupMs: number,
): RunPlan {
  const direction = job.directions[name] as DirectionRecord;
  const previous = direction.run as RunPlan;
  const keep = (module: RunModule): RunModule => (module.state === 'skip' ? module : { state: 'done' });
  const run: RunPlan = {
    kind,
    startedAt: now,
    precheck: previous.precheck,
    structure: keep(previous.structure),
    data: keep(previous.data),
    warmupMs,
    totalRecords: previous.totalRecords,
    objectCount: previous.objectCount,
    emitted: 0,
  };
  addFailLater(deps.faults, lifecycleTarget(action, job, name, direction), run);
  return run;
}

/** A fail-later fault added while directions already run applies to them right away. */
export function applyFailLaterToRunning(deps: PlannerDeps, fault: Fault, now: number): void {
  for (const job of deps.state.allJobs()) {
    if (job.released) continue;
    for (const name of ['Forward', 'Reverse'] as const) {
      const direction = job.directions[name];
      const run = direction?.run;
      if (!direction || !run || run.failAt !== undefined || run.suspendedAt !== undefined) continue;
      if (!['Prechecking', 'Initializing', 'Synchronizing'].includes(currentStatus(direction, now))) continue;
      const syncAt = synchronizingAt(run);
      if (syncAt === undefined || !run.precheck.passed) continue;
      const taken = deps.faults.take([fault.kind], lifecycleTarget(fault.action, job, name, direction));
      if (!taken) continue;
      run.failAt = Math.max(now, syncAt) + (taken.afterMs ?? DEFAULT_FAIL_AFTER_MS);
      run.failMessage = failMessage(taken);
    }
  }
}
