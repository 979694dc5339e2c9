import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type WorkflowHandle } from '@temporalio/client';
import { decodeTypedSearchAttributes } from '@temporalio/common/lib/converter/payload-search-attributes';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { syncWorkflowId } from '../../workflows/ids';
import { abortSignal, releaseSignal, retrySignal, statusQuery } from '../../workflows/messages';
import { redisSync } from '../../workflows/redis-sync';
import {
  DestinationInstanceIdKey,
  DtsJobIdKey,
  SourceInstanceIdKey,
  SyncPhaseKey,
  SyncTopologyKey,
} from '../../workflows/search-attributes';
import type { SyncStatus } from '../../workflows/types';
import { AcceptedReply, CreateSyncBody, ErrorReply, ListQuery, ListReply, SyncId, SyncStatusReply } from '../schemas';
import { toSyncRequest } from '../sync-request';
import { PreflightRefusal } from '../preflight-schemas';
import { checkBeforeStart } from './preflight';
import type { PreflightItem } from '../../workflows/preflight-checks';
import type { TemporalDeps } from '../temporal';

const errors = { 400: ErrorReply, 401: ErrorReply, 404: ErrorReply, 409: ErrorReply, 503: ErrorReply };

export const syncRoutes: FastifyPluginAsyncTypebox<{ temporal: TemporalDeps }> = async (app, { temporal }) => {
  const { client, taskQueue } = temporal;
  const handleOf = (id: string) => client.workflow.getHandle<typeof redisSync>(id);
  // A query needs a worker; with none polling it would hang for the whole gRPC timeout (found by fuzzing).
  const statusOf = (handle: WorkflowHandle<typeof redisSync>) => client.withDeadline(Date.now() + QUERY_DEADLINE_MS, () => handle.query(statusQuery));

  app.post('/v1/syncs', { schema: { summary: 'Start a sync setup', body: CreateSyncBody, response: { 200: AcceptedReply, 202: AcceptedReply, 422: PreflightRefusal, ...errors } } }, async (req, reply) => {
    const { request, problems } = toSyncRequest(req.body);
    if (!request) return reply.code(400).send({ statusCode: 400, error: 'Bad Request', message: problems.map((p) => `${p.field}: ${p.message}`).join('; '), fields: problems });
    const id = syncWorkflowId(request);
    // Check before paying (api/routes/preflight.ts): any fail → 422, nothing started or bought.
    const checked = await checkBeforeStart(temporal, request, req.body.acceptRisks ?? []);
    if (checked.refusal) return reply.code(checked.refusal.statusCode).send(checked.refusal);
    const { preflightWarnings } = checked;
    try {
      await client.workflow.start(redisSync, {
        memo: { preflightWarnings },
        workflowId: id,
        taskQueue,
        args: [{ request }],
        // One live setup per pair; a finished (released, failed) one may be set up again.
        workflowIdReusePolicy: 'ALLOW_DUPLICATE',
        workflowIdConflictPolicy: 'FAIL',
        staticSummary: `${request.source.instanceId ?? request.source.ip} ${request.topology === 'bidirectional' ? '↔' : '→'} ${request.destination.instanceId ?? request.destination.ip} · ${request.name}`,
        staticDetails: `Redis ${request.topology} DTS sync in ${request.region}, ${request.jobClass}, ${request.payType}, databases ${request.databases.map((d) => `${d.from}→${d.to}`).join(', ')}`,
        typedSearchAttributes: [
          { key: SyncPhaseKey, value: 'purchasing' },
          { key: SyncTopologyKey, value: request.topology },
          { key: SourceInstanceIdKey, value: request.source.instanceId ?? `${request.source.ip}:${request.source.port}` },
          { key: DestinationInstanceIdKey, value: request.destination.instanceId ?? `${request.destination.ip}:${request.destination.port}` },
        ],
      });
      req.log.info({ syncId: id, topology: request.topology }, 'sync started');
      return reply.code(202).send({ id, phase: 'purchasing', preflightWarnings });
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      const status = await statusOf(handleOf(id)).catch(() => undefined);
      return reply.code(200).send({ id, phase: status?.phase ?? 'purchasing', existing: true });
    }
  });

  app.get('/v1/syncs/:id', { schema: { summary: 'Where a setup stands', params: SyncId, response: { 200: SyncStatusReply, ...errors } } }, async (req, reply) => {
    const handle = handleOf(req.params.id);
    let description;
    try {
      description = await handle.describe();
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return reply.code(404).send({ statusCode: 404, error: 'Not Found', message: `no sync ${req.params.id}` });
      throw err;
    }
    const workflowStatus = description.status.name;
    // The preflight's warnings live in the memo (set at start), next to the workflow's own status.
    const preflightWarnings = description.memo?.preflightWarnings as PreflightItem[] | undefined;
    try {
      const status: SyncStatus = await statusOf(handle);
      return { ...status, workflowStatus, ...(preflightWarnings ? { preflightWarnings } : {}) };
    } catch {
      // No worker to answer the query: fall back to what the search attributes say.
      const attrs = description.typedSearchAttributes;
      return {
        id: req.params.id,
        name: '',
        topology: attrs.get(SyncTopologyKey) ?? 'unknown',
        phase: attrs.get(SyncPhaseKey) ?? 'unknown',
        dtsJobId: attrs.get(DtsJobIdKey),
        workflowStatus,
      };
    }
  });

  app.get('/v1/syncs', { schema: { summary: 'Setups, newest first', querystring: ListQuery, response: { 200: ListReply, ...errors } } }, async (req, reply) => {
    const phase = req.query.phase ? ` AND SyncPhase = '${req.query.phase}'` : '';
    const pageToken = req.query.pageToken ? Buffer.from(req.query.pageToken, 'base64url') : undefined;
    // Visibility page tokens are JSON; anything else makes the server fail with UNKNOWN, which
    // the client retries for many seconds before the caller would see a 500 (found by fuzzing).
    const badToken = () => reply.code(400).send({ statusCode: 400, error: 'Bad Request', message: '/querystring/pageToken: not a page token this API handed out', fields: [{ field: '/querystring/pageToken', rule: 'page-token', message: 'not a page token this API handed out' }] });
    if (pageToken && !isJsonObject(pageToken)) return badToken();
    let page;
    try {
      page = await client.workflowService.listWorkflowExecutions({
        namespace: temporal.namespace,
        pageSize: Number(req.query.pageSize ?? 20),
        nextPageToken: pageToken,
        // Visibility lists newest first by default (SQLite visibility refuses ORDER BY).
        // This deployment's setups only: its task queue scopes them within a shared namespace.
        query: `WorkflowType = 'redisSync' AND TaskQueue = '${taskQueue}'${phase}`,
      });
    } catch (err) {
      if (pageToken && (err as { code?: number }).code === GRPC_INVALID_ARGUMENT) return badToken();
      throw err;
    }
    const items = (page.executions ?? []).map((execution) => {
      const attrs = decodeTypedSearchAttributes(execution.searchAttributes?.indexedFields);
      const seconds = execution.startTime?.seconds;
      return {
        id: execution.execution?.workflowId ?? '',
        phase: attrs.get(SyncPhaseKey),
        topology: attrs.get(SyncTopologyKey),
        dtsJobId: attrs.get(DtsJobIdKey),
        sourceInstanceId: attrs.get(SourceInstanceIdKey),
        destinationInstanceId: attrs.get(DestinationInstanceIdKey),
        workflowStatus: workflowStatusName(execution.status),
        ...(seconds ? { startedAt: new Date(Number(seconds) * 1000).toISOString() } : {}),
      };
    });
    const token = page.nextPageToken && page.nextPageToken.length > 0 ? Buffer.from(page.nextPageToken).toString('base64url') : undefined;
    return { items, ...(token ? { nextPageToken: token } : {}) };
  });

  const act = (path: string, summary: string, action: (handle: WorkflowHandle<typeof redisSync>, status: SyncStatus) => Promise<void>, allowed?: (s: SyncStatus) => string | undefined) =>
    app.route({
      method: path === '' ? 'DELETE' : 'POST',
      url: `/v1/syncs/:id${path}`,
      schema: { summary, params: SyncId, response: { 202: AcceptedReply, ...errors } },
      handler: async (req, reply) => {
        const handle = handleOf(req.params.id);
        let status: SyncStatus;
        try {
          const description = await handle.describe();
          if (description.status.name !== 'RUNNING') return reply.code(409).send({ statusCode: 409, error: 'Conflict', message: `sync ${req.params.id} has already ended (${description.status.name})` });
        } catch (err) {
          if (err instanceof WorkflowNotFoundError) return reply.code(404).send({ statusCode: 404, error: 'Not Found', message: `no sync ${req.params.id}` });
          throw err;
        }
        try {
          status = await statusOf(handle);
        } catch {
          return reply.code(503).send({ statusCode: 503, error: 'Service Unavailable', message: `no worker answered for sync ${req.params.id}; try again later` });
        }
        const refusal = allowed?.(status);
        if (refusal) return reply.code(409).send({ statusCode: 409, error: 'Conflict', message: refusal });
        try {
          await action(handle, status);
        } catch (err) {
          // It ended between describe and the signal (found by fuzzing: a 500 before).
          if (err instanceof WorkflowNotFoundError) return reply.code(409).send({ statusCode: 409, error: 'Conflict', message: `sync ${req.params.id} has already ended` });
          throw err;
        }
        return reply.code(202).send({ id: req.params.id, phase: status.phase });
      },
    });

  act('/cancel', 'Cancel a setup (a pay-as-you-go instance is released unless kept)', (h) => h.cancel().then(() => undefined));
  act('/retry', 'Run the precheck again after fixing its cause', (h) => h.signal(retrySignal), (s) =>
    s.phase === 'needs-attention' ? undefined : `retry applies to a setup in needs-attention, not ${s.phase}`,
  );
  act('/abort', 'Give up a setup (the instance is released unless kept)', (h) => h.signal(abortSignal));
  act('', 'Tear a sync down and release its DTS instance', (h) => h.signal(releaseSignal));
};

const GRPC_INVALID_ARGUMENT = 3;
const QUERY_DEADLINE_MS = 5_000;

function isJsonObject(bytes: Buffer): boolean {
  try {
    const value: unknown = JSON.parse(bytes.toString('utf8'));
    return typeof value === 'object' && value !== null;
  } catch {
    return false;
  }
}

const STATUS_NAMES = ['UNSPECIFIED', 'RUNNING', 'COMPLETED', 'FAILED', 'CANCELLED', 'TERMINATED', 'CONTINUED_AS_NEW', 'TIMED_OUT'];
function workflowStatusName(status: number | null | undefined): string {
  return STATUS_NAMES[status ?? 0] ?? 'UNSPECIFIED';
}
