import { Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import { fromPayloadsAtIndex } from '@temporalio/common';
import type { DtsClient } from './dts/client';
import { forEachConcurrently } from './concurrently';
import { DelayGauges } from './delay-gauges';
import { instanceTags } from './dts/subscription';
import { OWNER_TAG_KEY } from '../core/renewal';
import { familyOf, type DtsFamilies, type DtsFamily } from './dts/family';
import { dtsFamilies } from './dts/families';
import type { CheckpointBoard, StatusBoard } from './dts/status-list';
import type { InstanceClaims } from './instance-claims';
import { dtsStatusSignal } from '../core/messages';
import { unclaimedInstancesSignal, type UnclaimedInstance, type WatchInput } from '../core/watcher';
import { DtsJobIdKey, STATUS_MEMO, SyncPhaseKey, SyncRegionKey } from '../core/search-attributes';
import { normalizeDtsStatus } from '../core/normalize-dts';
import type { Direction, DtsApi, DtsDirectionStatus, SetupPhase } from '../core/types';
import { SETUPS_PAGE_SIZE, setupsQuery } from '../core/visibility';

export interface WatchDeps {
  /** Its budget sets the watcher's pace. */
  dts: DtsClient;
  /** Absent: both families over `dts`. */
  families?: DtsFamilies;
  /** The family new setups speak: the unclaimed sweep lists the account's instances with it. */
  api?: DtsApi;
  client: Client;
  claims?: InstanceClaims;
  /** Told at the end of each completed round (the liveness metric), and with undefined when the watch stops here. */
  onRound?: (input: WatchInput, completedAtMs: number | undefined) => void;
}

/** What a retried watch resumes from: the statuses already seen (so it does not signal them again). */
export interface WatchProgress {
  round: number;
  /** Which step of the round the last heartbeat came from, and how far it got. */
  step: 'listing' | 'reading' | 'signalling' | 'sleeping';
  done: number;
  of: number;
  /** `${jobId}/${direction}` → normalised status, as already acted upon. */
  seen: Record<string, string>;
}

/** Phases whose setups wait for a DTS status to move on: listed every interval, since a setup enters the watch here. */
const WAITING_PHASES: readonly SetupPhase[] = ['waiting-forward', 'waiting-reverse'];
/** Phases of setups already set up: a kept fleet, listed less often (see SETTLED_LISTING_EVERY_MS). */
const SETTLED_PHASES: readonly SetupPhase[] = ['synchronizing', 'needs-attention'];
/**
 * The settled setups are listed again when a waiting setup has moved on, else once the visibility store has
 * had this share of the time for it (5,000 kept setups took it over a second a listing), and at least every
 * SETTLED_LISTING_MAX_MS. A small fleet is listed every interval, as before.
 */
const SETTLED_LISTING_SHARE = 0.05;
const SETTLED_LISTING_MAX_MS = 60_000;
/** Signals in flight at once: one round's changes reach their setups together, not one by one. */
const SIGNAL_CONCURRENCY = 20;
/**
 * The share of the DTS budget a round may use: a round of waiting setups half of it (200 waiting setups, 7 pages
 * in the DtsJob family, read every half second at budget 40), a settled round a quarter (nobody waits on it).
 */
const BUDGET_SHARE = 0.25;
const WAITING_BUDGET_SHARE = 0.5;
/** The longest sleep without a heartbeat (the watcher workflow's heartbeat timeout is 30 s). */
const MAX_QUIET_SLEEP_MS = 10_000;

/**
 * The fleet's eyes on DTS: every few seconds, read the status of every watched job, one
 * batched status read per region and family (all its pages), and signal the setups whose status changed. While
 * some setups wait for DTS, the DtsJob family's settled jobs are read only at the settled pace.
 * One such activity runs per task queue (see workflows/status-watcher.ts), so reaction time does not grow with
 * the number of setups while DTS is called a few times per interval. Runs until cancelled.
 * It heartbeats after every step with the statuses seen so far, so a round longer than the heartbeat timeout
 * is no reason for a second copy, and a retry resumes without signalling everything again.
 */
export async function watchDtsStatuses(deps: WatchDeps, input: WatchInput): Promise<void> {
  const context = Context.current();
  const resumed = context.info.heartbeatDetails as WatchProgress | undefined;
  const seen = new Map<string, string>(Object.entries(resumed?.seen ?? {}));
  let round = resumed?.round ?? 0;
  const beat: Beat = (step, done, of) => {
    context.heartbeat({ round, step, done, of, seen: Object.fromEntries(seen) } satisfies WatchProgress);
    // Cancelled (watcher ended) or timed out (a retry took over): stop here, not at the end of the round.
    if (context.cancellationSignal.aborted) throw context.cancellationSignal.reason ?? new Error('watch cancelled');
  };
  const families = deps.families ?? dtsFamilies(deps.dts);
  const regions = new RegionCache(deps.client, input.namespace);
  const unclaimed = unclaimedSweep(deps, families, input);
  const delays = new DelayGauges(context.metricMeter, deps.client);
  const listing = new WatchList(deps.client, input);
  let listed: { setups: Map<string, WatchedSetup>; groups: Map<string, WatchGroup> } | undefined;
  let nextReadAtMs = 0;
  let nextSettledReadAtMs = 0;
  try {
    for (;;) {
      const started = Date.now();
      round += 1;
      // The watched setups change slowly (a new one is first news seconds after it starts waiting), so the
      // listing, which costs the visibility store more than the status read costs DTS, is not repeated every round.
      if (!listed || listing.due(started)) {
        beat('listing', 0, 0);
        const setups = await listing.refresh(started);
        listed = { setups, groups: await regions.group(setups, (done, of) => beat('listing', done, of)) };
      }
      const { setups, groups } = listed;
      const waiting = [...setups.values()].some((setup) => WAITING_PHASES.includes(setup.phase as SetupPhase));
      const settledPace = !waiting && input.settledIntervalMs !== undefined;
      // A settled fleet is read at its slower pace, but a setup that starts waiting is read at once.
      if (settledPace && started < nextReadAtMs) {
        round -= 1; // only a look at the listing, not a round
        beat('sleeping', 0, 0);
        await context.sleep(Math.min(nextReadAtMs, listing.nextDueMs(), started + MAX_QUIET_SLEEP_MS) - started);
        continue;
      }
      const reads: RoundContext = { families, delays, seen, setups, beat };
      // While some wait, only they are read every round; the settled ones at their own slower pace, after the
      // waiting ones' news went out.
      const split = waiting && input.settledIntervalMs !== undefined;
      const calls = { count: 0 };
      const first = await readChanges(reads, split ? partOf(groups, setups, 'waiting') : groups, calls);
      let signalled = await signalChanges(deps.client, first.changes, seen, beat);
      let news = first.changes.length;
      if (split && started >= nextSettledReadAtMs) {
        const settledCalls = { count: 0 };
        const settled = await readChanges(reads, partOf(groups, setups, 'settled'), settledCalls);
        signalled += await signalChanges(deps.client, settled.changes, seen, beat);
        news += settled.changes.length;
        // A failed read is tried again next round, not a settled interval later.
        if (settled.failed === 0)
          nextSettledReadAtMs = started + roundPauseMs(input, settledCalls.count, deps.dts.budget(), false);
      }
      for (const key of seen.keys()) if (!setups.has(key.split('/')[0]!)) seen.delete(key);
      regions.forgetAllBut(setups);
      delays.forgetAllBut(new Set(setups.keys()));
      await unclaimed?.maybeSweep(regions.known(), setups, waiting).catch((err: unknown) => {
        context.log.warn('unclaimed-instance sweep failed; trying again next time', { error: (err as Error).message });
      });
      beat('sleeping', signalled, news);
      deps.onRound?.(input, Date.now());
      const pauseMs = roundPauseMs(input, calls.count, deps.dts.budget(), waiting);
      nextReadAtMs = started + pauseMs;
      if (!waiting) nextSettledReadAtMs = nextReadAtMs;
      // The waiting pace sleeps through (it is short); the settled pace wakes to list, and to heartbeat.
      const wakeAtMs = settledPace
        ? Math.min(nextReadAtMs, listing.nextDueMs(), started + MAX_QUIET_SLEEP_MS)
        : nextReadAtMs;
      await context.sleep(Math.max(0, wakeAtMs - Date.now()));
    }
  } finally {
    deps.onRound?.(input, undefined);
  }
}

type Beat = (step: WatchProgress['step'], done: number, of: number) => void;
interface StatusChange {
  key: string;
  status: DtsDirectionStatus;
  setup: WatchedSetup;
  direction: Direction;
}
interface RoundContext {
  families: DtsFamilies;
  delays: DelayGauges;
  /** Statuses already acted upon; a status a setup need not hear is marked seen here at once. */
  seen: Map<string, string>;
  setups: Map<string, WatchedSetup>;
  beat: Beat;
}

/**
 * The statuses a setup must hear: one read per region and family (its every page), as DTS answers per region;
 * `failed` counts the regions whose read failed (their setups wait for the next round).
 */
async function readChanges(
  { families, delays, seen, setups, beat }: RoundContext,
  groups: Map<string, WatchGroup>,
  calls: { count: number },
): Promise<{ changes: StatusChange[]; failed: number }> {
  let regionsDone = 0;
  let failed = 0;
  const changes: StatusChange[] = [];
  for (const { regionId, api, jobIds } of groups.values()) {
    let board: StatusBoard;
    const checkpoints: CheckpointBoard = {};
    try {
      board = await familyOf(families, api).statuses(regionId, jobIds, checkpoints, calls);
    } catch (err) {
      failed += 1;
      Context.current().log.warn('status list read failed; the setups keep their own slower polls', {
        regionId,
        error: (err as Error).message,
      });
      continue;
    }
    await delays.record(board, checkpoints, (jobId) => setups.get(jobId)?.workflowId);
    for (const [jobId, directions] of Object.entries(board)) {
      for (const [direction, raw] of Object.entries(directions)) {
        const key = `${jobId}/${direction}`;
        const status = normalizeDtsStatus(raw);
        if (seen.get(key) === status) continue;
        const setup = setups.get(jobId);
        // Only a status the setup must act on is worth a read; progress it polls for itself.
        if (!setup || !isNews(setup.phase, status)) seen.set(key, status);
        else changes.push({ key, status, setup, direction: direction as Direction });
      }
    }
    beat('reading', ++regionsDone, groups.size);
  }
  return { changes, failed };
}

/**
 * One part of the groups: the jobs of their waiting setups, or of their settled ones; empty groups left out. A
 * legacy-family group is read whole with the waiting part (one call answers for every job of the region).
 */
function partOf(
  groups: Map<string, WatchGroup>,
  setups: Map<string, WatchedSetup>,
  part: 'waiting' | 'settled',
): Map<string, WatchGroup> {
  const out = new Map<string, WatchGroup>();
  const waits = (id: string) => WAITING_PHASES.includes(setups.get(id)?.phase as SetupPhase);
  for (const [key, group] of groups) {
    let jobIds = group.jobIds.filter((id) => waits(id) === (part === 'waiting'));
    if (group.api !== 'dtsjob') jobIds = part === 'waiting' ? group.jobIds : [];
    if (jobIds.length > 0) out.set(key, { ...group, jobIds });
  }
  return out;
}

/** Signals each change to its setup; a status counts as seen once its signal went out, so a retry sends only the rest. */
async function signalChanges(
  client: Client,
  changes: StatusChange[],
  seen: Map<string, string>,
  beat: Beat,
): Promise<number> {
  let signalled = 0;
  await forEachConcurrently(changes, SIGNAL_CONCURRENCY, async ({ key, status, setup, direction }) => {
    await client.workflow
      .getHandle(setup.workflowId)
      .signal(dtsStatusSignal, { direction, status })
      .catch(() => undefined);
    seen.set(key, status);
    if (++signalled % SIGNAL_CONCURRENCY === 0) beat('signalling', signalled, changes.length);
  });
  return signalled;
}

/** The sweep for instances no setup claims, where the worker keeps claims. */
function unclaimedSweep(deps: WatchDeps, families: DtsFamilies, input: WatchInput): UnclaimedSweep | undefined {
  if (!deps.claims) return undefined;
  const settleMs = input.unclaimedSettleMs ?? DEFAULT_SETTLE_MS;
  const family = familyOf(families, deps.api);
  return new UnclaimedSweep(deps.dts, family, deps.client, deps.claims, input.namespace, settleMs, input);
}

/**
 * The pause between round starts. While a setup waits for DTS: short while the budget has room, so a change is
 * seen within about a second; the configured interval while a backlog waits for slots. While every watched setup
 * is settled: the settled interval (a failure is seen within it; the calls no longer grow with the fleet's
 * rounds). Never so short that the rounds take more than their share of the budget.
 */
export function roundPauseMs(
  input: Pick<WatchInput, 'intervalMs' | 'minIntervalMs' | 'settledIntervalMs'>,
  callsPerRound: number,
  budget: { perSecond: number; waiting: number } | undefined,
  waiting = true,
): number {
  const min = Math.min(input.minIntervalMs ?? input.intervalMs, input.intervalMs);
  const settled = !waiting && input.settledIntervalMs !== undefined ? input.settledIntervalMs : undefined;
  if (!budget) return settled ?? input.intervalMs;
  // Never more than a share of the budget, however large the fleet (5,000 setups: 100 pages a round).
  const share = settled === undefined ? WAITING_BUDGET_SHARE : BUDGET_SHARE;
  const budgetBound = (1000 * callsPerRound) / (share * budget.perSecond);
  // More than a second's worth of calls waiting for a slot: the budget has no room to spare.
  const wanted = settled ?? (budget.waiting > budget.perSecond ? input.intervalMs : min);
  return Math.max(wanted, budgetBound);
}

/**
 * The DTS region and API family of each setup: the `region` of the request its run was started with, and the
 * family its run carries (first event of its run), read once per run and kept. Visibility has neither.
 */
const REGION_READS_AT_ONCE = 20;

interface WatchGroup {
  regionId: string;
  api: DtsApi | undefined;
  jobIds: string[];
}

class RegionCache {
  private readonly byRun = new Map<string, RunRegion>();

  constructor(
    private readonly client: Client,
    private readonly namespace: string,
  ) {}

  /** Region and family → job ids of the setups; setups whose region cannot be read are left to their own polls. */
  async group(
    setups: Map<string, WatchedSetup>,
    progress: (done: number, of: number) => void = () => undefined,
  ): Promise<Map<string, WatchGroup>> {
    const groups = new Map<string, WatchGroup>();
    const entries = [...setups];
    // New setups cost one history read each (then cached); read them a few at a time. A thousand new ones on a
    // busy server outlast the heartbeat timeout, and a retry would start with an empty cache: heartbeat as it goes.
    for (let i = 0; i < entries.length; i += REGION_READS_AT_ONCE) {
      if (i > 0) progress(i, entries.length);
      const slice = entries.slice(i, i + REGION_READS_AT_ONCE);
      const regions = await Promise.all(slice.map(([, setup]) => this.regionOf(setup).catch(() => undefined)));
      slice.forEach(([jobId], k) => {
        const found = regions[k];
        if (!found) return;
        // The legacy family named or not (runs started before the choice name none): one group per region.
        const api = found.api === 'dtsjob' ? found.api : undefined;
        const key = `${api ?? ''}|${found.region}`;
        const group = groups.get(key) ?? { regionId: found.region, api, jobIds: [] };
        group.jobIds.push(jobId);
        groups.set(key, group);
      });
    }
    return groups;
  }

  known(): Set<string> {
    return new Set([...this.byRun.values()].map((run) => run.region));
  }

  forgetAllBut(setups: Map<string, WatchedSetup>): void {
    const live = new Set([...setups.values()].map(runKey));
    for (const key of this.byRun.keys()) if (!live.has(key)) this.byRun.delete(key);
  }

  private async regionOf(setup: WatchedSetup): Promise<RunRegion | undefined> {
    const key = runKey(setup);
    const known = this.byRun.get(key) ?? setup.listed;
    if (known) {
      this.byRun.set(key, known);
      return known;
    }
    const history = await this.client.workflowService.getWorkflowExecutionHistory({
      namespace: this.namespace,
      execution: { workflowId: setup.workflowId, runId: setup.runId },
      maximumPageSize: 1,
    });
    const started = history.history?.events?.[0]?.workflowExecutionStartedEventAttributes;
    // The input as the client would decode it: codecs in reverse, then the payload converter.
    const { payloadConverter, payloadCodecs } = this.client.workflow.options.loadedDataConverter;
    let payloads = started?.input?.payloads ?? [];
    for (const codec of [...payloadCodecs].reverse()) payloads = await codec.decode(payloads);
    const arg = payloads.length > 0 ? fromPayloadsAtIndex<unknown>(payloadConverter, 0, payloads) : undefined;
    const region = requestRegion(arg);
    if (!region) return undefined;
    const found = { region, api: runApi(arg) };
    this.byRun.set(key, found);
    return found;
  }
}

/** How often the account is checked for instances nobody owns after a change (at most). */
const SWEEP_EVERY_MS = 60_000;
/** A sweep reads every page of the account's instances (5,000 instances: about 170 calls), so it waits long enough for its calls to stay within this share of the budget. */
const SWEEP_BUDGET_SHARE = 0.05;
/** An owned instance is checked again after this long (at most; 5 settle times when shorter): an adopting setup may have let go of it. */
const OWNED_RECHECK_MS = 10 * 60_000;
/** A younger instance may be a purchase whose buyer has not claimed it yet. */
const DEFAULT_SETTLE_MS = 2 * 60_000;

/**
 * Instances of the account that no setup owns: not claimed (activities/instance-claims.ts) and not the DtsJobId
 * of any setup, running or closed. They are reported (signal to the watcher workflow, which the API queries,
 * and the `dts_unclaimed_instances` gauge), never released: nothing proves whose they are.
 */
class UnclaimedSweep {
  private lastSweep = 0;
  /** The pause the last sweep's calls ask for (SWEEP_BUDGET_SHARE). */
  private pauseMs = 0;
  /** Sweeps in a row that found nothing new while nobody waited and the watched setups stayed the same. */
  private quietSweeps = 0;
  private watchedKey = '';
  private reported = '[]';
  /** Owned instances, and when that was last checked (an adopted job may be let go of later). */
  private readonly owned = new Map<string, number>();

  constructor(
    private readonly dts: DtsClient,
    private readonly family: DtsFamily,
    private readonly client: Client,
    private readonly claims: InstanceClaims,
    private readonly namespace: string,
    private readonly settleMs: number,
    private readonly pace: Pick<WatchInput, 'sweepIntervalMs' | 'sweepMaxIntervalMs'> = {},
  ) {}

  /**
   * The pause doubles with every sweep in a row that changed nothing (up to sweepMaxIntervalMs): unowned
   * instances come from purchases and releases, which a quiet fleet makes none of. A change (a setup waiting,
   * joining or leaving the watch, or a new report) brings it back to the first pause.
   */
  everyMs(waiting: boolean, setups: Map<string, WatchedSetup>): number {
    const baseMs = Math.min(this.pace.sweepIntervalMs ?? SWEEP_EVERY_MS, this.settleMs / 2);
    const watchedKey = `${setups.size}:${[...setups.keys()].join(',')}`;
    if (waiting || watchedKey !== this.watchedKey) this.quietSweeps = 0;
    this.watchedKey = watchedKey;
    const maxMs = Math.max(baseMs, this.pace.sweepMaxIntervalMs ?? baseMs);
    return Math.max(Math.min(maxMs, baseMs * 2 ** this.quietSweeps), this.pauseMs);
  }

  async maybeSweep(regions: Set<string>, setups: Map<string, WatchedSetup>, waiting = true): Promise<void> {
    if (Date.now() - this.lastSweep < this.everyMs(waiting, setups)) return;
    this.lastSweep = Date.now();
    const found: UnclaimedInstance[] = [];
    const calls = { count: 0 };
    const perSecond = this.dts.budget()?.perSecond;
    for (const regionId of regions) {
      const candidates: UnclaimedInstance[] = [];
      for (const instance of await this.family.list(regionId, calls)) {
        if (setups.has(instance.dtsJobId)) continue;
        const recheckMs = Math.min(OWNED_RECHECK_MS, this.settleMs * 5);
        if (Date.now() - (this.owned.get(instance.dtsJobId) ?? -Infinity) < recheckMs) continue;
        if (Date.now() - instance.createdAtMs < this.settleMs) continue;
        if (await this.owns(instance.dtsJobId)) {
          this.owned.set(instance.dtsJobId, Date.now());
          continue;
        }
        this.owned.delete(instance.dtsJobId);
        candidates.push({
          dtsJobId: instance.dtsJobId,
          regionId,
          name: instance.name,
          jobClass: instance.jobClass,
          payType: instance.payType,
          createdAt: new Date(instance.createdAtMs).toISOString(),
        });
      }
      found.push(...(await this.withoutTaggedOwner(regionId, candidates, calls)));
    }
    this.pauseMs = perSecond ? (1000 * calls.count) / (SWEEP_BUDGET_SHARE * perSecond) : 0;
    const context = Context.current();
    context.metricMeter
      .createGauge('dts_unclaimed_instances', 'int', '1', 'DTS instances no setup owns')
      .set(found.length);
    const report = JSON.stringify(found);
    if (report === this.reported) {
      this.quietSweeps += 1;
      return;
    }
    this.quietSweeps = 0;
    this.reported = report;
    const watcher = context.info.workflowExecution?.workflowId;
    if (watcher) await this.client.workflow.getHandle(watcher).signal(unclaimedInstancesSignal, found);
  }

  /**
   * The second proof of ownership: the owner tag a setup puts on what it bought (`redis-dts-sync:setup=<id>`).
   * An instance whose tag names a running setup is that setup's (its claim may be lost); one whose tag names a
   * setup that no longer runs stays reported, with that setup's id. Read only for the instances no claim owns,
   * 50 a call (none when there are none); a refused read leaves the report as the claims make it.
   */
  private async withoutTaggedOwner(
    regionId: string,
    candidates: UnclaimedInstance[],
    calls: { count: number },
  ): Promise<UnclaimedInstance[]> {
    if (candidates.length === 0) return candidates;
    calls.count += Math.ceil(candidates.length / 50);
    const none: Record<string, Record<string, string>> = {};
    const tags = await instanceTags(
      this.dts,
      regionId,
      candidates.map((c) => c.dtsJobId),
    ).catch(() => none);
    const out: UnclaimedInstance[] = [];
    for (const candidate of candidates) {
      const owner = tags[candidate.dtsJobId]?.[OWNER_TAG_KEY];
      if (owner && (await this.runs(owner))) {
        this.owned.set(candidate.dtsJobId, Date.now());
        continue;
      }
      out.push(owner ? { ...candidate, taggedSetup: owner } : candidate);
    }
    return out;
  }

  private async runs(workflowId: string): Promise<boolean> {
    const description = await this.client.workflow
      .getHandle(workflowId)
      .describe()
      .catch(() => undefined);
    return description?.status.name === 'RUNNING';
  }

  /** A claim says who holds it (a released claim: nobody, the job was left in place); else any setup's DtsJobId. */
  private async owns(dtsJobId: string): Promise<boolean> {
    const claim = await this.claims.owner(dtsJobId);
    if (claim) return claim.how !== 'released';
    return this.usedBySetup(dtsJobId);
  }

  private async usedBySetup(dtsJobId: string): Promise<boolean> {
    const { count } = await this.client.workflowService.countWorkflowExecutions({
      namespace: this.namespace,
      query: `${setupsQuery()} AND DtsJobId = '${dtsJobId.replace(/'/g, '')}'`,
    });
    return Number(count ?? 0) > 0;
  }
}

function runKey(setup: WatchedSetup): string {
  return `${setup.workflowId}/${setup.runId}`;
}

/** `{ request: { region } }` is redisSync's input; a bare request is accepted too. */
export function requestRegion(arg: unknown): string | undefined {
  const input = (arg ?? {}) as { request?: { region?: unknown }; region?: unknown };
  const region = input.request?.region ?? input.region;
  return typeof region === 'string' && region !== '' ? region : undefined;
}

/**
 * The family a run speaks: carried in the state of a continued run, else named by the first run's input.
 * A setup that adopts a job of the other family switches within its run; until its next run it is read with the
 * family it started with, and polls for itself meanwhile.
 */
export function runApi(arg: unknown): DtsApi | undefined {
  const input = (arg ?? {}) as { api?: unknown; state?: { api?: unknown } };
  const api = input.state ? input.state.api : input.api;
  return api === 'dtsjob' || api === 'synchronizationjob' ? api : undefined;
}

function isNews(phase: string, status: string): boolean {
  if (phase === 'synchronizing') return ['failed', 'initializefailed', 'suspending'].includes(status);
  return ['synchronizing', 'precheckfailed', 'initializefailed', 'failed', 'notstarted', 'suspending'].includes(status);
}

interface WatchedSetup {
  workflowId: string;
  runId: string;
  phase: string;
  /** Its region and family as the listing names them (search attribute, status memo): no history to read. */
  listed?: RunRegion;
}

interface RunRegion {
  region: string;
  api: DtsApi | undefined;
}

/**
 * The watched setups (running, with a DTS job, in a waiting or settled phase) by job id, from visibility:
 * the waiting ones every interval, the settled ones when a waiting setup has left its phase (it is then
 * synchronizing, parked, configuring its Reverse or ended: the settled listing tells which) or as their cost
 * allows (SETTLED_LISTING_SHARE). Between settled listings a settled setup's phase may be that old.
 */
class WatchList {
  private waitingAtMs = -Infinity;
  private settledAtMs = -Infinity;
  private settledEveryMs = 0;
  private waiting = new Map<string, WatchedSetup>();
  private settled = new Map<string, WatchedSetup>();

  constructor(
    private readonly client: Client,
    private readonly input: WatchInput,
  ) {}

  due(nowMs: number): boolean {
    return nowMs >= this.nextDueMs();
  }

  nextDueMs(): number {
    return this.waitingAtMs + this.input.intervalMs;
  }

  async refresh(nowMs: number): Promise<Map<string, WatchedSetup>> {
    const waiting = await listSetups(this.client, this.input, WAITING_PHASES);
    const movedOn = [...this.waiting.keys()].some((jobId) => !waiting.has(jobId));
    if (movedOn || nowMs - this.settledAtMs >= this.settledEveryMs) {
      const started = Date.now();
      this.settled = await listSetups(this.client, this.input, SETTLED_PHASES);
      const tookMs = Date.now() - started;
      this.settledEveryMs = Math.min(
        SETTLED_LISTING_MAX_MS,
        Math.max(this.input.intervalMs, tookMs / SETTLED_LISTING_SHARE),
      );
      this.settledAtMs = nowMs;
    }
    this.waiting = waiting;
    this.waitingAtMs = nowMs;
    // A setup listed in both (it moved between the two listings) counts with its fresher, waiting phase.
    return new Map([...this.settled, ...waiting]);
  }
}

/**
 * The region the API set at start (SyncRegion) and the family the run writes to its status memo: both where the
 * listing already reads, so a restarted watcher reads no history for them. Runs without either are read as before.
 */
function listedRegion(region: string | undefined, status: unknown): RunRegion | undefined {
  const api = (status as { dtsApi?: unknown } | null | undefined)?.dtsApi;
  if (!region || (api !== 'dtsjob' && api !== 'synchronizationjob')) return undefined;
  return { region, api };
}

async function listSetups(
  client: Client,
  input: WatchInput,
  phases: readonly SetupPhase[],
): Promise<Map<string, WatchedSetup>> {
  const setups = new Map<string, WatchedSetup>();
  const inPhases = phases.map((p) => `'${p}'`).join(', ');
  const query = `${setupsQuery(input.taskQueue)} AND ExecutionStatus = 'Running' AND SyncPhase IN (${inPhases})`;
  // The SDK's listing pages for us and decodes the search attributes.
  for await (const execution of client.workflow.list({ query, pageSize: SETUPS_PAGE_SIZE })) {
    const jobId = execution.typedSearchAttributes.get(DtsJobIdKey);
    if (jobId) {
      const listed = listedRegion(execution.typedSearchAttributes.get(SyncRegionKey), execution.memo?.[STATUS_MEMO]);
      setups.set(jobId, {
        workflowId: execution.workflowId,
        runId: execution.runId,
        phase: execution.typedSearchAttributes.get(SyncPhaseKey) ?? '',
        ...(listed ? { listed } : {}),
      });
    }
  }
  return setups;
}
