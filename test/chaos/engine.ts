import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { WorkflowFailedError } from '@temporalio/client';
import { releaseSignal, setupStatusQuery } from '../../core/messages';
import { MAX_BACKOFF_MS } from '../../core/timing';
import type { SetupStatus } from '../../core/types';
import { Disruptor, type DisruptionPlan } from './disruptions';
import { inBothFamilies, type ApiMix } from './families';
import { sleep } from './processes';
import { Random } from './random';
import { computeFigures, type ChaosFigures, type EmulatorJobView, type SetupOutcome } from './report';
import { instancesOf, planSetups, refreshPhases, settled, startSetup, type Setup } from './setups';
import { startChaosStack, type ChaosStack } from './stack';

export interface ChaosOptions {
  setups: number;
  seed: number;
  /** The DTS API family the setups speak (default dtsjob, the API's default), or `mix` for both. */
  apis?: ApiMix;
  /** Bound of the stormy part (launch + disruptions); settling and releasing add at most settleMs + releaseMs. */
  minutes: number;
  plan: DisruptionPlan;
  /** Setups on their way to Synchronizing at once. */
  concurrency: number;
  timeScale?: number;
  dtsTimeoutMs?: number;
  /** Disruptions go on this long after every setup is synchronizing: the keeper under fire. */
  keeperStormMs?: number;
  settleMs?: number;
  releaseMs?: number;
  log?: (line: string) => void;
}

export interface ChaosResult extends ChaosFigures {
  seed: number;
  apis: ApiMix;
  /** Setups started once the storm was over (it ended before they had their turn). */
  startedAfterStorm: number;
  disruptions: Record<string, number>;
  unexpectedExits: Record<string, number>;
  faultsFired: Record<string, number>;
  dtsCalls: number;
  releasedAtEnd: number;
  /** Jobs still live after every setup was told to release: a paid instance left behind. */
  leftRunning: string[];
  wallSeconds: number;
  dir: string;
  ok: boolean;
}

export async function runChaos(options: ChaosOptions): Promise<ChaosResult> {
  const log = options.log ?? ((line: string) => console.log(line));
  const t0 = Date.now();
  const random = new Random(options.seed);
  const dtsTimeoutMs = options.dtsTimeoutMs ?? 1_500;
  const stack = await startChaosStack({ timeScale: options.timeScale ?? 0.25, dtsTimeoutMs });
  log(`chaos: stack up in ${Math.round((Date.now() - t0) / 1000)} s; logs and state in ${stack.dir}`);
  const apis = options.apis ?? 'dtsjob';
  const setups = planSetups(options.setups, options.seed, random, apis);
  let finished = false;
  const disruptor = new Disruptor(stack, random, options.plan, {
    dtsTimeoutMs,
    log,
    setups,
    seed: options.seed,
    apis,
    synchronizingInstance: () => {
      const ids = setups.filter((s) => s.phase === 'synchronizing').map((s) => s.request.source.instanceId!);
      return ids.length > 0 ? random.pick(ids) : undefined;
    },
  });
  try {
    await disruptor.injectBackgroundFaults();
    await stack.admin('instances', setups.flatMap(instancesOf));
    const stormEnds = t0 + options.minutes * 60_000;
    let allSettledAt: number | undefined;
    const stormOver = () => {
      if (Date.now() > stormEnds) return true;
      if (!setups.every((s) => s.firstRunId && settled(s))) return false;
      allSettledAt ??= Date.now();
      return Date.now() - allSettledAt >= (options.keeperStormMs ?? 0);
    };
    const chaos = disruptor.run(stormOver);
    const supervisor = disruptor.supervise(() => finished);

    await launchAndWatch(stack, setups, options.concurrency, stormEnds, stormOver, log);
    await chaos;
    log('chaos: storm over; faults off, every process up');
    await disruptor.calm();
    // Setups the storm left no room to start (at most `concurrency` in flight): started now, so each is judged.
    const late = setups.filter((s) => !s.firstRunId);
    for (const setup of late)
      await startSetup(stack.client(), stack.taskQueue, setup, Date.now() + 60_000).catch((err) =>
        log(`chaos: ${String(err)}`),
      );
    if (late.length > 0) log(`chaos: ${late.length} setups started after the storm`);
    // A teardown refused until the storm's end retries on its own backoff, up to the cap after DTS answers again.
    const teardownWaitMs = setups.some((s) => s.scenario === 'teardown-outage') ? MAX_BACKOFF_MS + 60_000 : 0;
    await waitSettled(stack, setups, Date.now() + Math.max(options.settleMs ?? 180_000, teardownWaitMs), log);

    const outcomes = await collectOutcomes(stack, setups);
    const jobs = (await stack.admin<{ jobs: EmulatorJobView[] }>('jobs')).jobs;
    const figures = computeFigures(setups, outcomes, jobs);
    // Teardown under lost answers too: a retried Delete meets "not found" and counts as released.
    if (options.plan.backgroundFaults)
      for (const fault of inBothFamilies({ action: 'DeleteSynchronizationJob', kind: 'drop-after', probability: 0.3 }))
        await stack.admin('faults', fault);
    const releasedAtEnd = await releaseAll(stack, outcomes, Date.now() + (options.releaseMs ?? 120_000), log);
    const leftRunning = (await stack.admin<{ jobs: EmulatorJobView[] }>('jobs')).jobs
      .filter((j) => !j.released)
      .map((j) => j.jobId);
    finished = true;
    await supervisor;
    const { faultsFired, dtsCalls } = tallyEmulatorLog(join(stack.dir, 'emulator.log'));
    const ok =
      figures.duplicates.length === 0 &&
      figures.lost.length === 0 &&
      figures.configureAnomalies.length === 0 &&
      leftRunning.length === 0 &&
      figures.healthySyncsReleased.length === 0 &&
      figures.leakedInstances.length === 0;
    return {
      seed: options.seed,
      apis,
      startedAfterStorm: late.length,
      ...figures,
      disruptions: { ...disruptor.done },
      unexpectedExits: {
        worker: stack.worker.unexpectedExits,
        emulator: stack.emulator.unexpectedExits,
        temporal: stack.temporal.unexpectedExits,
      },
      faultsFired,
      dtsCalls,
      releasedAtEnd,
      leftRunning,
      wallSeconds: Math.round((Date.now() - t0) / 1000),
      dir: stack.dir,
      ok,
    };
  } finally {
    finished = true;
    disruptor.stop();
    await stack.close();
  }
}

