import {
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  WorkflowUpdateRPCTimeoutOrCancelledError,
  type WorkflowExecutionDescription,
  type WorkflowHandle,
} from '@temporalio/client';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply } from 'fastify';
import { legacySyncWorkflowId, syncWorkflowId } from '../../workflows/ids';
import {
  abortSignal,
  releaseSignal,
  releaseWithOptionsUpdate,
  retrySignal,
  statusQuery,
} from '../../workflows/messages';
import type { redisSync } from '../../workflows/redis-sync';
import {
  DestinationInstanceIdKey,
  DtsJobIdKey,
  SourceInstanceIdKey,
  SyncPhaseKey,
  SyncTopologyKey,
} from '../../workflows/search-attributes';
import type { SyncPhase, SyncStatus } from '../../workflows/types';
import type { DtsJobLookup } from '../dts-jobs';
import { requestDifferences } from '../request-diff';
import { checkAdoption, withoutJobDefaults } from '../adopt';
import {
  AcceptedReply,
  CreateSyncBody,
  ErrorReply,
  ReleaseQuery,
  UnprocessableReply,
  ListQuery,
  ListReply,
  SyncId,
  SyncStatusReply,
} from '../schemas';
import { closedSetupView, fromVisibility, StatusCache } from '../setup-status';
import { toSyncRequest, type FieldProblem } from '../sync-request';
import { publicRequest, REQUEST_MEMO, syncStartOptions, type PublicRequest } from '../sync-start';
import { checkBeforeStart } from './preflight';
import type { PreflightItem } from '../../workflows/preflight-checks';
import type { TemporalDeps } from '../temporal';
import { setupsQuery } from '../../workflows/visibility';

const errors = { 400: ErrorReply, 401: ErrorReply, 404: ErrorReply, 409: ErrorReply, 503: ErrorReply };

/** Operator actions: Workflow Updates the workflow validates; signals for runs started before it had them. */
const ACTIONS = { retry: retrySignal, abort: abortSignal, release: releaseSignal } as const;
type Action = keyof typeof ACTIONS;

/** Previous endings that leave a DTS job alive (suspended, or an adopted job left running), which a new setup of the pair would write beside. */
const KEPT_OUTCOMES = new Set(['kept', 'prepaid-not-released', 'left-in-place']);
/** Phases a setup holds only while running: a closed run that last said `synchronizing` is not synchronizing. */
const CLOSED_PHASES = new Set<string>(['released', 'failed', 'cancelled'] satisfies SyncPhase[]);

