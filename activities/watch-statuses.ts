import { Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import { decodeTypedSearchAttributes } from '@temporalio/common/lib/converter/payload-search-attributes';
import type { DtsClient } from './dts/client';
import { describeStatusList, type StatusBoard } from './dts/status-list';
import { dtsStatusSignal } from '../workflows/messages';
import { DtsJobIdKey, SyncPhaseKey } from '../workflows/search-attributes';
import { normalizeStatus } from '../workflows/status';
import type { Direction } from '../workflows/types';

export interface WatchInput {
  taskQueue: string;
  namespace: string;
  intervalMs: number;
  /** Job ids per DescribeSynchronizationJobStatusList call. */
  batchSize: number;
}

const WATCHED_PHASES = ['waiting-forward', 'waiting-reverse', 'synchronizing', 'needs-attention'];

/**
 * The fleet's eyes on DTS: every few seconds, read the status of every watched job in batches
 * and signal the setups whose status changed. One such activity runs per task queue (see
 * workflows/status-watcher.ts), so reaction time does not grow with the number of setups while
 * DTS is called a few times per interval. Runs until cancelled; heartbeats every round.
 */
export async function watchDtsStatuses(deps: { dts: DtsClient; client: Client }, input: WatchInput): Promise<void> {
  const context = Context.current();
  const seen = new Map<string, string>(); // `${jobId}/${direction}` → normalised status
  for (;;) {
    const started = Date.now();
    const setups = await watchedSetups(deps.client, input);
    const jobIds = [...setups.keys()];
    for (let i = 0; i < jobIds.length; i += input.batchSize) {
      let board: StatusBoard;
      try {
        board = await describeStatusList(deps.dts, jobIds.slice(i, i + input.batchSize));
      } catch (err) {
        context.log.warn('status list read failed; the setups keep their own slower polls', { error: (err as Error).message });
        continue;
      }
      for (const [jobId, directions] of Object.entries(board)) {
        for (const [direction, raw] of Object.entries(directions)) {
          const key = `${jobId}/${direction}`;
          const status = normalizeStatus(raw);
          if (seen.get(key) === status) continue;
          seen.set(key, status);
          const setup = setups.get(jobId);
          // Only a status the setup must act on is worth a read; progress it polls for itself.
          if (!setup || !isNews(setup.phase, status)) continue;
          await deps.client.workflow.getHandle(setup.workflowId).signal(dtsStatusSignal, { direction: direction as Direction, status }).catch(() => undefined);
        }
      }
    }
    for (const key of seen.keys()) if (!setups.has(key.split('/')[0]!)) seen.delete(key);
    context.heartbeat({ watched: jobIds.length });
    await context.sleep(Math.max(0, input.intervalMs - (Date.now() - started)));
  }
}

function isNews(phase: string, status: string): boolean {
  if (phase === 'synchronizing') return ['failed', 'initializefailed', 'suspending'].includes(status);
  return ['synchronizing', 'precheckfailed', 'initializefailed', 'failed', 'notstarted', 'suspending'].includes(status);
}

interface WatchedSetup {
  workflowId: string;
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
      if (jobId && execution.execution?.workflowId) setups.set(jobId, { workflowId: execution.execution.workflowId, phase: attributes.get(SyncPhaseKey) ?? '' });
    }
    nextPageToken = page.nextPageToken?.length ? page.nextPageToken : undefined;
  } while (nextPageToken);
  return setups;
}
