import {
  type Client,
  WorkflowExecutionAlreadyStartedError,
  type WorkflowExecutionDescription,
  type WorkflowExecutionStatusName,
} from '@temporalio/client';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import type { FastifyPluginAsyncTypebox, Static } from '@fastify/type-provider-typebox';
import { setupWorkflowId } from '../../core/ids';
import type { PreflightItem } from '../../core/preflight-checks';
import type { ReleaseOutcome } from '../../core/types';
import { redisSync } from '../../workflows/redis-sync';
import {
  DestinationInstanceIdKey,
  DtsJobIdKey,
  SourceInstanceIdKey,
  SyncNameKey,
  SyncPhaseKey,
  SyncRegionKey,
  SyncTagsKey,
  SyncTopologyKey,
} from '../../core/search-attributes';
import { setupsQuery } from '../../core/visibility';
import { ENDED_PHASES, SETUP_PHASES, TOPOLOGIES } from '../../core/vocabulary';
import type { DtsJobLookup } from '../dts-jobs';
import { badFields, refusal } from '../errors';
import { wordOr } from '../literals';
import { requestDifferences } from '../request-diff';
import { checkAdoption, withoutJobDefaults } from '../adopt';
import {
  AcceptedReply,
  CreateSetupBody,
  ErrorReply,
  EventsReply,
  ListQuery,
  ListReply,
  PlanReply,
  ReleaseQuery,
  SetupStatusReply,
  SetupId,
  UnprocessableReply,
  VerificationAccepted,
  VerifyBody,
} from '../schemas';
import { closedSetupView, fromVisibility, memoizedStatus, runningStatus, StatusCache } from '../setup-view';
import { setupEvents } from '../events';
import { canaryOf } from '../canary-view';
import { Setups } from '../setups';
import { toSetupRequest } from '../setup-request';
import { publicRequest, REQUEST_MEMO, setupStartOptions, type PublicRequest } from '../setup-start';
import type { TemporalDeps } from '../temporal';
import { checkBeforeStart } from './preflight';

const errors = { 400: ErrorReply, 401: ErrorReply, 403: ErrorReply, 404: ErrorReply, 409: ErrorReply, 503: ErrorReply };
/** What an operator action answers: the status the workflow accepted it in. */
const operatorSchema = (summary: string) => ({
  summary,
  params: SetupId,
  response: { 200: SetupStatusReply, ...errors },
});

/** Previous endings that leave a DTS job alive (suspended, or adopted and left running), not to be written beside. */
const KEPT_OUTCOMES: ReadonlySet<string> = new Set([
  'kept',
  'prepaid-not-released',
  'left-in-place',
] satisfies ReleaseOutcome[]);
/** Phases only an ended setup reports; any other is asked of running setups (a closed run is not `synchronizing`). */
const ENDED: ReadonlySet<string> = new Set(ENDED_PHASES);

