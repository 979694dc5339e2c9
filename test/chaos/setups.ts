import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { setupWorkflowId } from '../../core/ids';
import { redisSync } from '../../workflows/redis-sync';
import { setupStartOptions } from '../../api/setup-start';
import { DtsJobIdKey, SyncPhaseKey } from '../../core/search-attributes';
import type { WaitTuning } from '../../core/tuning';
import { setupsQuery } from '../../core/visibility';
import type { DtsApi, SetupRequest, Topology } from '../../core/types';
import { apiOf, type ApiMix } from './families';
import { syncRequest } from '../support/requests';
import { sleep } from './processes';
import type { Random } from './random';

/** Same logic as production, shorter pauses: a chaos run lasts minutes, not days. */
export const CHAOS_TUNING: Partial<WaitTuning> = {
  firstPoll: '500ms',
  maxPoll: '3s',
  monitorInterval: '10s',
  restartBackoff: '1s',
};

export interface Setup {
  index: number;
  request: SetupRequest;
  /** The DTS API family it speaks (the API's DTS_API when it starts it). */
  api: DtsApi;
  workflowId: string;
  /** Known once started; the purchase ClientToken derives from it. */
  firstRunId?: string;
  startedAt?: number;
  /** Latest SyncPhase search attribute and execution status seen in visibility. */
  phase?: string;
  executionStatus?: string;
  synchronizingAt?: number;
  dtsJobId?: string;
  /** A setup a scenario (test/chaos/scenarios.ts) took: judged by its own rule, not as a plain setup. */
  scenario?: string;
  /** The run asked for its teardown: its release is not harm done to a healthy sync. */
  releaseRequested?: boolean;
}

export function planSetups(count: number, seed: number, random: Random, apis: ApiMix = 'dtsjob'): Setup[] {
  return Array.from({ length: count }, (_, index) => {
    // Both topologies always appear, whatever the seed.
    const topology: Topology =
      index === 0 ? 'oneway' : index === 1 ? 'bidirectional' : random.pick(['oneway', 'bidirectional']);
    const id = (side: string) => `r-chaos${seed}-${String(index).padStart(3, '0')}-${side}`;
    const request = syncRequest({
      name: `chaos-${seed}-${index}`,
      topology,
      source: { kind: 'enterprise', region: 'cn-hangzhou', instanceId: id('src'), password: `src-${index}-Pa55` },
      destination: { kind: 'enterprise', region: 'cn-hangzhou', instanceId: id('dst'), password: `dst-${index}-Pa55` },
    });
    return { index, request, api: apiOf(apis, index), workflowId: setupWorkflowId(request) };
  });
}

/** The setup's instance pair, so its prechecks pass. */
export function instancesOf(setup: Setup) {
  return [setup.request.source, setup.request.destination].map((e) => ({
    instanceId: e.instanceId!,
    password: e.password,
    engineVersion: '5.0',
    architecture: 'standard',
    region: e.region,
    edition: 'enterprise',
    maxmemoryPolicy: 'noeviction',
  }));
}

/**
 * Starts the workflow with the API's start options (api/setup-start.ts). Retries while the
 * server restarts; "already started" means an earlier attempt got through.
 */
export async function startSetup(client: Client, taskQueue: string, setup: Setup, deadline: number): Promise<void> {
  const { request } = setup;
  for (let attempt = 1; ; attempt += 1) {
    try {
      const handle = await client.workflow.start(
        redisSync,
        setupStartOptions(request, taskQueue, CHAOS_TUNING, [], setup.api),
      );
      setup.firstRunId = handle.firstExecutionRunId;
      break;
    } catch (err) {
      if (err instanceof WorkflowExecutionAlreadyStartedError) {
        setup.firstRunId = await firstRunIdOf(client, setup.workflowId);
        break;
      }
      if (Date.now() > deadline) throw new Error(`could not start ${setup.workflowId}: ${String(err)}`);
      await sleep(Math.min(5_000, 250 * attempt));
    }
  }
  setup.startedAt = Date.now();
}

export async function firstRunIdOf(client: Client, workflowId: string): Promise<string> {
  const description = await client.workflow.getHandle(workflowId).describe();
  return description.raw.workflowExecutionInfo?.firstRunId || description.runId;
}

/** One visibility listing refreshes every setup's phase; needs no worker, unlike a query. */
export async function refreshPhases(client: Client, setups: Setup[]): Promise<void> {
  const byId = new Map(setups.map((s) => [s.workflowId, s]));
  for await (const execution of client.workflow.list({ query: setupsQuery(), pageSize: 1000 })) {
    const setup = byId.get(execution.workflowId);
    // An earlier run of a setup that continued as new says nothing about where it stands.
    if (!setup || execution.status.name === 'CONTINUED_AS_NEW') continue;
    setup.phase = execution.typedSearchAttributes.get(SyncPhaseKey);
    setup.executionStatus = execution.status.name;
    setup.dtsJobId = execution.typedSearchAttributes.get(DtsJobIdKey) ?? setup.dtsJobId;
    if (setup.phase === 'synchronizing' && !setup.synchronizingAt) setup.synchronizingAt = Date.now();
  }
}

/** Settled: synchronizing, or the workflow has ended (which the report then judges). */
export function settled(setup: Setup): boolean {
  return (
    setup.phase === 'synchronizing' || (setup.executionStatus !== undefined && setup.executionStatus !== 'RUNNING')
  );
}
