import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Role } from '../auth';
import type { DtsJobLookup } from '../dts-jobs';
import { setupEvents } from '../events';
import { planSetup, startSetup, type NewSetupDeps } from '../new-setup';
import {
  AcceptedReply,
  CreateSetupBody,
  errorReplies,
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
import { cachedListSetups } from '../setup-list';
import { Setups, type OperatorAction } from '../setups';
import type { TemporalDeps } from '../temporal';
import { viewCacheOf } from '../view-cache';

const errors = errorReplies(400, 401, 403, 404, 409, 503);

/** Operator actions on a live setup: each answers with the status the workflow accepted it in. */
const OPERATOR_ACTIONS: {
  method: 'POST' | 'DELETE';
  url: string;
  action: OperatorAction;
  role: Role;
  summary: string;
}[] = [
  {
    method: 'POST',
    url: '/v1/syncs/:id/retry',
    action: 'retry',
    role: 'operator',
    summary: 'Run the precheck again after fixing its cause',
  },
  {
    method: 'POST',
    url: '/v1/syncs/:id/abort',
    action: 'abort',
    role: 'operator',
    summary: 'Give up a setup (the instance is released unless kept)',
  },
  {
    method: 'DELETE',
    url: '/v1/syncs/:id',
    action: 'release',
    role: 'admin',
    summary: 'Tear a sync down and release its DTS instance (an adopted job only with ?release=true)',
  },
];

export const setupRoutes: FastifyPluginAsyncTypebox<{ temporal: TemporalDeps; dtsJobs?: DtsJobLookup }> = async (
  app,
  { temporal, dtsJobs },
) => {
  const setups = new Setups(temporal.client, viewCacheOf(temporal));
  newSetupRoutes(app, { temporal, setups, dtsJobs });
  readRoutes(app, temporal, setups);
  actionRoutes(app, setups);
};

type App = Parameters<FastifyPluginAsyncTypebox>[0];

/** POST /v1/syncs and its plan. */
function newSetupRoutes(app: App, deps: NewSetupDeps) {
  app.post(
    '/v1/syncs',
    {
      schema: {
        summary: 'Start a sync setup',
        body: CreateSetupBody,
        response: { 200: AcceptedReply, 202: AcceptedReply, ...errorReplies(413), 422: UnprocessableReply, ...errors },
      },
    },
    async (req, reply) => {
      const answer = await startSetup(deps, req.body, { name: req.caller?.name, log: req.log });
      deps.setups.changed(answer.id);
      return 'existing' in answer ? answer : reply.code(202).send(answer);
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
        response: { 200: PlanReply, ...errorReplies(413), ...errors },
      },
    },
    async (req) => planSetup(deps, req.body),
  );
}

/** One setup, its events, the list. */
function readRoutes(app: App, temporal: TemporalDeps, setups: Setups) {
  app.get(
    '/v1/syncs/:id',
    { schema: { summary: 'Where a setup stands', params: SetupId, response: { 200: SetupStatusReply, ...errors } } },
    async (req) => setups.view(req.params.id),
  );

  app.get(
    '/v1/syncs',
    { schema: { summary: 'Setups, newest first', querystring: ListQuery, response: { 200: ListReply, ...errors } } },
    async (req) => cachedListSetups(temporal, req.query),
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
      return { id: req.params.id, events: await setupEvents(temporal.client, req.params.id) };
    },
  );
}

/** Cancel, the operator actions and a verification of a live setup. */
function actionRoutes(app: App, setups: Setups) {
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

  for (const { method, url, action, role, summary } of OPERATOR_ACTIONS) {
    const querystring = action === 'release' ? { querystring: ReleaseQuery } : {};
    app.route({
      method,
      url,
      config: { role },
      schema: { summary, params: SetupId, ...querystring, response: { 200: SetupStatusReply, ...errors } },
      handler: async (req) => {
        // DELETE ?release=true: an adopted job is deleted too; without it the setup leaves the job in place.
        const releaseInstance = (req.query as { release?: string } | undefined)?.release === 'true';
        const status = await setups.act(req.params.id, action, { releaseInstance, by: req.caller?.name });
        return { ...status, workflowStatus: 'RUNNING' as const };
      },
    });
  }

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
}
