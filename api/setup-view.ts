import { WorkflowFailedError, type Client, type WorkflowExecutionDescription } from '@temporalio/client';
import { ApplicationFailure, CancelledFailure, TerminatedFailure, type TemporalFailure } from '@temporalio/common';
import { DtsJobIdKey, STATUS_MEMO, SyncPhaseKey, SyncTopologyKey } from '../core/search-attributes';
import type { SetupStatus, SetupPhase, Topology } from '../core/types';
import { SETUP_PHASES, TOPOLOGIES } from '../core/vocabulary';
import { wordOr } from './literals';
import { unreadableMemo } from './memo-tolerance';
import { REQUEST_MEMO, type PublicRequest } from './setup-start';

/** What GET /v1/syncs/:id answers: the workflow's own status, or as much as Temporal still knows. */
export type SetupView = Omit<Partial<SetupStatus>, 'topology' | 'phase'> & {
  id: string;
  name: string;
  topology: Topology | 'unknown';
  phase: SetupPhase | 'unknown';
  workflowStatus: string;
};

const RESULT_DEADLINE_MS = 5_000;

/**
 * A closed setup from what its run left behind: the result (a completed run returns its status),
 * a failure's details (when the workflow attached its status), else the memo and search attributes.
 * Reads one history event at most; no worker replays anything.
 */
export async function closedSetupView(client: Client, description: WorkflowExecutionDescription): Promise<SetupView> {
  const handle = client.workflow.getHandle(description.workflowId, description.runId, { followRuns: false });
  let status: SetupStatus | undefined;
  let failure: SetupStatus['error'] | undefined;
  try {
    status = (await client.withDeadline(Date.now() + RESULT_DEADLINE_MS, () => handle.result())) as SetupStatus;
  } catch (err) {
    if (!(err instanceof WorkflowFailedError)) throw err;
    const cause = err.cause;
    const attached = cause instanceof ApplicationFailure ? cause.details?.find(isSetupStatus) : undefined;
    if (attached) status = attached;
    failure = failureSummary(cause);
  }
  // A run that cannot attach its status to how it ended (a cancel) left its last one in the memo.
  status ??= memoizedStatus(description);
  const view = status && isSetupStatus(status) ? status : fromVisibility(description);
  return { ...view, ...(failure && !view.error ? { error: failure } : {}), workflowStatus: description.status.name };
}

/**
 * The status a run wrote to its memo with its last change (workflows/setup/setup.ts): what the status query would
 * answer, read by describe() without a worker. Undefined for runs started before the workflow wrote it.
 */
export function memoizedStatus(description: WorkflowExecutionDescription): SetupStatus | undefined {
  const memoized = description.memo?.[STATUS_MEMO];
  return isSetupStatus(memoized) ? memoized : undefined;
}

/** A run's history before its first workflow task completed: started, task scheduled, maybe task started. */
const BEFORE_FIRST_TASK_EVENTS = 3;

/**
 * A running setup's status without a worker: what the run wrote to its memo with its last change. A run whose first
 * workflow task has not completed has written nothing yet: it is where its start put it (memo and search attributes).
 * Only a run started before the workflow wrote its status is asked (`ask`, a query). A status this process cannot
 * decode (written with a payload key it never learned) answers from the search attributes: the run upserts its phase
 * and DTS job in the same workflow task as that status, so the phase is as fresh; asking would not help, the
 * worker encrypts its answer with the same key.
 */
export async function runningStatus(
  description: WorkflowExecutionDescription,
  ask: () => Promise<SetupStatus>,
): Promise<SetupStatus | SetupView> {
  const memoized = memoizedStatus(description);
  if (memoized) return memoized;
  if (unreadableMemo(description).includes(STATUS_MEMO)) return fromVisibility(description);
  if (description.historyLength <= BEFORE_FIRST_TASK_EVENTS) return fromVisibility(description);
  return ask();
}

/**
 * Answers of the status query by run and history length. A run's status changes only with its history (queries
 * change nothing), so while describe() reports the same length the last answer still holds, and the query is
 * skipped: for a setup out of the worker's workflow cache that query is a replay of its whole history, the
 * main cost of GET /v1/syncs/:id under load (docs/performance.md). The oldest entries go first.
 */
export class StatusCache {
  private readonly entries = new Map<string, { historyLength: number; status: SetupStatus }>();

  constructor(private readonly maxEntries = 5_000) {}

  async get(description: WorkflowExecutionDescription, query: () => Promise<SetupStatus>): Promise<SetupStatus> {
    const key = `${description.workflowId}/${description.runId}`;
    const known = this.entries.get(key);
    this.entries.delete(key);
    const status = known && known.historyLength === description.historyLength ? known.status : await query();
    this.entries.set(key, { historyLength: description.historyLength, status });
    if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    return status;
  }
}

/** What the memo and search attributes tell without a worker (a running setup whose worker is away). */
export function fromVisibility(description: WorkflowExecutionDescription): SetupView {
  const attrs = description.typedSearchAttributes;
  const request = description.memo?.[REQUEST_MEMO] as PublicRequest | undefined;
  const dtsJobId = attrs.get(DtsJobIdKey);
  return {
    id: description.workflowId,
    name: request?.name ?? '',
    topology: wordOr(TOPOLOGIES, attrs.get(SyncTopologyKey) ?? request?.topology),
    phase: wordOr(SETUP_PHASES, attrs.get(SyncPhaseKey)),
    ...(dtsJobId ? { dtsJobId } : {}),
    ...(request ? { payType: request.payType, source: request.source, destination: request.destination } : {}),
    workflowStatus: description.status.name,
  };
}

export function isSetupStatus(value: unknown): value is SetupStatus {
  const status = value as SetupStatus | null;
  if (typeof status !== 'object' || status === null) return false;
  return typeof status.phase === 'string' && typeof status.id === 'string';
}

function failureSummary(cause: TemporalFailure | Error | undefined): SetupStatus['error'] {
  if (cause instanceof CancelledFailure) return undefined; // a cancel is an answer, not an error
  if (cause instanceof TerminatedFailure) return { type: 'Terminated', message: cause.message || 'terminated' };
  if (cause instanceof ApplicationFailure) return { type: cause.type ?? 'Error', message: cause.message };
  return cause ? { type: cause.name, message: cause.message } : undefined;
}
