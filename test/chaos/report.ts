import { purchaseClientToken } from '../../core/ids';
import type { Direction, SetupStatus } from '../../core/types';
import type { Setup } from './setups';

/** A job as GET /__emulator/jobs shows it (the fields the report needs). */
export interface EmulatorJobView {
  jobId: string;
  /** The API family it was bought through; only the legacy one takes a ClientToken. */
  family: string;
  topology: string;
  clientToken?: string;
  released: boolean;
  directions: Partial<
    Record<
      Direction,
      {
        status: string;
        configureCount: number;
        startCount: number;
        source?: { instanceId?: string };
        history?: { status: string }[];
      }
    >
  >;
}

/** Where a setup ended, from its status query (or, failing that, the execution's). */
export interface SetupOutcome {
  setup: Setup;
  executionStatus: string;
  status?: SetupStatus;
  /** The workflow's failure, when it failed. */
  failure?: string;
}

export interface ChaosFigures {
  setupsRequested: number;
  setupsStarted: number;
  setupsCompleted: number;
  failedWithReason: string[];
  lost: string[];
  instancesBought: number;
  instancesByFamily: Record<string, number>;
  /** Of the legacy family's instances (CreateDtsInstance takes no ClientToken). */
  distinctClientTokens: number;
  duplicates: string[];
  configures: { Forward: Record<string, number>; Reverse: Record<string, number> };
  configureAnomalies: string[];
  /** Automatic restarts of Failed directions (fail-later faults) the keeper made. */
  startsAfterSynchronizing: number;
  secondsToSynchronizing: { median: number; p95: number; max: number };
  /** Jobs that reached Synchronizing and were released although nobody asked for a teardown. */
  healthySyncsReleased: string[];
  /** Live jobs nothing will release: their setup has ended (or they belong to none). */
  leakedInstances: string[];
  /** Setups a scenario started itself (cancel during purchase), beside the requested ones. */
  scenarioSetups: number;
}

