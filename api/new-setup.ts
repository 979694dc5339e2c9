// POST /v1/syncs and POST /v1/syncs/plan: what a request for a setup of a pair gets. One live setup per pair:
// the same request is answered with the live one, a different one is refused field by field; a pair whose last
// setup kept its DTS job is not set up again beside it; an adoption is checked, then the preflight, then the start.
import { WorkflowExecutionAlreadyStartedError, type WorkflowExecutionDescription } from '@temporalio/client';
import type { Static } from '@fastify/type-provider-typebox';
import type { FastifyBaseLogger } from 'fastify';
import { setupWorkflowId } from '../core/ids';
import type { PreflightItem } from '../core/preflight-checks';
import { SyncTagsKey } from '../core/search-attributes';
import type { DtsApi, ReleaseOutcome, SetupRequest } from '../core/types';
import { redisSync } from '../workflows/redis-sync';
import { checkAdoption, withoutJobDefaults } from './adopt';
import type { DtsJobLookup } from './dts-jobs';
import { badFields, refusal } from './errors';
import { requestDifferences } from './request-diff';
import { checkBeforeStart } from './routes/preflight';
import type { CreateSetupBody, PlanReply } from './schemas';
import { toSetupRequest } from './setup-request';
import { publicRequest, REQUEST_MEMO, setupStartOptions, type PublicRequest } from './setup-start';
import { closedSetupView, fromVisibility, memoizedStatus } from './setup-view';
import type { Setups } from './setups';
import type { TemporalDeps } from './temporal';

/** What deciding on a new setup reads: Temporal, the setups in it, and DTS (is a kept job still there?). */
export interface NewSetupDeps {
  temporal: TemporalDeps;
  setups: Setups;
  dtsJobs?: DtsJobLookup;
}

/** Who asks, for the memo and the log: a name, never the token. */
export interface Asker {
  name?: string;
  log: FastifyBaseLogger;
}

/** Previous endings that leave a DTS job alive (suspended, or adopted and left running), not to be written beside. */
const KEPT_OUTCOMES: ReadonlySet<string> = new Set([
  'kept',
  'prepaid-not-released',
  'left-in-place',
] satisfies ReleaseOutcome[]);

/**
 * POST /v1/syncs: the live setup of the pair (`existing`), or a new one started (`started`, 202); a refusal is
 * thrown. Nothing is bought before the adoption and preflight checks pass.
 */
export async function startSetup(deps: NewSetupDeps, body: CreateSetupBody, asker: Asker) {
  let request = parse(body);
  const incoming = publicRequest(request);
  const id = setupWorkflowId(request);
  const description = await deps.setups.describe(id);
  if (description?.status.name === 'RUNNING') return existing(description, incoming, body);
  if (description) await refuseBesideKeptJob(deps, description, request.adopt?.dtsJobId);
  // The configured family (DTS_API), or for an adopted job the family that knows it.
  let api = deps.temporal.dtsApi;
  if (request.adopt) ({ request, api } = await adopted(deps, request, body, id));
  // Check before paying (api/routes/preflight.ts): any fail → 422, nothing started or bought.
  const { preflightWarnings } = await checkBeforeStart(deps.temporal, request, body.acceptRisks ?? [], api);
  try {
    await start(deps.temporal, request, body, { api, preflightWarnings, startedBy: asker.name });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    // Started by a concurrent request since the check above.
    const raced = await deps.setups.describe(id);
    if (!raced) throw err;
    return existing(raced, incoming, body);
  }
  asker.log.info({ syncId: id, topology: request.topology, adopt: request.adopt?.dtsJobId }, 'sync started');
  return { id, phase: request.adopt ? ('adopting' as const) : ('purchasing' as const), preflightWarnings };
}

/** POST /v1/syncs/plan: what POST /v1/syncs would do with this body; it starts, buys and checks nothing. */
export async function planSetup(deps: NewSetupDeps, body: CreateSetupBody): Promise<Static<typeof PlanReply>> {
  const request = parse(body);
  const id = setupWorkflowId(request);
  const description = await deps.setups.describe(id);
  if (!description) return { id, action: 'create' };
  if (description.status.name === 'RUNNING') {
    const fields = [
      ...differencesFrom(description, publicRequest(request), body),
      ...tagDifference(description.typedSearchAttributes.get(SyncTagsKey), body.tags),
    ];
    const phase = fromVisibility(description).phase;
    return fields.length > 0 ? { id, action: 'change', phase, fields } : { id, action: 'unchanged', phase };
  }
  try {
    await refuseBesideKeptJob(deps, description, request.adopt?.dtsJobId);
  } catch (err) {
    const { message, dtsJobId } = err as { message: string; dtsJobId?: string };
    return { id, action: 'blocked', message, ...(dtsJobId ? { dtsJobId } : {}) };
  }
  return { id, action: 'create' };
}

function parse(body: CreateSetupBody): SetupRequest {
  const parsed = toSetupRequest(body);
  if (!parsed.request) throw badFields(parsed.problems);
  return parsed.request;
}

/** An adoption: the job exists, no other setup holds it, it matches the request (api/adopt.ts). */
async function adopted(deps: NewSetupDeps, request: SetupRequest, body: CreateSetupBody, id: string) {
  const adoption = await checkAdoption(deps.temporal, request, body, id);
  if ('refusal' in adoption) {
    const { statusCode, message, fields, dtsJobId } = adoption.refusal;
    throw refusal(statusCode, message, { ...(fields ? { fields } : {}), ...(dtsJobId ? { dtsJobId } : {}) });
  }
  return { request: adoption.request, api: adoption.api ?? deps.temporal.dtsApi };
}

async function start(
  temporal: TemporalDeps,
  request: SetupRequest,
  body: CreateSetupBody,
  { api, preflightWarnings, startedBy }: { api?: DtsApi; preflightWarnings: PreflightItem[]; startedBy?: string },
) {
  const options = setupStartOptions(request, temporal.taskQueue, undefined, body.tags, api);
  // Who started it, in the memo and the UI's summary: a name, never the token.
  await temporal.client.workflow.start(redisSync, {
    ...options,
    memo: { ...options.memo, preflightWarnings, ...(startedBy ? { startedBy } : {}) },
    ...(startedBy ? { staticSummary: `${options.staticSummary} · started by ${startedBy}` } : {}),
  });
}

/** Where a request differs from the live setup of its pair. */
function differencesFrom(description: WorkflowExecutionDescription, incoming: PublicRequest, body: CreateSetupBody) {
  const running = description.memo?.[REQUEST_MEMO] as PublicRequest | undefined;
  // Setups started before the memo existed cannot be compared: answered as the same, as before.
  return running ? withoutJobDefaults(requestDifferences(running, incoming), body) : [];
}

/** A live setup of the pair: the same request is answered with it, a different one is refused field by field. */
function existing(description: WorkflowExecutionDescription, incoming: PublicRequest, body: CreateSetupBody) {
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
async function refuseBesideKeptJob(
  { temporal, dtsJobs }: NewSetupDeps,
  description: WorkflowExecutionDescription,
  adopting?: string,
): Promise<void> {
  const ended = await closedSetupView(temporal.client, description).catch(() => undefined);
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