export const setupRoutes: FastifyPluginAsyncTypebox<{ temporal: TemporalDeps; dtsJobs?: DtsJobLookup }> = async (
  app,
  { temporal, dtsJobs },
) => {
  const { client, taskQueue } = temporal;
  const setups = new Setups(client);
  const statusCache = new StatusCache();

  /** Where a request differs from the live setup of its pair. */
  function differencesFrom(description: WorkflowExecutionDescription, incoming: PublicRequest, body: CreateSetupBody) {
    const running = description.memo?.[REQUEST_MEMO] as PublicRequest | undefined;
    // Setups started before the memo existed cannot be compared: answered as the same, as before.
    return running ? withoutJobDefaults(requestDifferences(running, incoming), body) : [];
  }

  /** A live setup of the pair: the same request is answered with it, a different one is refused field by field. */
  async function existing(description: WorkflowExecutionDescription, incoming: PublicRequest, body: CreateSetupBody) {
    const id = description.workflowId;
    const differences = differencesFrom(description, incoming, body);
    if (differences.length > 0) {
      const list = differences.map((d) => d.field).join(', ');
      throw refusal(
        409,
        `sync ${id} is already running for this pair with a different request (${list}); tear it down first or repeat its request`,
        { fields: differences },
      );
    }
    // What the run wrote with its last change; a run from before the status memo has its phase attribute.
    const phase = memoizedStatus(description)?.phase ?? fromVisibility(description).phase;
    return { id, phase, existing: true };
  }

  /** A pair whose last setup ended keeping its DTS job (suspended, still paid) is not set up again beside it. */
  async function refuseBesideKeptJob(description: WorkflowExecutionDescription, adopting?: string): Promise<void> {
    const ended = await closedSetupView(client, description).catch(() => undefined);
    const dtsJobId = ended?.dtsJobId;
    const outcome = ended?.released?.outcome;
    if (!dtsJobId || !outcome || !KEPT_OUTCOMES.has(outcome)) return;
    // Adopting the kept job itself is how the pair is set up again around it.
    if (dtsJobId === adopting) return;
    // Released since (DTS console, expiry): nothing is left to collide with.
    if (dtsJobs && !(await dtsJobs.exists(dtsJobId, ended.source?.region ?? '', ended.dtsApi))) return;
    throw refusal(
      409,
      `the previous setup of this pair (${description.workflowId}) ended with DTS job ${dtsJobId} kept (${outcome}); release that job first, then set the pair up again`,
      { dtsJobId },
    );
  }

  app.post(
    '/v1/syncs',
    {
      schema: {
        summary: 'Start a sync setup',
        body: CreateSetupBody,
        response: { 200: AcceptedReply, 202: AcceptedReply, 413: ErrorReply, 422: UnprocessableReply, ...errors },
      },
    },
    async (req, reply) => {
      const parsed = toSetupRequest(req.body);
      if (!parsed.request) throw badFields(parsed.problems);
      let request = parsed.request;
      const incoming = publicRequest(request);
      const id = setupWorkflowId(request);
      const description = await setups.describe(id);
      if (description?.status.name === 'RUNNING') return existing(description, incoming, req.body);
      if (description) await refuseBesideKeptJob(description, request.adopt?.dtsJobId);
      // The configured family (DTS_API), or for an adopted job the family that knows it.
      let api = temporal.dtsApi;
      // An adoption: the job exists, no other setup holds it, it matches the request (api/adopt.ts).
      if (request.adopt) {
        const adoption = await checkAdoption(temporal, request, req.body, id);
        if ('refusal' in adoption) {
          const { statusCode, message, fields, dtsJobId } = adoption.refusal;
          throw refusal(statusCode, message, { ...(fields ? { fields } : {}), ...(dtsJobId ? { dtsJobId } : {}) });
        }
        request = adoption.request;
        api = adoption.api ?? api;
      }
      // Check before paying (api/routes/preflight.ts): any fail → 422, nothing started or bought.
      const { preflightWarnings } = await checkBeforeStart(temporal, request, req.body.acceptRisks ?? [], api);
      try {
        const options = setupStartOptions(request, taskQueue, undefined, req.body.tags, api);
        // Who started it, in the memo and the UI's summary: a name, never the token.
        const startedBy = req.caller?.name;
        await client.workflow.start(redisSync, {
          ...options,
          memo: { ...options.memo, preflightWarnings, ...(startedBy ? { startedBy } : {}) },
          ...(startedBy ? { staticSummary: `${options.staticSummary} · started by ${startedBy}` } : {}),
        });
      } catch (err) {
        if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
        // Started by a concurrent request since the check above.
        const description = await setups.describe(id);
        if (!description) throw err;
        return existing(description, incoming, req.body);
      }
      req.log.info({ syncId: id, topology: request.topology, adopt: request.adopt?.dtsJobId }, 'sync started');
      return reply.code(202).send({ id, phase: request.adopt ? 'adopting' : 'purchasing', preflightWarnings });
    },
  );

  app.post(
    '/v1/syncs/plan',
    {
      // A read: it starts, buys and checks nothing.
      config: { role: 'viewer' },
      schema: {
        summary: 'What POST /v1/syncs would do with this body (nothing is started, bought or checked)',
        body: CreateSetupBody,
        response: { 200: PlanReply, 413: ErrorReply, ...errors },
      },
    },
    async (req) => {
      const parsed = toSetupRequest(req.body);
      if (!parsed.request) throw badFields(parsed.problems);
      const request = parsed.request;
      const id = setupWorkflowId(request);
      const description = await setups.describe(id);
      if (!description) return { id, action: 'create' as const };
      if (description.status.name === 'RUNNING') {
        const fields = [
          ...differencesFrom(description, publicRequest(request), req.body),
          ...tagDifference(description.typedSearchAttributes.get(SyncTagsKey), req.body.tags),
        ];
        const phase = fromVisibility(description).phase;
        return fields.length > 0
          ? { id, action: 'change' as const, phase, fields }
          : { id, action: 'unchanged' as const, phase };
      }
      try {
        await refuseBesideKeptJob(description, request.adopt?.dtsJobId);
      } catch (err) {
        const { message, dtsJobId } = err as { message: string; dtsJobId?: string };
        return { id, action: 'blocked' as const, message, ...(dtsJobId ? { dtsJobId } : {}) };
      }
      return { id, action: 'create' as const };
    },
  );

  app.get(
    '/v1/syncs/:id',
    { schema: { summary: 'Where a setup stands', params: SetupId, response: { 200: SetupStatusReply, ...errors } } },
    async (req) => {
      const description = await setups.describe(req.params.id);
      if (!description) throw app.httpErrors.notFound(`no sync ${req.params.id}`);
      const workflowStatus = description.status.name;
      // A closed setup is read from what its run left, not replayed through a worker on every call.
      if (workflowStatus !== 'RUNNING') return closedSetupView(client, description);
      // The preflight's warnings live in the memo (set at start), next to the workflow's own status.
      const preflightWarnings = description.memo?.preflightWarnings as PreflightItem[] | undefined;
      try {
        // From the memo; a run from before the status memo is asked (cached by history length).
        const status = await runningStatus(description, () =>
          statusCache.get(description, () => setups.status(setups.handle(req.params.id))),
        );
        const canary = await canaryOf(client, description);
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
    },
  );

  app.get(
    '/v1/syncs',
    { schema: { summary: 'Setups, newest first', querystring: ListQuery, response: { 200: ListReply, ...errors } } },
    async (req) => {
      const pageToken = req.query.pageToken ? Buffer.from(req.query.pageToken, 'base64url') : undefined;
      // Visibility page tokens are JSON; anything else makes the server fail with UNKNOWN, which
      // the client retries for many seconds before the caller would see a 500 (found by fuzzing).
      if (pageToken && !isJsonObject(pageToken)) throw badPageToken();
      const query = listQuery(taskQueue, req.query);
      let page;
      try {
        page = await listPage(query, Number(req.query.pageSize ?? 20), pageToken);
      } catch (err) {
        if (pageToken && (err as { code?: number }).code === GRPC_INVALID_ARGUMENT) throw badPageToken();
        throw err;
      }
      const items = (page.executions ?? []).map(listItem);
      const token =
        page.nextPageToken && page.nextPageToken.length > 0
          ? Buffer.from(page.nextPageToken).toString('base64url')
          : undefined;
      const summary = req.query.summary === 'true' ? await summarize(query) : undefined;
      return { items, ...(token ? { nextPageToken: token } : {}), ...(summary ? { summary } : {}) };
    },
  );

  function listPage(query: string, pageSize: number, nextPageToken?: Uint8Array) {
    // Visibility lists newest first by default (SQLite visibility refuses ORDER BY).
    return client.workflowService.listWorkflowExecutions({
      namespace: temporal.namespace,
      pageSize,
      nextPageToken,
      query,
    });
  }

  /**
   * Every matching setup counted per phase and per region. Visibility groups counts by execution status only, so
   * this reads the matches a thousand at a time: a few calls for a fleet of thousands, paid only when asked.
   */
  async function summarize(query: string) {
    const byPhase: Record<string, number> = {};
    const byRegion: Record<string, number> = {};
    let total = 0;
    let token: Uint8Array | undefined;
    do {
      const page = await listPage(query, SUMMARY_PAGE_SIZE, token);
      for (const execution of page.executions ?? []) {
        const item = listItem(execution);
        total += 1;
        const phase = item.phase ?? 'unknown';
        const region = item.region ?? 'unknown';
        byPhase[phase] = (byPhase[phase] ?? 0) + 1;
        byRegion[region] = (byRegion[region] ?? 0) + 1;
      }
      token = page.nextPageToken && page.nextPageToken.length > 0 ? page.nextPageToken : undefined;
    } while (token);
    return { total, byPhase, byRegion };
  }

  app.post(
    '/v1/syncs/:id/cancel',
    {
      schema: {
        summary: 'Cancel a setup (a pay-as-you-go instance is released unless kept)',
        params: SetupId,
        response: { 202: AcceptedReply, ...errors },
      },
    },
    async (req, reply) => {
      const handle = await setups.live(req.params.id);
      await setups.cancel(req.params.id, req.caller?.name);
      const status = await setups.status(handle).catch(() => undefined);
      return reply.code(202).send({ id: req.params.id, phase: status?.phase ?? 'cancelling' });
    },
  );

  app.get(
    '/v1/syncs/:id/events',
    {
      config: { role: 'viewer' },
      schema: {
        summary: "What happened to a setup: phases, DTS statuses, operator actions with who, errors with DTS's codes",
        params: SetupId,
        response: { 200: EventsReply, ...errors },
      },
    },
    async (req) => {
      if (!(await setups.describe(req.params.id))) throw app.httpErrors.notFound(`no sync ${req.params.id}`);
      return { id: req.params.id, events: await setupEvents(client, req.params.id) };
    },
  );

  app.post(
    '/v1/syncs/:id/retry',
    { config: { role: 'operator' }, schema: operatorSchema('Run the precheck again after fixing its cause') },
    async (req) => {
      const status = await setups.act(req.params.id, 'retry', { by: req.caller?.name });
      return { ...status, workflowStatus: 'RUNNING' as const };
    },
  );

  app.post(
    '/v1/syncs/:id/abort',
    { config: { role: 'operator' }, schema: operatorSchema('Give up a setup (the instance is released unless kept)') },
    async (req) => {
      const status = await setups.act(req.params.id, 'abort', { by: req.caller?.name });
      return { ...status, workflowStatus: 'RUNNING' as const };
    },
  );

  app.post(
    '/v1/syncs/:id/verify',
    {
      config: { role: 'operator' },
      schema: {
        summary: 'Compare the data at both ends now (reads only, at a capped rate); the result shows in `verification`',
        params: SetupId,
        body: VerifyBody,
        response: { 202: VerificationAccepted, ...errors },
      },
    },
    async (req, reply) => {
      const depth = req.body?.depth;
      const verification = await setups.verify(req.params.id, { ...(depth ? { depth } : {}), by: req.caller?.name });
      return reply.code(202).send({ id: verification.id, verification });
    },
  );

  app.delete(
    '/v1/syncs/:id',
    {
      schema: {
        ...operatorSchema('Tear a sync down and release its DTS instance (an adopted job only with ?release=true)'),
        querystring: ReleaseQuery,
      },
    },
    async (req) => {
      // ?release=true: an adopted job is deleted too; without it the setup leaves the job in place.
      const releaseInstance = req.query.release === 'true';
      const status = await setups.act(req.params.id, 'release', { releaseInstance, by: req.caller?.name });
      return { ...status, workflowStatus: 'RUNNING' as const };
    },
  );
};

const GRPC_INVALID_ARGUMENT = 3;
const SUMMARY_PAGE_SIZE = 1000;

/** This deployment's setups the list's filters select; the schema's patterns keep quotes out of the values. */
function listQuery(taskQueue: string, filters: Static<typeof ListQuery>): string {
  const wanted = filters.phase;
  // A run that continued as new is not a setup of its own; a phase of a live setup is asked of live ones only.
  const phase = wanted
    ? ` AND SyncPhase = '${wanted}'${ENDED.has(wanted) ? '' : ` AND ExecutionStatus = 'Running'`}`
    : '';
  const name = filters.namePrefix ? ` AND SyncName STARTS_WITH '${filters.namePrefix}'` : '';
  // `=` on a keyword list matches a setup holding that tag among others.
  const tag = filters.tag ? ` AND SyncTags = '${filters.tag}'` : '';
  // This deployment's setups only: its task queue scopes them within a shared namespace.
  return `${setupsQuery(taskQueue)} AND ExecutionStatus != 'ContinuedAsNew'${phase}${name}${tag}`;
}

type ListedExecution = NonNullable<
  Awaited<ReturnType<Client['workflowService']['listWorkflowExecutions']>>['executions']
>[number];

function listItem(execution: ListedExecution) {
  const fields = execution.searchAttributes?.indexedFields;
  const seconds = execution.startTime?.seconds;
  const tags = keywords(fields, SyncTagsKey.name);
  return {
    id: execution.execution?.workflowId ?? '',
    name: keyword(fields, SyncNameKey.name),
    region: keyword(fields, SyncRegionKey.name),
    ...(tags.length > 0 ? { tags } : {}),
    phase: known(SETUP_PHASES, keyword(fields, SyncPhaseKey.name)),
    topology: known(TOPOLOGIES, keyword(fields, SyncTopologyKey.name)),
    dtsJobId: keyword(fields, DtsJobIdKey.name),
    sourceInstanceId: keyword(fields, SourceInstanceIdKey.name),
    destinationInstanceId: keyword(fields, DestinationInstanceIdKey.name),
    workflowStatus: workflowStatusName(execution.status),
    ...(seconds ? { startedAt: new Date(Number(seconds) * 1000).toISOString() } : {}),
  };
}

/** Tags are labels set at start: a different set is a change of the live setup, reported field by field. */
function tagDifference(running: readonly string[] | undefined, wanted: readonly string[] | undefined) {
  const [was, now] = [[...(running ?? [])].sort(), [...(wanted ?? [])].sort()];
  if (JSON.stringify(was) === JSON.stringify(now)) return [];
  const show = (tags: string[]) => (tags.length > 0 ? JSON.stringify(tags) : 'none');
  return [
    {
      field: '/tags',
      rule: 'differs-from-running-setup',
      message: `the running setup has ${show(was)}, this request ${show(now)}`,
    },
  ];
}

/** A page token this API did not hand out: named like a schema violation of the query string. */
function badPageToken() {
  const message = 'not a page token this API handed out';
  return badFields([{ field: '/querystring/pageToken', rule: 'page-token', message }]);
}

function isJsonObject(bytes: Buffer): boolean {
  try {
    const value: unknown = JSON.parse(bytes.toString('utf8'));
    return typeof value === 'object' && value !== null;
  } catch {
    return false;
  }
}

/** Temporal's execution statuses by their number in the protocol, named as `describe()` names them. */
const EXECUTION_STATUS_NAMES: readonly WorkflowExecutionStatusName[] = [
  'UNSPECIFIED',
  'RUNNING',
  'COMPLETED',
  'FAILED',
  'CANCELLED',
  'TERMINATED',
  'CONTINUED_AS_NEW',
  'TIMED_OUT',
];
function workflowStatusName(status: number | null | undefined): WorkflowExecutionStatusName {
  return EXECUTION_STATUS_NAMES[status ?? 0] ?? 'UNSPECIFIED';
}

/** A keyword list search attribute of a listed execution. */
function keywords(fields: Record<string, Payload> | null | undefined, name: string): string[] {
  const payload = fields?.[name];
  const value: unknown = payload ? defaultPayloadConverter.fromPayload(payload) : undefined;
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/** A keyword search attribute of a listed execution: plain JSON payloads (no codec), a one-item list on old servers. */
function keyword(fields: Record<string, Payload> | null | undefined, name: string): string | undefined {
  const payload = fields?.[name];
  const value: unknown = payload ? defaultPayloadConverter.fromPayload(payload) : undefined;
  const first: unknown = Array.isArray(value) ? value[0] : value;
  return typeof first === 'string' ? first : undefined;
}

/** A search attribute's word, `unknown` when it is not one this code knows, absent when the run has none. */
function known<const T extends readonly string[]>(words: T, value: string | undefined) {
  return value === undefined ? undefined : wordOr(words, value);
}
