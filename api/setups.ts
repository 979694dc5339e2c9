import {
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  WorkflowUpdateRPCTimeoutOrCancelledError,
  type Client,
  type WorkflowExecutionDescription,
  type WorkflowHandle,
} from '@temporalio/client';
import { httpErrors } from '@fastify/sensible';
import {
  abortBySignal,
  abortByUpdate,
  releaseBySignal,
  releaseWithOptionsUpdate,
  retryBySignal,
  retryByUpdate,
  setupStatusQuery,
} from '../workflows/messages';
import type { redisSync } from '../workflows/redis-sync';
import type { SyncPhase, SetupStatus } from '../workflows/types';

/** Operator actions: Workflow Updates the workflow validates; the signals of the same name for runs started before. */
const ACTIONS = {
  retry: { update: retryByUpdate, signal: retryBySignal },
  abort: { update: abortByUpdate, signal: abortBySignal },
  release: { update: releaseWithOptionsUpdate, signal: releaseBySignal },
} as const;
export type OperatorAction = keyof typeof ACTIONS;

/** How an action was taken: the status the workflow accepted it in (update), or only sent to older code (signal). */
export type ActionTaken = { status: SetupStatus; accepted?: never } | { accepted: { id: string; phase: SyncPhase } };

const QUERY_DEADLINE_MS = 5_000;
const UPDATE_DEADLINE_MS = 10_000;
const GRPC_DEADLINE_EXCEEDED = 4;
const GRPC_NOT_FOUND = 5;
/** The SDK's rejection of an update the running code has no handler for. */
const NO_HANDLER = /No registered handler for update/;

/** The API's way to the setups (`redisSync` runs) in Temporal: find one, require a live one, read it, act on it. */
export class Setups {
  constructor(private readonly client: Client) {}

  handle(id: string): WorkflowHandle<typeof redisSync> {
    return this.client.workflow.getHandle<typeof redisSync>(id);
  }

  /** The setup's latest run, or undefined when there never was one. */
  async describe(id: string): Promise<WorkflowExecutionDescription | undefined> {
    try {
      return await this.handle(id).describe();
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

  /** The setup's own status. A query needs a worker: with none polling it would hang for the whole gRPC timeout. */
  status(handle: WorkflowHandle<typeof redisSync>): Promise<SetupStatus> {
    return this.client.withDeadline(Date.now() + QUERY_DEADLINE_MS, () => handle.query(setupStatusQuery));
  }

  /**
   * An operator action on a live setup: the workflow's update answers with the status it accepted it in, or its
   * validator's reason (409). A run of older code has no update handler: it gets the signal, when its status shows
   * the action applies (`signalOnlyIn`), as before the updates. `releaseInstance` makes a release delete an
   * adopted job too (DELETE ?release=true).
   */
  async act(
    id: string,
    action: OperatorAction,
    {
      signalOnlyIn,
      releaseInstance,
      by,
    }: {
      signalOnlyIn?: SyncPhase;
      releaseInstance?: boolean;
      /** the caller's name, for the history */ by?: string;
    } = {},
  ): Promise<ActionTaken> {
    const handle = await this.live(id);
    try {
      const status = await this.client.withDeadline(Date.now() + UPDATE_DEADLINE_MS, () =>
        action === 'release'
          ? handle.executeUpdate(releaseWithOptionsUpdate, {
              args: [{ ...(releaseInstance ? { releaseInstance } : {}), by }],
            })
          : handle.executeUpdate(ACTIONS[action].update, { args: [{ by }] }),
      );
      return { status };
    } catch (err) {
      if (err instanceof WorkflowUpdateFailedError) {
        const reason = err.cause?.message ?? err.message;
        if (!NO_HANDLER.test(reason)) throw httpErrors.conflict(reason);
      } else if (err instanceof WorkflowNotFoundError || grpcCode(err) === GRPC_NOT_FOUND) {
        throw httpErrors.conflict(`sync ${id} has already ended`);
      } else if (err instanceof WorkflowUpdateRPCTimeoutOrCancelledError || grpcCode(err) === GRPC_DEADLINE_EXCEEDED) {
        throw noWorker(id);
      } else throw err;
    }
    const status = await this.status(handle).catch(() => {
      throw noWorker(id);
    });
    if (signalOnlyIn && status.phase !== signalOnlyIn)
      throw httpErrors.conflict(`${action} applies to a setup in ${signalOnlyIn}, not ${status.phase}`);
    try {
      await handle.signal(ACTIONS[action].signal, { by });
    } catch (err) {
      // It ended between the status read and the signal (found by fuzzing: a 500 before).
      if (err instanceof WorkflowNotFoundError) throw httpErrors.conflict(`sync ${id} has already ended`);
      throw err;
    }
    return { accepted: { id, phase: status.phase } };
  }
}

export const noWorker = (id: string) =>
  httpErrors.serviceUnavailable(`no worker answered for sync ${id}; try again later`);

function grpcCode(err: unknown): number | undefined {
  const cause = (err as { cause?: { code?: number }; code?: number }) ?? {};
  return cause.code ?? cause.cause?.code;
}
