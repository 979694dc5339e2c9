import { httpErrors } from '@fastify/sensible';
import type { FastifyPluginAsyncTypebox, Static } from '@fastify/type-provider-typebox';
import { durationMs } from '../../core/tuning';
import { familyRefusal, sameDatabases, type ChangeRequest, type EndpointSide } from '../../core/changes';
import { SyncTagsKey } from '../../core/search-attributes';
import { refusal } from '../errors';
import { ErrorReply, PatchSyncBody, PauseBody, RenewBody, SetupStatusReply, SetupId } from '../schemas';
import { renewTermProblem } from '../../core/renewal';
import { badFields } from '../errors';
import { Setups } from '../setups';
import { REQUEST_MEMO, type PublicRequest } from '../setup-start';
import type { FieldProblem } from '../setup-request';
import type { TemporalDeps } from '../temporal';
import { viewCacheOf } from '../view-cache';
import type { SetupStatus } from '../../core/types';

// Day-two operations on a running setup: each becomes the workflow's `change` Update (core/changes.ts),
// whose validator refuses (409, with the reason) what the setup's phase or the request does not allow.

const errors = { 400: ErrorReply, 401: ErrorReply, 403: ErrorReply, 404: ErrorReply, 409: ErrorReply, 503: ErrorReply };
const accepted = (summary: string, description: string) => ({
  summary,
  description,
  params: SetupId,
  response: { 202: SetupStatusReply, ...errors },
});

/** The fields a PATCH may change; every other field is fixed for the life of the setup. */
const CHANGEABLE = ['databases', 'jobClass', 'tags'] as const;

const PATCH_SCHEMA = {
  ...accepted(
    'Change a running setup: its databases, instance class (up), tags, or the Redis password of one end',
    'Answers at once with the status, the change in `changes` as `applying`; it ends `applied` or `failed` ' +
      '(with what was applied). One change at a time: a second one is refused (409) while the first applies. ' +
      'A new password (`source.password` or `destination.password`) is given to DTS with ModifyDtsJobPassword ' +
      'and never shown again; it is refused (409, rule no-operation-in-family) for setups of the legacy ' +
      'synchronization family, whose API has no such operation.',
  ),
  body: PatchSyncBody,
};
const PAUSE_SCHEMA = {
  ...accepted(
    'Pause a synchronizing setup (both directions); it resumes by itself at the end',
    'DTS cannot start a direction suspended for more than 6 hours, so a pause lasts at most 5h45m and resumes ' +
      'by itself then (or earlier with POST /resume). A pause from the DTS console is not this: the setup ' +
      'shows it as needs-attention (suspended-outside) and leaves it alone.',
  ),
  body: PauseBody,
};
const RESUME_SCHEMA = accepted(
  'Resume a setup paused with POST /pause, before its resume time',
  'Starts both directions again and waits for Synchronizing (shown as `changing` meanwhile).',
);
const RENEW_SCHEMA = {
  ...accepted(
    'Renew the PrePaid DTS instance of a synchronizing setup (RenewInstance, both API families)',
    'One order: RenewInstance takes no ClientToken, so when its answer is lost the setup reads ExpireTime ' +
      'and never orders twice. `expiresAt` shows the new end once DTS reports it. A PostPaid setup is ' +
      'refused (409): it has no subscription. Nothing renews by itself unless its POST /v1/syncs asked renew.auto.',
  ),
  body: RenewBody,
};

/** The routes that each ask one change of the running setup, from their (schema-checked) body. */
const CHANGE_ROUTES: {
  method: 'PATCH' | 'POST';
  url: string;
  schema: object;
  change: (setups: Setups, id: string, body: unknown, by: string | undefined) => Promise<SetupStatus>;
}[] = [
  {
    method: 'PATCH',
    url: '/v1/syncs/:id',
    schema: PATCH_SCHEMA,
    change: (setups, id, body, by) => changeByPatch(setups, id, body as PatchSyncBody, by),
  },
  {
    method: 'POST',
    url: '/v1/syncs/:id/pause',
    schema: PAUSE_SCHEMA,
    change: (setups, id, body, by) => {
      const length = (body as Static<typeof PauseBody> | undefined)?.for;
      const forMs = length ? durationMs(length as `${number}m`) : undefined;
      return setups.change(id, { kind: 'pause', ...(forMs !== undefined ? { forMs } : {}), by });
    },
  },
  {
    method: 'POST',
    url: '/v1/syncs/:id/resume',
    schema: RESUME_SCHEMA,
    change: (setups, id, _body, by) => setups.change(id, { kind: 'resume', by }),
  },
  {
    method: 'POST',
    url: '/v1/syncs/:id/renew',
    schema: RENEW_SCHEMA,
    change: (setups, id, body, by) => {
      const asked = body as RenewBody | undefined;
      const term = { period: asked?.period ?? 'Month', usedTime: asked?.usedTime ?? 1 };
      const problem = renewTermProblem(term);
      if (problem) throw badFields([{ ...problem, rule: 'renew-term' }]);
      return setups.change(id, { kind: 'renew', ...term, by });
    },
  },
];