export const syncRoutes: FastifyPluginAsyncTypebox<{ temporal: TemporalDeps; dtsJobs?: DtsJobLookup }> = async (
  app,
  { temporal, dtsJobs },
) => {
  const { client, taskQueue } = temporal;
  const handleOf = (id: string) => client.workflow.getHandle<typeof redisSync>(id);
  // A query or update needs a worker; with none polling it would hang for the whole gRPC timeout (found by fuzzing).
  const statusOf = (handle: WorkflowHandle<typeof redisSync>) =>
    client.withDeadline(Date.now() + QUERY_DEADLINE_MS, () => handle.query(statusQuery));
  const describe = (id: string) =>
    handleOf(id)
      .describe()
      .catch((err: unknown) => {
        if (err instanceof WorkflowNotFoundError) return undefined;
        throw err;
      });
  const statusCache = new StatusCache();
  const conflict = (reply: FastifyReply, message: string, extra: { fields?: FieldProblem[]; dtsJobId?: string } = {}) =>
    reply.code(409).send({ statusCode: 409, error: 'Conflict', message, ...extra });

  /** A live setup of the pair: the same request is answered with it, a different one is refused field by field. */
  async function existing(
    reply: FastifyReply,
    description: WorkflowExecutionDescription,
    incoming: PublicRequest,
    body: CreateSyncBody,
  ) {
    const id = description.workflowId;
    const running = description.memo?.[REQUEST_MEMO] as PublicRequest | undefined;
    // Setups started before the memo existed cannot be compared: answered as the same, as before.
    const differences = running ? withoutJobDefaults(requestDifferences(running, incoming), body) : [];
    if (differences.length > 0) {
      const list = differences.map((d) => d.field).join(', ');
      return conflict(
        reply,
        `sync ${id} is already running for this pair with a different request (${list}); tear it down first or repeat its request`,
        { fields: differences },
      );
    }
    const status = await statusOf(handleOf(id)).catch(() => undefined);
    return reply.code(200).send({ id, phase: status?.phase ?? fromVisibility(description).phase, existing: true });
  }

  /** A pair whose last setup ended keeping its DTS job (suspended, still paid) is not set up again beside it. */
  async function keptJob(
    description: WorkflowExecutionDescription,
  ): Promise<{ dtsJobId: string; outcome: string } | undefined> {
    const ended = await closedSetupView(client, description).catch(() => undefined);
    const dtsJobId = ended?.dtsJobId;
    const outcome = ended?.released?.outcome;
    if (!dtsJobId || !outcome || !KEPT_OUTCOMES.has(outcome)) return undefined;
    // Released since (DTS console, expiry): nothing is left to collide with.
    if (dtsJobs && !(await dtsJobs.exists(dtsJobId, ended.source?.region ?? ''))) return undefined;
    return { dtsJobId, outcome };
  }

  app.post(
    '/v1/syncs',
    {
      schema: {
        summary: 'Start a sync setup',
        body: CreateSyncBody,
        response: { 200: AcceptedReply, 202: AcceptedReply, 422: UnprocessableReply, ...errors },
      },
    },
    async (req, reply) => {
      const parsed = toSyncRequest(req.body);
      const problems = parsed.problems;
      let request = parsed.request;
      if (!request)
        return reply.code(400).send({
          statusCode: 400,
          error: 'Bad Request',
          message: problems.map((p) => `${p.field}: ${p.message}`).join('; '),
          fields: problems,
        });
      const incoming = publicRequest(request);
      const id = syncWorkflowId(request);
      for (const candidate of [legacySyncWorkflowId(request), id]) {
        if (!candidate) continue;
        const description = await describe(candidate);
        if (!description) continue;
        if (description.status.name === 'RUNNING') return existing(reply, description, incoming, req.body);
        const kept = await keptJob(description);
        // Adopting the kept job itself is how the pair is set up again around it.
        if (kept && kept.dtsJobId !== request.adopt?.dtsJobId) {
          return conflict(
            reply,
            `the previous setup of this pair (${candidate}) ended with DTS job ${kept.dtsJobId} kept (${kept.outcome}); release that job first, then set the pair up again`,
            { dtsJobId: kept.dtsJobId },
          );
        }
      }
      // An adoption: the job exists, no other setup holds it, it matches the request (api/adopt.ts).
      if (request.adopt) {
        const adoption = await checkAdoption(temporal, request, req.body, id);
        if ('refusal' in adoption) return reply.code(adoption.refusal.statusCode).send(adoption.refusal);
        request = adoption.request;
      }
      // Check before paying (api/routes/preflight.ts): any fail → 422, nothing started or bought.
      const checked = await checkBeforeStart(temporal, request, req.body.acceptRisks ?? []);
      if (checked.refusal) return reply.code(checked.refusal.statusCode).send(checked.refusal);
      const { preflightWarnings } = checked;
      try {
        const options = syncStartOptions(request, taskQueue);
        await client.workflow.start<typeof redisSync>('redisSync', {
          ...options,
          memo: { ...options.memo, preflightWarnings },
        });
      } catch (err) {
        if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
        // Started by a concurrent request since the check above.
        const description = await describe(id);
        if (!description) throw err;
        return existing(reply, description, incoming, req.body);
      }
      req.log.info({ syncId: id, topology: request.topology, adopt: request.adopt?.dtsJobId }, 'sync started');
      return reply.code(202).send({ id, phase: request.adopt ? 'adopting' : 'purchasing', preflightWarnings });
    },
  );

  app.get(
    '/v1/syncs/:id',
    { schema: { summary: 'Where a setup stands', params: SyncId, response: { 200: SyncStatusReply, ...errors } } },
    async (req, reply) => {
      const description = await describe(req.params.id);
      if (!description)
        return reply.code(404).send({ statusCode: 404, error: 'Not Found', message: `no sync ${req.params.id}` });
      const workflowStatus = description.status.name;
      // A closed setup is read from what its run left, not replayed through a worker on every call.
      if (workflowStatus !== 'RUNNING') return closedSetupView(client, description);
      // The preflight's warnings live in the memo (set at start), next to the workflow's own status.
      const preflightWarnings = description.memo?.preflightWarnings as PreflightItem[] | undefined;
      try {
        const status: SyncStatus = await statusCache.get(description, () => statusOf(handleOf(req.params.id)));
        return { ...status, workflowStatus, ...(preflightWarnings ? { preflightWarnings } : {}) };
      } catch {
        // No worker to answer the query: fall back to what the memo and search attributes say.
        return fromVisibility(description);
      }
    },
  );

  app.get(
    '/v1/syncs',
    { schema: { summary: 'Setups, newest first', querystring: ListQuery, response: { 200: ListReply, ...errors } } },
    async (req, reply) => {
      const wanted = req.query.phase;
      // A run that continued as new is not a setup of its own; a phase of a live setup is asked of live ones only.
      const phase = wanted
        ? ` AND SyncPhase = '${wanted}'${CLOSED_PHASES.has(wanted) ? '' : ` AND ExecutionStatus = 'Running'`}`
        : '';
      const pageToken = req.query.pageToken ? Buffer.from(req.query.pageToken, 'base64url') : undefined;
      // Visibility page tokens are JSON; anything else makes the server fail with UNKNOWN, which
      // the client retries for many seconds before the caller would see a 500 (found by fuzzing).
      const badToken = () =>
        reply.code(400).send({
          statusCode: 400,
          error: 'Bad Request',
          message: '/querystring/pageToken: not a page token this API handed out',
          fields: [
            { field: '/querystring/pageToken', rule: 'page-token', message: 'not a page token this API handed out' },
          ],
        });
      if (pageToken && !isJsonObject(pageToken)) return badToken();
      let page;
      try {
        page = await client.workflowService.listWorkflowExecutions({
          namespace: temporal.namespace,
          pageSize: Number(req.query.pageSize ?? 20),
          nextPageToken: pageToken,
          // Visibility lists newest first by default (SQLite visibility refuses ORDER BY).
          // This deployment's setups only: its task queue scopes them within a shared namespace.
          query: `${setupsQuery(taskQueue)} AND ExecutionStatus != 'ContinuedAsNew'${phase}`,
        });
      } catch (err) {
        if (pageToken && (err as { code?: number }).code === GRPC_INVALID_ARGUMENT) return badToken();
        throw err;
      }
      const items = (page.executions ?? []).map((execution) => {
        const fields = execution.searchAttributes?.indexedFields;
        const seconds = execution.startTime?.seconds;
        return {
          id: execution.execution?.workflowId ?? '',
          phase: keyword(fields, SyncPhaseKey.name),
          topology: keyword(fields, SyncTopologyKey.name),
          dtsJobId: keyword(fields, DtsJobIdKey.name),
          sourceInstanceId: keyword(fields, SourceInstanceIdKey.name),
          destinationInstanceId: keyword(fields, DestinationInstanceIdKey.name),
          workflowStatus: workflowStatusName(execution.status),
          ...(seconds ? { startedAt: new Date(Number(seconds) * 1000).toISOString() } : {}),
        };
      });
      const token =
        page.nextPageToken && page.nextPageToken.length > 0
          ? Buffer.from(page.nextPageToken).toString('base64url')
          : undefined;
      return { items, ...(token ? { nextPageToken: token } : {}) };
    },
  );

  /** Looks the setup up; a reply already sent (404, 409) when there is nothing live to act on. */
  async function liveHandle(id: string, reply: FastifyReply) {
    const description = await describe(id);
    if (!description)
      return void reply.code(404).send({ statusCode: 404, error: 'Not Found', message: `no sync ${id}` });
    if (description.status.name !== 'RUNNING')
      return void conflict(reply, `sync ${id} has already ended (${description.status.name})`);
    return handleOf(id);
  }

  const operate = (
    method: 'POST' | 'DELETE',
    url: string,
    summary: string,
    action: Action,
    fallbackRule?: (s: SyncStatus) => string | undefined,
  ) =>
    app.route({
      method,
      url,
      schema: {
        summary,
        params: SyncId,
        ...(action === 'release' ? { querystring: ReleaseQuery } : {}),
        response: { 200: SyncStatusReply, 202: AcceptedReply, ...errors },
      },
      handler: async (req, reply) => {
        const id = req.params.id;
        const handle = await liveHandle(id, reply);
        if (!handle) return reply;
        // DELETE ?release=true: an adopted job is deleted too (without it, the setup leaves the job in place).
        const releaseInstance = (req.query as { release?: string } | undefined)?.release === 'true';
        try {
          // What the workflow accepted, or its validator's reason.
          const status = await client.withDeadline(Date.now() + UPDATE_DEADLINE_MS, () =>
            releaseInstance
              ? handle.executeUpdate(releaseWithOptionsUpdate, { args: [{ releaseInstance }] })
              : handle.executeUpdate<SyncStatus, []>(action),
          );
          return reply.code(200).send({ ...status, workflowStatus: 'RUNNING' });
        } catch (err) {
          if (err instanceof WorkflowUpdateFailedError) {
            const reason = err.cause?.message ?? err.message;
            if (!NO_HANDLER.test(reason)) return conflict(reply, reason);
            // A run started by older code: the signal it understands, checked as before.
          } else if (err instanceof WorkflowNotFoundError || grpcCode(err) === GRPC_NOT_FOUND) {
            return conflict(reply, `sync ${id} has already ended`);
          } else if (
            err instanceof WorkflowUpdateRPCTimeoutOrCancelledError ||
            grpcCode(err) === GRPC_DEADLINE_EXCEEDED
          ) {
            return noWorker(reply, id);
          } else throw err;
        }
        return signalFallback(reply, handle, id, action, fallbackRule);
      },
    });

  async function signalFallback(
    reply: FastifyReply,
    handle: WorkflowHandle<typeof redisSync>,
    id: string,
    action: Action,
    rule?: (s: SyncStatus) => string | undefined,
  ) {
    let status: SyncStatus;
    try {
      status = await statusOf(handle);
    } catch {
      return noWorker(reply, id);
    }
    const refusal = rule?.(status);
    if (refusal) return conflict(reply, refusal);
    try {
      await handle.signal(ACTIONS[action]);
    } catch (err) {
      // It ended between describe and the signal (found by fuzzing: a 500 before).
      if (err instanceof WorkflowNotFoundError) return conflict(reply, `sync ${id} has already ended`);
      throw err;
    }
    return reply.code(202).send({ id, phase: status.phase });
  }

  app.post(
    '/v1/syncs/:id/cancel',
    {
      schema: {
        summary: 'Cancel a setup (a pay-as-you-go instance is released unless kept)',
        params: SyncId,
        response: { 202: AcceptedReply, ...errors },
      },
    },
    async (req, reply) => {
      const handle = await liveHandle(req.params.id, reply);
      if (!handle) return reply;
      await handle.cancel();
      const status = await statusOf(handle).catch(() => undefined);
      return reply.code(202).send({ id: req.params.id, phase: status?.phase ?? 'cancelling' });
    },
  );
  operate('POST', '/v1/syncs/:id/retry', 'Run the precheck again after fixing its cause', 'retry', (s) =>
    s.phase === 'needs-attention' ? undefined : `retry applies to a setup in needs-attention, not ${s.phase}`,
  );
  operate('POST', '/v1/syncs/:id/abort', 'Give up a setup (the instance is released unless kept)', 'abort');
  operate(
    'DELETE',
    '/v1/syncs/:id',
    'Tear a sync down and release its DTS instance (an adopted job only with ?release=true)',
    'release',
  );
};

