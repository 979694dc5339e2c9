import {
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  WorkflowUpdateRPCTimeoutOrCancelledError,
  type Client,
  type WorkflowExecutionDescription,
  type WorkflowHandle,
} from '@temporalio/client';
import { randomUUID } from 'node:crypto';
import { httpErrors } from '@fastify/sensible';
import type { ChangeRequest } from '../core/changes';
import {
  abortByUpdate,
  changeUpdate,
  releaseWithOptionsUpdate,
  retryByUpdate,
  setupStatusQuery,
  verifyUpdate,
  type VerifyOptions,
} from '../core/messages';
import { withMemoTolerance } from './memo-tolerance';
import type { redisSync } from '../workflows/redis-sync';
import type { PreflightItem } from '../core/preflight-checks';
import type { SetupStatus, VerificationStatus } from '../core/types';
import { canaryOf } from './canary-view';
import { closedSetupView, fromVisibility, runningStatus, StatusCache } from './setup-view';
import type { ViewCache } from './view-cache';

/** Operator actions: Workflow Updates whose validators refuse with the reason. */
const ACTIONS = { retry: retryByUpdate, abort: abortByUpdate, release: releaseWithOptionsUpdate } as const;
export type OperatorAction = keyof typeof ACTIONS;

const QUERY_DEADLINE_MS = 5_000;
const UPDATE_DEADLINE_MS = 10_000;
const GRPC_DEADLINE_EXCEEDED = 4;
const GRPC_NOT_FOUND = 5;

/** The API's way to the setups (`redisSync` runs) in Temporal: find one, require a live one, read it, act on it. */
export class Setups {
  private readonly statusCache = new StatusCache();
  /** For describe(): a memo field written with a payload key this process never learned must not fail the read. */
  private reader?: Client;

  /** `views`: while GET one is hot, running setups' views from a background listing (api/view-cache.ts). */
  constructor(
    private readonly client: Client,
    private readonly views?: ViewCache,
  ) {}

  /** This process changed the setup: its next GET one describes it instead of answering from the view cache. */
  changed(id: string): void {
    this.views?.forget(id);
  }

  handle(id: string): WorkflowHandle<typeof redisSync> {
    return this.client.workflow.getHandle<typeof redisSync>(id);
  }

  /** The setup's latest run, or undefined when there never was one. */
  async describe(id: string): Promise<WorkflowExecutionDescription | undefined> {
    try {
      this.reader ??= withMemoTolerance(this.client);
      return await this.reader.workflow.getHandle<typeof redisSync>(id).describe();
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return undefined;
      throw err;
    }
  }

  /** A running setup's handle: 404 when there is no such setup, 409 when it has ended. */
  async live(id: string): Promise<WorkflowHandle<typeof redisSync>> {
    const description = await this.describe(id);
    if (!description) throw httpErrors.notFound(`no sync ${id}`);
    if (description.status.name !== 'RUNNING')
      throw httpErrors.conflict(`sync ${id} has already ended (${description.status.name})`);
    return this.handle(id);
  }

  /**
   * Cancel a live setup, naming who asked in the request's reason: the history keeps it (the events route reads
   * it back as `cancelled by <caller>`, api/events.ts). Never the token: the caller's name.
   */
  async cancel(id: string, by: string | undefined): Promise<void> {
    try {
      await this.client.workflowService.requestCancelWorkflowExecution({
        namespace: this.client.options.namespace,
        workflowExecution: { workflowId: id },
        identity: this.client.options.identity,
        requestId: randomUUID(),
        reason: by ? `cancelled by ${by}` : 'cancelled',
      });
    } finally {
      this.changed(id);
    }
  }

