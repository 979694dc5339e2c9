import { Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import { decodeTypedSearchAttributes } from '@temporalio/common/lib/converter/payload-search-attributes';
import { decodeFromPayloadsAtIndex } from '@temporalio/common/lib/internal-non-workflow';
import type { DtsClient } from './dts/client';
import { DelayGauges } from './delay-gauges';
import { listInstances } from './dts/list-instances';
import { describeStatusList, type CheckpointBoard, type StatusBoard } from './dts/status-list';
import type { InstanceClaims } from './instance-claims';
import { dtsStatusSignal } from '../workflows/messages';
import { unclaimedInstancesSignal, type UnclaimedInstance } from '../workflows/status-watcher';
import { DtsJobIdKey, SyncPhaseKey } from '../workflows/search-attributes';
import { normalizeStatus } from '../workflows/status';
import type { Direction } from '../workflows/types';

export interface WatchDeps {
  dts: DtsClient;
  client: Client;
  claims?: InstanceClaims;
}

export interface WatchInput {
  taskQueue: string;
  namespace: string;
  intervalMs: number;
  /** Kept for watchers started before per-region calls; each region is now one call, read page by page. */
  batchSize: number;
  /** Unowned instances younger than this are not reported yet (a purchase may be about to claim them). */
  unclaimedSettleMs?: number;
}

const WATCHED_PHASES = ['waiting-forward', 'waiting-reverse', 'synchronizing', 'needs-attention'];

/**
 * The fleet's eyes on DTS: every few seconds, read the status of every watched job, one
 * DescribeSynchronizationJobStatusList per region (all its pages), and signal the setups whose
 * status changed. One such activity runs per task queue (see workflows/status-watcher.ts), so
 * reaction time does not grow with the number of setups while DTS is called a few times per
 * interval. Runs until cancelled; heartbeats every round.
 */
export async function watchDtsStatuses(deps: WatchDeps, input: WatchInput): Promise<void> {
  const context = Context.current();
  const seen = new Map<string, string>(); // `${jobId}/${direction}` → normalised status
  const regions = new RegionCache(deps.client, input.namespace);
  const settleMs = input.unclaimedSettleMs ?? DEFAULT_SETTLE_MS;
  const unclaimed = deps.claims
    ? new UnclaimedSweep(deps.dts, deps.client, deps.claims, input.namespace, settleMs)
    : undefined;
  const delays = new DelayGauges(context.metricMeter, deps.client);
  for (;;) {
    const started = Date.now();
    const setups = await watchedSetups(deps.client, input);
    // One call per region (its every page): DTS answers only for the instances of the call's RegionId.
    for (const [regionId, jobIds] of await regions.group(setups)) {
      let board: StatusBoard;
      const checkpoints: CheckpointBoard = {};
      try {
        board = await describeStatusList(deps.dts, regionId, jobIds, checkpoints);
      } catch (err) {
        context.log.warn('status list read failed; the setups keep their own slower polls', {
          regionId,
          error: (err as Error).message,
        });
        continue;
      }
      await delays.record(board, checkpoints, (jobId) => setups.get(jobId)?.workflowId);
      for (const [jobId, directions] of Object.entries(board)) {
        for (const [direction, raw] of Object.entries(directions)) {
          const key = `${jobId}/${direction}`;
          const status = normalizeStatus(raw);
          if (seen.get(key) === status) continue;
          seen.set(key, status);
          const setup = setups.get(jobId);
          // Only a status the setup must act on is worth a read; progress it polls for itself.
          if (!setup || !isNews(setup.phase, status)) continue;
          await deps.client.workflow
            .getHandle(setup.workflowId)
            .signal(dtsStatusSignal, { direction: direction as Direction, status })
            .catch(() => undefined);
        }
      }
    }
    for (const key of seen.keys()) if (!setups.has(key.split('/')[0]!)) seen.delete(key);
    regions.forgetAllBut(setups);
    delays.forgetAllBut(new Set(setups.keys()));
    await unclaimed?.maybeSweep(regions.known(), setups).catch((err: unknown) => {
      context.log.warn('unclaimed-instance sweep failed; trying again next time', { error: (err as Error).message });
    });
    context.heartbeat({ watched: setups.size });
    await context.sleep(Math.max(0, input.intervalMs - (Date.now() - started)));
  }
}

/**
 * The DTS region of each setup: the `region` of the request it was started with (first event of its run),
 * read once per run and kept, since it never changes. Visibility has no region attribute.
 */
const REGION_READS_AT_ONCE = 20;

class RegionCache {
  private readonly byRun = new Map<string, string>();

  constructor(
    private readonly client: Client,
    private readonly namespace: string,
  ) {}

  /** Region → job ids of the setups; setups whose region cannot be read are left to their own polls. */
  async group(setups: Map<string, WatchedSetup>): Promise<Map<string, string[]>> {
    const groups = new Map<string, string[]>();
    const entries = [...setups];
    // New setups cost one history read each (then cached); read them a few at a time.
    for (let i = 0; i < entries.length; i += REGION_READS_AT_ONCE) {
      const slice = entries.slice(i, i + REGION_READS_AT_ONCE);
      const regions = await Promise.all(slice.map(([, setup]) => this.regionOf(setup).catch(() => undefined)));
      slice.forEach(([jobId], k) => {
        const region = regions[k];
        if (!region) return;
        const group = groups.get(region) ?? [];
        group.push(jobId);
        groups.set(region, group);
      });
    }
    return groups;
  }

  known(): Set<string> {
    return new Set(this.byRun.values());
  }

  forgetAllBut(setups: Map<string, WatchedSetup>): void {
    const live = new Set([...setups.values()].map(runKey));
    for (const key of this.byRun.keys()) if (!live.has(key)) this.byRun.delete(key);
  }

  private async regionOf(setup: WatchedSetup): Promise<string | undefined> {
    const key = runKey(setup);
    const known = this.byRun.get(key);
    if (known) return known;
    const history = await this.client.workflowService.getWorkflowExecutionHistory({
      namespace: this.namespace,
      execution: { workflowId: setup.workflowId, runId: setup.runId },
      maximumPageSize: 1,
    });
    const started = history.history?.events?.[0]?.workflowExecutionStartedEventAttributes;
    const converter = this.client.workflow.options.loadedDataConverter;
    const arg = await decodeFromPayloadsAtIndex<unknown>(converter, 0, started?.input?.payloads);
    const region = requestRegion(arg);
    if (region) this.byRun.set(key, region);
    return region;
  }
}

/** How often the account is checked for instances nobody owns (at most). */
const SWEEP_EVERY_MS = 60_000;
/** A younger instance may be a purchase whose buyer has not claimed it yet. */
const DEFAULT_SETTLE_MS = 2 * 60_000;

/**
 * Instances of the account that no setup owns: not claimed (activities/instance-claims.ts) and not the DtsJobId
 * of any setup, running or closed. They are reported (signal to the watcher workflow, which the API queries,
 * and the `dts_unclaimed_instances` gauge), never released: nothing proves whose they are.
 */
class UnclaimedSweep {
  private lastSweep = 0;
  private reported = '[]';
  private readonly owned = new Set<string>();

  constructor(
    private readonly dts: DtsClient,
    private readonly client: Client,
    private readonly claims: InstanceClaims,
    private readonly namespace: string,
    private readonly settleMs: number,
  ) {}

  async maybeSweep(regions: Set<string>, setups: Map<string, WatchedSetup>): Promise<void> {
    if (Date.now() - this.lastSweep < Math.min(SWEEP_EVERY_MS, this.settleMs / 2)) return;
    this.lastSweep = Date.now();
    const found: UnclaimedInstance[] = [];
    for (const regionId of regions) {
      for (const instance of await listInstances(this.dts, regionId)) {
        if (setups.has(instance.dtsJobId) || this.owned.has(instance.dtsJobId)) continue;
        if (Date.now() - instance.createdAtMs < this.settleMs) continue;
        if ((await this.claims.owner(instance.dtsJobId)) || (await this.usedBySetup(instance.dtsJobId))) {
          this.owned.add(instance.dtsJobId);
          continue;
        }
        found.push({
          dtsJobId: instance.dtsJobId,
          regionId,
          name: instance.name,
          jobClass: instance.jobClass,
          payType: instance.payType,
          createdAt: new Date(instance.createdAtMs).toISOString(),
        });
      }
    }
    const context = Context.current();
    context.metricMeter
      .createGauge('dts_unclaimed_instances', 'int', '1', 'DTS instances no setup owns')
      .set(found.length);
    const report = JSON.stringify(found);
    if (report === this.reported) return;
    this.reported = report;
    const watcher = context.info.workflowExecution?.workflowId;
    if (watcher) await this.client.workflow.getHandle(watcher).signal(unclaimedInstancesSignal, found);
  }

  private async usedBySetup(dtsJobId: string): Promise<boolean> {
    const { count } = await this.client.workflowService.countWorkflowExecutions({
      namespace: this.namespace,
      query: `WorkflowType = 'redisSync' AND DtsJobId = '${dtsJobId.replace(/'/g, '')}'`,
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

function isNews(phase: string, status: string): boolean {
  if (phase === 'synchronizing') return ['failed', 'initializefailed', 'suspending'].includes(status);
  return ['synchronizing', 'precheckfailed', 'initializefailed', 'failed', 'notstarted', 'suspending'].includes(status);
}

interface WatchedSetup {
  workflowId: string;
  runId: string;
  phase: string;
}

/** Running setups with a DTS job, from visibility, by job id. */
async function watchedSetups(client: Client, input: WatchInput): Promise<Map<string, WatchedSetup>> {
  const setups = new Map<string, WatchedSetup>();
  const phases = WATCHED_PHASES.map((p) => `'${p}'`).join(', ');
  let nextPageToken: Uint8Array | undefined;
  do {
    const page = await client.workflowService.listWorkflowExecutions({
      namespace: input.namespace,
      pageSize: 1000,
      nextPageToken,
      query: `WorkflowType = 'redisSync' AND TaskQueue = '${input.taskQueue}' AND ExecutionStatus = 'Running' AND SyncPhase IN (${phases})`,
    });
    for (const execution of page.executions ?? []) {
      const attributes = decodeTypedSearchAttributes(execution.searchAttributes?.indexedFields);
      const jobId = attributes.get(DtsJobIdKey);
      const { workflowId, runId } = execution.execution ?? {};
      if (jobId && workflowId)
        setups.set(jobId, { workflowId, runId: runId ?? '', phase: attributes.get(SyncPhaseKey) ?? '' });
    }
    nextPageToken = page.nextPageToken?.length ? page.nextPageToken : undefined;
  } while (nextPageToken);
  return setups;
}