const GRPC_INVALID_ARGUMENT = 3;
const GRPC_DEADLINE_EXCEEDED = 4;
const GRPC_NOT_FOUND = 5;
const QUERY_DEADLINE_MS = 5_000;
const UPDATE_DEADLINE_MS = 10_000;
/** The SDK's rejection of an update the running code has no handler for. */
const NO_HANDLER = /No registered handler for update/;

function grpcCode(err: unknown): number | undefined {
  const cause = (err as { cause?: { code?: number }; code?: number }) ?? {};
  return cause.code ?? cause.cause?.code;
}

function noWorker(reply: FastifyReply, id: string) {
  return reply.code(503).send({
    statusCode: 503,
    error: 'Service Unavailable',
    message: `no worker answered for sync ${id}; try again later`,
  });
}

function isJsonObject(bytes: Buffer): boolean {
  try {
    const value: unknown = JSON.parse(bytes.toString('utf8'));
    return typeof value === 'object' && value !== null;
  } catch {
    return false;
  }
}

const STATUS_NAMES = [
  'UNSPECIFIED',
  'RUNNING',
  'COMPLETED',
  'FAILED',
  'CANCELLED',
  'TERMINATED',
  'CONTINUED_AS_NEW',
  'TIMED_OUT',
];
function workflowStatusName(status: number | null | undefined): string {
  return STATUS_NAMES[status ?? 0] ?? 'UNSPECIFIED';
}

/** A keyword search attribute of a listed execution: plain JSON payloads (no codec), a one-item list on old servers. */
function keyword(fields: Record<string, Payload> | null | undefined, name: string): string | undefined {
  const payload = fields?.[name];
  const value: unknown = payload ? defaultPayloadConverter.fromPayload(payload) : undefined;
  const first: unknown = Array.isArray(value) ? value[0] : value;
  return typeof first === 'string' ? first : undefined;
}