/** Keeps `concurrency` setups in flight until all are started and settled, or the storm ends. */
async function launchAndWatch(
  stack: ChaosStack,
  setups: Setup[],
  concurrency: number,
  deadline: number,
  over: () => boolean,
  log: (l: string) => void,
): Promise<void> {
  let lastReport = 0;
  while (!over()) {
    const inFlight = setups.filter((s) => s.firstRunId && !settled(s)).length;
    const next = setups.find((s) => !s.firstRunId);
    if (next && inFlight < concurrency) {
      await startSetup(stack.client(), stack.taskQueue, next, deadline).catch((err) => log(`chaos: ${String(err)}`));
      continue;
    }
    await refreshPhases(stack.client(), setups).catch(() => {}); // the server may be restarting
    if (Date.now() - lastReport > 15_000) {
      lastReport = Date.now();
      log(`chaos: ${progress(setups)}`);
    }
    await sleep(2_000);
  }
}

async function waitSettled(
  stack: ChaosStack,
  setups: Setup[],
  deadline: number,
  log: (l: string) => void,
): Promise<void> {
  const started = setups.filter((s) => s.firstRunId);
  while (Date.now() < deadline) {
    await refreshPhases(stack.client(), setups).catch(() => {});
    if (started.every(settled)) break;
    await sleep(2_000);
  }
  log(`chaos: settled: ${progress(setups)}`);
}

function progress(setups: Setup[]): string {
  const count = (f: (s: Setup) => boolean) => setups.filter(f).length;
  return `started ${count((s) => !!s.firstRunId)}/${setups.length}, synchronizing ${count((s) => s.phase === 'synchronizing')}, ended ${count((s) => !!s.executionStatus && s.executionStatus !== 'RUNNING')}`;
}

async function collectOutcomes(stack: ChaosStack, setups: Setup[]): Promise<SetupOutcome[]> {
  const outcomes: SetupOutcome[] = [];
  for (const setup of setups.filter((s) => s.firstRunId)) {
    const handle = stack.client().workflow.getHandle(setup.workflowId);
    const description = await handle.describe();
    const outcome: SetupOutcome = { setup, executionStatus: description.status.name };
    // Deadlines on the gRPC calls themselves: nothing may still be retrying once the connection closes.
    outcome.status = await stack
      .client()
      .withDeadline(Date.now() + 15_000, () => handle.query(setupStatusQuery))
      .catch(() => undefined);
    if (outcome.executionStatus === 'FAILED') {
      outcome.failure = await stack
        .client()
        .withDeadline(Date.now() + 15_000, () => handle.result())
        .then(
          () => undefined,
          (err: unknown) => (err instanceof WorkflowFailedError ? `${err.cause?.message ?? err.message}` : String(err)),
        );
    }
    outcomes.push(outcome);
  }
  return outcomes;
}