/** Never buy twice, never lose a sync: the figures that prove (or disprove) it. */
export function computeFigures(setups: Setup[], outcomes: SetupOutcome[], jobs: EmulatorJobView[]): ChaosFigures {
  const byToken = new Map<string, EmulatorJobView[]>();
  for (const job of jobs)
    byToken.set(job.clientToken ?? '(none)', [...(byToken.get(job.clientToken ?? '(none)') ?? []), job]);
  const duplicates: string[] = [];
  const claimed = new Set<string>();
  const configures = { Forward: {} as Record<string, number>, Reverse: {} as Record<string, number> };
  const configureAnomalies: string[] = [];
  let startsAfterSynchronizing = 0;

  // Unconfigured instances are interchangeable: a purchase whose answer was lost may adopt (and atomically
  // claim) one that another setup's lost call bought (docs/dts-api.md §3). So a job belongs to the setup
  // whose workflow holds it; only a job nobody holds is attributed by its ClientToken or configured pair.
  const holder = new Map<string, Setup>();
  for (const o of outcomes) {
    const held = o.status?.dtsJobId;
    if (!held) continue;
    if (holder.has(held) && holder.get(held) !== o.setup)
      duplicates.push(`${held} is held by ${holder.get(held)!.workflowId} and ${o.setup.workflowId}`);
    holder.set(held, o.setup);
  }
  const owner = new Map<string, Setup>(holder);
  for (const setup of setups.filter((s) => s.firstRunId)) {
    const token = purchaseClientToken(setup.firstRunId!);
    const pair = [setup.request.source.instanceId, setup.request.destination.instanceId];
    const attributed = (j: EmulatorJobView) =>
      j.clientToken === token || pair.includes(j.directions.Forward?.source?.instanceId);
    for (const j of jobs) if (!owner.has(j.jobId) && attributed(j)) owner.set(j.jobId, setup);
  }
  for (const setup of setups.filter((s) => s.firstRunId)) {
    const mine = jobs.filter((j) => owner.get(j.jobId) === setup);
    for (const job of mine) claimed.add(job.jobId);
    // Paid twice: more than one instance of this setup still alive at the end.
    const live = mine.filter((j) => !j.released);
    if (live.length > 1)
      duplicates.push(
        `${setup.workflowId}: ${live.length} live jobs (${live.map((j) => `${j.jobId} token=${j.clientToken}`).join(', ')})`,
      );
    const outcome = outcomes.find((o) => o.setup === setup);
    mine.sort((a, b) => Number(b.jobId === outcome?.status?.dtsJobId) - Number(a.jobId === outcome?.status?.dtsJobId));
    const job = mine[0];
    // A setup cancelled during its purchase never configures: judged by its leak, not its configures.
    if (!job || setup.scenario === 'cancel-during-purchase') continue;
    const wanted =
      setup.request.topology === 'bidirectional' ? (['Forward', 'Reverse'] as const) : (['Forward'] as const);
    for (const dir of wanted) {
      const count = job.directions[dir]?.configureCount ?? 0;
      configures[dir][count] = (configures[dir][count] ?? 0) + 1;
      // No init-fail is injected, so a second configure is never legitimate here.
      if (count !== 1 && outcome?.status?.phase === 'synchronizing')
        configureAnomalies.push(`${setup.workflowId} ${dir} configured ${count}×`);
      if (count > 1)
        configureAnomalies.push(`${setup.workflowId} ${dir} configured ${count}× (${outcome?.status?.phase})`);
      startsAfterSynchronizing += job.directions[dir]?.startCount ?? 0;
    }
  }
  for (const [token, sameToken] of byToken) {
    // A DtsJob instance carries no token: an unheld live one is counted below, as belonging to no setup.
    if (token === '(none)') continue;
    const live = sameToken.filter((j) => !j.released && !holder.has(j.jobId));
    if (live.length > 1) duplicates.push(`ClientToken ${token}: ${live.length} live jobs nobody holds`);
  }
  for (const job of jobs)
    if (!claimed.has(job.jobId)) duplicates.push(`job ${job.jobId} (token ${job.clientToken}) belongs to no setup`);

  const completed = outcomes.filter((o) => o.status?.phase === 'synchronizing');
  const failedWithReason = outcomes
    .filter((o) => o.executionStatus === 'FAILED' && (o.status?.error?.type || o.failure))
    .map((o) => `${o.setup.workflowId}: ${o.status?.error?.type ?? ''} ${o.status?.error?.message ?? o.failure}`);
  const requested = setups.filter((s) => s.scenario !== 'cancel-during-purchase');
  // A setup's intended ending: synchronizing, or released after the run asked for its teardown.
  const intended = (s: Setup, o: SetupOutcome) =>
    o.status?.phase === 'synchronizing' || (s.releaseRequested === true && o.status?.phase === 'released');
  const lost = requested
    .filter((s) => {
      const o = outcomes.find((x) => x.setup === s);
      if (!o) return true; // never started
      return !intended(s, o) && !(o.executionStatus === 'FAILED' && (o.status?.error?.type || o.failure));
    })
    .map((s) => {
      const o = outcomes.find((x) => x.setup === s);
      return `${s.workflowId}: ${o ? `${o.executionStatus} phase=${o.status?.phase ?? '?'} error=${JSON.stringify(o.status?.error ?? o.failure ?? null)}` : 'never started'}`;
    });

  const seconds = completed
    .map((o) => {
      const done = [o.status!.forward.synchronizingAt, o.status!.reverse?.synchronizingAt]
        .filter(Boolean)
        .map((at) => Date.parse(at!));
      return (Math.max(...done) - Date.parse(o.status!.createdAt)) / 1000;
    })
    .filter(Number.isFinite)
    .sort((a, b) => a - b);
  const at = (q: number) => seconds[Math.min(seconds.length - 1, Math.floor(q * seconds.length))] ?? 0;

  const reachedSynchronizing = (job: EmulatorJobView) =>
    Object.values(job.directions).some((d) => d?.history?.some((h) => h.status === 'Synchronizing'));
  const healthySyncsReleased = jobs
    .filter((j) => j.released && reachedSynchronizing(j) && !owner.get(j.jobId)?.releaseRequested)
    .map((j) => `${j.jobId} of ${owner.get(j.jobId)?.workflowId ?? 'no setup'}`);
  const leakedInstances = jobs
    .filter((j) => !j.released)
    .filter((j) => {
      const setup = owner.get(j.jobId);
      const o = setup && outcomes.find((x) => x.setup === setup);
      return !o || o.executionStatus !== 'RUNNING';
    })
    .map((j) => `${j.jobId} of ${owner.get(j.jobId)?.workflowId ?? 'no setup'}`);

  return {
    setupsRequested: requested.length,
    setupsStarted: requested.filter((s) => s.firstRunId).length,
    setupsCompleted: completed.length,
    failedWithReason,
    lost,
    instancesBought: jobs.length,
    instancesByFamily: jobs.reduce<Record<string, number>>(
      (by, j) => ({ ...by, [j.family]: (by[j.family] ?? 0) + 1 }),
      {},
    ),
    distinctClientTokens: [...byToken.keys()].filter((t) => t !== '(none)').length,
    duplicates,
    configures,
    configureAnomalies: [...new Set(configureAnomalies)],
    startsAfterSynchronizing,
    secondsToSynchronizing: {
      median: round(at(0.5)),
      p95: round(at(0.95)),
      max: round(seconds[seconds.length - 1] ?? 0),
    },
    healthySyncsReleased,
    leakedInstances,
    scenarioSetups: setups.length - requested.length,
  };
}

const round = (n: number) => Math.round(n * 10) / 10;