export const changeRoutes: FastifyPluginAsyncTypebox<{ temporal: TemporalDeps }> = async (app, { temporal }) => {
  const setups = new Setups(temporal.client, viewCacheOf(temporal));
  for (const { method, url, schema, change } of CHANGE_ROUTES) {
    app.route({
      method,
      url,
      config: { role: 'operator' },
      schema,
      handler: async (req, reply) => {
        const status = await change(setups, (req.params as { id: string }).id, req.body, req.caller?.name);
        return reply.code(202).send({ ...status, workflowStatus: 'RUNNING' as const });
      },
    });
  }
};

/** A PATCH as the one change it asks of the running setup; 404, or 409 naming the fields it cannot apply. */
async function changeByPatch(setups: Setups, id: string, patch: PatchSyncBody, by: string | undefined) {
  const description = await setups.describe(id);
  if (!description) throw httpErrors.notFound(`no sync ${id}`);
  const running = description.memo?.[REQUEST_MEMO] as PublicRequest | undefined;
  if (!running) throw httpErrors.conflict(`sync ${id} was started before its request was kept; it cannot be changed`);
  const runningTags = [...(description.typedSearchAttributes.get(SyncTagsKey) ?? [])];
  const fixed = fixedFieldProblems(running, patch);
  if (fixed.length > 0)
    throw refusal(409, `these fields cannot change on a running setup: ${fixed.map((f) => f.field).join(', ')}`, {
      fields: fixed,
    });
  const wanted = wantedChanges(running, runningTags, patch);
  if (wanted.length === 0) throw httpErrors.conflict(`nothing to change: sync ${id} already runs with these values`);
  if (wanted.length > 1) {
    const fields = wanted.map((w) => ({
      field: `/${w.kind}`,
      rule: 'one-change-at-a-time',
      message: 'send each change in its own PATCH',
    }));
    throw refusal(409, `one change per request: ${fields.map((f) => f.field).join(', ')}`, { fields });
  }
  return setups.change(id, { ...wanted[0]!, by }).catch((err: unknown) => {
    throw familyProblem(wanted[0]!, err);
  });
}

type Wanted = Exclude<ChangeRequest, { kind: 'pause' } | { kind: 'resume' } | { kind: 'renew' }>;
/** A change without its caller (each member of the union keeps its own fields). */
type Unsigned = Wanted extends infer W ? (W extends unknown ? Omit<W, 'by'> : never) : never;

/** The changeable fields the body gives that differ from the running setup. */
function wantedChanges(running: PublicRequest, runningTags: string[], body: PatchSyncBody): Unsigned[] {
  const wanted: Unsigned[] = [];
  if (body.databases && !sameDatabases(body.databases, running.databases))
    wanted.push({ kind: 'databases', databases: body.databases });
  if (body.jobClass && body.jobClass !== running.jobClass) wanted.push({ kind: 'jobClass', jobClass: body.jobClass });
  const tags = body.tags;
  if (tags && [...tags].sort().join('\n') !== [...runningTags].sort().join('\n'))
    wanted.push({ kind: 'tags', tags: [...tags] });
  for (const endpoint of ['source', 'destination'] as const) {
    const password = body[endpoint]?.password;
    if (password !== undefined) wanted.push({ kind: 'password', endpoint, password });
  }
  return wanted;
}

/** The workflow's refusal of a re-key for the legacy family, as a 409 naming the password's field. */
function familyProblem(wanted: Unsigned, err: unknown): unknown {
  const message = err instanceof Error ? err.message : '';
  if (wanted.kind !== 'password' || message !== familyRefusal('password', 'synchronizationjob')) return err;
  const field: `/${EndpointSide}/password` = `/${wanted.endpoint}/password`;
  return refusal(409, message, { fields: [{ field, rule: 'no-operation-in-family', message }] });
}

/** Fields the body gives that cannot change: each one that differs from the running setup, and any password. */
function fixedFieldProblems(running: PublicRequest, body: Record<string, unknown>): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const record = running as unknown as Record<string, unknown>;
  for (const [key, value] of Object.entries(body)) {
    if ((CHANGEABLE as readonly string[]).includes(key) || key === 'acceptRisks') continue;
    if ((key === 'source' || key === 'destination') && typeof value === 'object' && value !== null) {
      for (const [field, given] of Object.entries(value)) {
        const at = `/${key}/${field}`;
        // A new password is a change of its own (wantedChanges).
        if (field === 'password') continue;
        if (JSON.stringify(given) !== JSON.stringify((record[key] as Record<string, unknown>)?.[field]))
          problems.push(fixedProblem(at, (record[key] as Record<string, unknown>)?.[field], given));
      }
      continue;
    }
    if (JSON.stringify(value) !== JSON.stringify(record[key]))
      problems.push(fixedProblem(`/${key}`, record[key], value));
  }
  return problems;
}

function fixedProblem(field: string, was: unknown, now: unknown): FieldProblem {
  const show = (v: unknown) => (v === undefined ? 'none' : JSON.stringify(v));
  return {
    field,
    rule: 'fixed-after-start',
    message: `cannot change on a running setup (it has ${show(was)}, this request ${show(now)})`,
  };
}