/** Tear every live setup down; each releases its instance (not-found counts as released). */
async function releaseAll(
  stack: ChaosStack,
  outcomes: SetupOutcome[],
  deadline: number,
  log: (l: string) => void,
): Promise<number> {
  const live = outcomes.filter((o) => o.executionStatus === 'RUNNING');
  await Promise.all(live.map((o) => stack.client().workflow.getHandle(o.setup.workflowId).signal(releaseSignal)));
  let released = 0;
  await Promise.all(
    live.map(async (o) => {
      const handle = stack.client().workflow.getHandle(o.setup.workflowId);
      const final = await stack
        .client()
        .withDeadline(Math.max(Date.now() + 1_000, deadline), () => handle.result() as Promise<SetupStatus>)
        .catch((err: unknown) => {
          log(`chaos: release of ${o.setup.workflowId} did not finish: ${String(err)}`);
          return undefined;
        });
      if (final?.phase === 'released') released += 1;
    }),
  );
  return released;
}

/** Injected faults that fired and DTS calls served, over every emulator restart (its call-per-line log). */
function tallyEmulatorLog(path: string): { faultsFired: Record<string, number>; dtsCalls: number } {
  const faultsFired: Record<string, number> = {};
  let dtsCalls = 0;
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const call = /^\[dts-emulator\] \S+ #\d+ \S+ (\S+)/.exec(line);
    if (!call) continue;
    dtsCalls += 1;
    const fault = / fault=(\S+)/.exec(line)?.[1];
    if (fault) faultsFired[`${fault} on ${call[1]}`] = (faultsFired[`${fault} on ${call[1]}`] ?? 0) + 1;
  }
  return { faultsFired, dtsCalls };
}

export function formatResult(r: ChaosResult, command: string): string {
  const lines = [
    `chaos run: ${command}`,
    `  seed                      ${r.seed}`,
    `  DTS API family            ${r.apis}`,
    `  setups requested          ${r.setupsRequested} (started ${r.setupsStarted}, ${r.startedAfterStorm} of them after the storm)`,
    `  setups completed          ${r.setupsCompleted} (synchronizing; median ${r.secondsToSynchronizing.median} s, p95 ${r.secondsToSynchronizing.p95} s, max ${r.secondsToSynchronizing.max} s)`,
    `  failed with a reason      ${r.failedWithReason.length}`,
    `  setups lost               ${r.lost.length}`,
    `  instances bought          ${r.instancesBought} (${Object.entries(r.instancesByFamily)
      .map(([family, n]) => `${family} ${n}`)
      .join(', ')}; distinct ClientTokens ${r.distinctClientTokens})`,
    `  duplicates                ${r.duplicates.length}`,
    `  configures Forward        ${histogram(r.configures.Forward)}`,
    `  configures Reverse        ${histogram(r.configures.Reverse)}`,
    `  configure anomalies       ${r.configureAnomalies.length}`,
    `  Start calls applied       ${r.startsAfterSynchronizing} (keeper restarts after fail-later faults)`,
    `  released at the end       ${r.releasedAtEnd}; instances left running ${r.leftRunning.length}`,
    `  healthy syncs released    ${r.healthySyncsReleased.length}`,
    `  leaked instances          ${r.leakedInstances.length}`,
    `  scenario setups           ${r.scenarioSetups} (cancelled during purchase)`,
    `  disruptions               ${Object.entries(r.disruptions)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
    `  died on their own         ${Object.entries(r.unexpectedExits)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
    `  DTS calls served          ${r.dtsCalls}; faults fired ${Object.values(r.faultsFired).reduce((a, b) => a + b, 0)}`,
    ...Object.entries(r.faultsFired)
      .sort()
      .map(([k, v]) => `      ${k}: ${v}`),
    `  wall time                 ${r.wallSeconds} s`,
    `  logs                      ${r.dir}`,
    ...[
      ...r.failedWithReason.map((l) => `FAILED ${l}`),
      ...r.lost.map((l) => `LOST ${l}`),
      ...r.duplicates.map((l) => `DUPLICATE ${l}`),
      ...r.configureAnomalies.map((l) => `CONFIGURE ${l}`),
      ...r.leftRunning.map((j) => `LEFT RUNNING ${j}`),
      ...r.healthySyncsReleased.map((j) => `HEALTHY RELEASED ${j}`),
      ...r.leakedInstances.map((j) => `LEAKED ${j}`),
    ],
    r.ok ? 'RESULT: PASS' : 'RESULT: FAIL',
  ];
  return lines.join('\n');
}

function histogram(counts: Record<string, number>): string {
  const entries = Object.entries(counts);
  return entries.length === 0 ? '-' : entries.map(([times, setups]) => `${setups} setups × ${times}`).join(', ');
}