  /** GET /v1/syncs/:id: where a setup stands, with as much as Temporal knows when no worker answers; 404 if none. */
  async view(id: string) {
    const cached = this.views?.get(id);
    if (cached) return cached;
    const description = await this.describe(id);
    if (!description) throw httpErrors.notFound(`no sync ${id}`);
    const workflowStatus = description.status.name;
    // A closed setup is read from what its run left, not replayed through a worker on every call.
    if (workflowStatus !== 'RUNNING') return closedSetupView(this.client, description);
    // The preflight's warnings live in the memo (set at start), next to the workflow's own status.
    const preflightWarnings = description.memo?.preflightWarnings as PreflightItem[] | undefined;
    try {
      // From the memo; a run from before the status memo is asked (cached by history length).
      const status = await runningStatus(description, () =>
        this.statusCache.get(description, () => this.status(this.handle(id))),
      );
      const canary = await canaryOf(this.client, description);
      return {
        ...status,
        workflowStatus,
        ...(preflightWarnings ? { preflightWarnings } : {}),
        ...(canary ? { canary } : {}),
      };
    } catch {
      // No worker to answer the query: fall back to what the memo and search attributes say.
      return fromVisibility(description);
    }
  }

  /** The setup's own status. A query needs a worker: with none polling it would hang for the whole gRPC timeout. */
  status(handle: WorkflowHandle<typeof redisSync>): Promise<SetupStatus> {
    return this.client.withDeadline(Date.now() + QUERY_DEADLINE_MS, () => handle.query(setupStatusQuery));
  }

  /**
   * An operator action on a live setup: the workflow's update answers with the status it accepted it in, or its
   * validator's reason (409). `releaseInstance` makes a release delete an adopted job too (DELETE ?release=true).
   */
  async act(
    id: string,
    action: OperatorAction,
    /** `by`: the caller's name, sent in the update's arguments so the history records who acted. */
    { releaseInstance = false, by }: { releaseInstance?: boolean; by?: string } = {},
  ): Promise<SetupStatus> {
    return this.update(id, (handle) =>
      action === 'release'
        ? handle.executeUpdate(releaseWithOptionsUpdate, {
            args: [{ ...(releaseInstance ? { releaseInstance } : {}), by }],
          })
        : handle.executeUpdate(ACTIONS[action], { args: [{ by }] }),
    );
  }

  /** A day-two change (core/changes.ts): accepted with the status it shows as applying, or refused (409). */
  change(id: string, request: ChangeRequest): Promise<SetupStatus> {
    return this.update(id, (handle) => handle.executeUpdate(changeUpdate, { args: [request] }));
  }

  /** Starts a comparison of the data at both ends; answers the verification started, or the refusal (409). */
  verify(id: string, options: VerifyOptions): Promise<VerificationStatus> {
    return this.update(id, (handle) => handle.executeUpdate(verifyUpdate, { args: [options] }));
  }

  private async update<T>(id: string, send: (handle: WorkflowHandle<typeof redisSync>) => Promise<T>): Promise<T> {
    const handle = await this.live(id);
    try {
      return await this.client.withDeadline(Date.now() + UPDATE_DEADLINE_MS, () => send(handle));
    } catch (err) {
      if (err instanceof WorkflowUpdateFailedError) throw httpErrors.conflict(err.cause?.message ?? err.message);
      if (err instanceof WorkflowNotFoundError || grpcCode(err) === GRPC_NOT_FOUND)
        throw httpErrors.conflict(`sync ${id} has already ended`);
      if (err instanceof WorkflowUpdateRPCTimeoutOrCancelledError || grpcCode(err) === GRPC_DEADLINE_EXCEEDED)
        throw noWorker(id);
      throw err;
    } finally {
      // Even a refused or timed-out update may have changed the run: read your own writes.
      this.changed(id);
    }
  }
}

export const noWorker = (id: string) =>
  httpErrors.serviceUnavailable(`no worker answered for sync ${id}; try again later`);

function grpcCode(err: unknown): number | undefined {
  const cause = (err as { cause?: { code?: number }; code?: number }) ?? {};
  return cause.code ?? cause.cause?.code;
}
